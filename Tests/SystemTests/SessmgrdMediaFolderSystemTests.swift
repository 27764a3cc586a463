import ApplianceCore
import Configuration
import Foundation
import Glibc
import Sessmgr
import Testing

/// sessmgrd reads file sources only from its media folder (`<root>/srv`):
/// a source elsewhere, a symbolic link, a FIFO or a device is refused with
/// a reason that does not say whether the path exists, and a source that
/// would block (its own stdout pipe) holds up no other stream.
@Suite(.serialized) struct SessmgrdMediaFolderSystemTests {
    /// sessmgrd with its default media folder, `<root>/srv`.
    static func start() throws -> ProcmonHarness {
        let manifest = SessmgrdSystemTests.manifest().replacingOccurrences(of: " --media-folder \(SessmgrdSystemTests.media)", with: "")
        let harness = try ProcmonHarness(manifest: manifest, environment: ["APPLIANCE_ADMIN_PASSWORD": "Correct-Horse-Battery-9"])
        harness.waitUntil("sessmgrd running", timeout: .seconds(60)) { harness.running("sessmgrd") != nil }
        return harness
    }

    static func reason(_ harness: ProcmonHarness, _ name: String) -> String? {
        guard let status = SessmgrdSystemTests.status(harness, name), status.state == "error" else { return nil }
        return status.reason
    }

    @Test func fileSourcesOutsideTheMediaFolderOrNotRegularFilesAreRefusedAndBlockNoOtherStream() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let media = harness.root + "/srv"
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        chmod(harness.root, 0o755)
        chmod(media, 0o755)
        let good = try TestMedia.make(in: media)
        #expect(mkfifo(media + "/pipe.ts", 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: media + "/escape.ts", withDestinationPath: "/etc/passwd")
        try FileManager.default.createDirectory(atPath: media + "/clips", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: media + "/linked", withDestinationPath: "/etc")
        // First a source that blocks a reader for good: sessmgrd's own stdout, a pipe to procmon.
        try await SessmgrdSystemTests.apply(harness, ["stream blocker source file:/proc/self/fd/1 destination udp://127.0.0.1:7 autostart"])
        harness.waitUntil("blocker tried") { SessmgrdSystemTests.status(harness, "blocker") != nil }
        let port = StreamReceiver.freePortPair()
        let receiver = try StreamReceiver(port: port)
        defer { receiver.close() }
        try await SessmgrdSystemTests.apply(harness, [
            "stream fifo source file:\(media)/pipe.ts destination udp://127.0.0.1:9 autostart",
            "stream shadow source file:/etc/shadow destination udp://127.0.0.1:11 autostart",
            "stream missing source file:/etc/no-such-file destination udp://127.0.0.1:13 autostart",
            "stream link source file:\(media)/escape.ts destination udp://127.0.0.1:15 autostart",
            "stream dirlink source file:\(media)/linked/passwd destination udp://127.0.0.1:17 autostart",
            "stream good source file:\(good) destination rtp://127.0.0.1:\(port) autostart",
        ])
        // The good stream streams, and the control socket answers, while the others are tried.
        harness.waitUntil("the good stream's datagrams arriving") { receiver.count > 10 }
        harness.waitUntil("the good stream streaming") { SessmgrdSystemTests.status(harness, "good")?.state == "streaming" }
        // Each bad source is refused with a clear reason.
        var reasons: [String: String] = [:]
        harness.waitUntil("every bad source refused") {
            for name in ["blocker", "fifo", "shadow", "missing", "link", "dirlink"] { reasons[name] = Self.reason(harness, name) }
            return reasons.count == 6
        }
        #expect(reasons["blocker"]?.contains("not in the media folder") == true, "\(reasons)")
        #expect(reasons["shadow"]?.contains("not in the media folder") == true, "\(reasons)")
        // Outside the folder, an existing file and a missing one get the same words.
        #expect(reasons["shadow"]?.replacingOccurrences(of: "/etc/shadow", with: "X")
                == reasons["missing"]?.replacingOccurrences(of: "/etc/no-such-file", with: "X"), "\(reasons)")
        #expect(reasons["fifo"]?.contains("not a regular file") == true, "\(reasons)")
        #expect(reasons["link"]?.contains("symbolic link") == true, "\(reasons)")
        #expect(reasons["dirlink"]?.contains("symbolic link") == true, "\(reasons)")
        for reason in reasons.values { #expect(!reason.contains("Permission denied") && !reason.contains("No such file"), "\(reason)") }
        #expect(SessmgrdSystemTests.status(harness, "good")?.state == "streaming")
    }

    /// The appliance's own spelling: `file:/srv/NAME` is the file NAME in the
    /// media folder, `<root>/srv` under a development root.
    @Test func aSourceNamedUnderSrvIsReadFromTheMediaFolder() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let media = harness.root + "/srv"
        try FileManager.default.createDirectory(atPath: media + "/clips", withIntermediateDirectories: true)
        chmod(harness.root, 0o755)
        chmod(media, 0o755)
        chmod(media + "/clips", 0o755)
        let file = try TestMedia.make(in: media + "/clips")
        let name = (file as NSString).lastPathComponent
        let port = StreamReceiver.freePortPair()
        let receiver = try StreamReceiver(port: port)
        defer { receiver.close() }
        try await SessmgrdSystemTests.apply(harness, ["stream cam1 source file:/srv/clips/\(name) destination rtp://127.0.0.1:\(port) autostart"])
        harness.waitUntil("datagrams arriving") { receiver.count > 10 }
        #expect(SessmgrdSystemTests.status(harness, "cam1")?.state == "streaming")
    }
}
