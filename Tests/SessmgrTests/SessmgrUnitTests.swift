import ApplianceProtocol
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Streaming
import Testing
@testable import Sessmgr

/// Who may read and who may start or stop, decided by sessmgrd's table
/// (SessmgrdAccess) from the caller's uid and the role of the session
/// configd vouches for.
@Suite struct CallerAuthorizationTests {
    static let web: UInt32 = 4001
    static let own: UInt32 = 4002

    enum Need { case read, control }

    struct Authorization {
        let resolver = CallerResolver(ownUID: CallerAuthorizationTests.own, services: [CallerAuthorizationTests.web: .webd])
        func authorize(_ caller: PeerCredentials, session: String?, for need: Need) async throws(ControlError) -> String {
            let method = need == .read ? SessmgrdMethod.Status.name : SessmgrdMethod.Start.name
            return try await resolver.authorize(method, in: SessmgrdAccess.table, caller: caller, session: session) { token in
                switch token {
                case "viewer-token": return ConfigdMethod.SessionInfo(account: "val", role: .viewer, mustChangePassword: false)
                case "operator-token": return ConfigdMethod.SessionInfo(account: "otto", role: .operator, mustChangePassword: false)
                default: throw ControlError(.permissionDenied, "the session has expired or is unknown; sign in again")
                }
            }.actor
        }
    }

    static func authorization() -> Authorization { Authorization() }

    static func caller(_ uid: UInt32) -> PeerCredentials { PeerCredentials(pid: 1, uid: uid, gid: uid) }

    @Test func rootAndOwnUserDoEverything() async throws {
        let auth = Self.authorization()
        #expect(try await auth.authorize(Self.caller(0), session: nil, for: .control).hasPrefix("console:"))
        #expect(try await auth.authorize(Self.caller(Self.own), session: nil, for: .control).hasPrefix("console:"))
    }

    @Test func frontEndsReadButDoNotControlWithoutASession() async throws {
        let auth = Self.authorization()
        _ = try await auth.authorize(Self.caller(Self.web), session: nil, for: .read)
        await #expect(throws: ControlError.self) { _ = try await auth.authorize(Self.caller(Self.web), session: nil, for: .control) }
    }

    @Test func strangersNeedASession() async throws {
        let auth = Self.authorization()
        await #expect(throws: ControlError.self) { _ = try await auth.authorize(Self.caller(5000), session: nil, for: .read) }
        await #expect(throws: ControlError.self) { _ = try await auth.authorize(Self.caller(5000), session: "bogus", for: .read) }
    }

    @Test func viewerReadsOperatorControls() async throws {
        let auth = Self.authorization()
        #expect(try await auth.authorize(Self.caller(5000), session: "viewer-token", for: .read) == "val")
        do {
            _ = try await auth.authorize(Self.caller(5000), session: "viewer-token", for: .control)
            Issue.record("a viewer started a stream")
        } catch {
            #expect(error.code == .permissionDenied && error.message.contains("operator"))
        }
        #expect(try await auth.authorize(Self.caller(Self.web), session: "operator-token", for: .control) == "otto")
    }
}

@Suite struct SenderPartsTests {
    @Test func mdiIsRenderedAsDFColonMLR() {
        #expect(StreamRunner.formatMDI(.init(delayFactorMilliseconds: 1.004, mediaLossRate: 0)) == "1.00:0")
        #expect(StreamRunner.formatMDI(.init(delayFactorMilliseconds: 12.345, mediaLossRate: 2)) == "12.35:2")
        #expect(StreamRunner.formatMDI(.init(delayFactorMilliseconds: 0.07, mediaLossRate: 0.5)) == "0.07:0.5")
    }

    /// The filter is an argument vector: UDP from the stream's source port into its own class, at its own priority.
    @Test func shapingFilterMatchesTheStreamsSourcePort() {
        #expect(TrafficShaper.filterArguments(interface: "eth0", minor: 0x1f, sourcePort: 40_000, ipv6: false) == [
            "filter", "add", "dev", "eth0", "parent", "5e55:", "protocol", "ip", "prio", "31", "u32",
            "match", "ip", "protocol", "17", "0xff", "match", "ip", "sport", "40000", "0xffff", "classid", "5e55:1f"])
        #expect(TrafficShaper.filterArguments(interface: "eth0", minor: 2, sourcePort: 5, ipv6: true).contains("ip6"))
    }

    /// A file source with garbage in it loads with the damage counted and
    /// reports the file's bitrate from its PCRs; one without PCRs is refused with the reason.
    @Test func fileSourceCountsDamageAndNeedsPCRs() throws {
        let folder = NSTemporaryDirectory() + "sessmgr-unit-" + UUID().uuidString.prefix(6)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var packets: [UInt8] = []
        for i in 0..<200 {
            var packet: [UInt8] = [0x47, 0x01, 0x00, 0x30 | UInt8(i & 0x0F), 7, 0x10]
            let pcr = UInt64(i) * 40_500  // 188 × 8 bit at 1.0027 Mbit/s
            let base = pcr / 300, ext = pcr % 300
            packet += [UInt8(truncatingIfNeeded: base >> 25), UInt8(truncatingIfNeeded: base >> 17), UInt8(truncatingIfNeeded: base >> 9),
                       UInt8(truncatingIfNeeded: base >> 1), UInt8(truncatingIfNeeded: (base & 1) << 7 | 0x7E | ext >> 8), UInt8(truncatingIfNeeded: ext)]
            packet += [UInt8](repeating: 0xAB, count: 188 - packet.count)
            packets += packet
        }
        let damaged = Array(packets[0..<(188 * 50)]) + [1, 2, 3, 4, 5] + Array(packets[(188 * 50)...]) + [0x47, 0x01]
        FileManager.default.createFile(atPath: folder + "/d.ts", contents: Data(damaged))
        let source = try FileSource(path: folder + "/d.ts", media: MediaFolder(folder: folder), loops: true)
        #expect(source.packetCount == 200)
        #expect(source.inputCounters.skippedBytes == 5 && source.inputCounters.syncLosses == 1 && source.inputCounters.truncatedBytes == 2)
        let expected: Double = 188.0 * 8.0 * 27e6 / 40_500.0
        #expect(abs(Double(source.bitrate) - expected) < 10)
        var noPCR = packets
        for offset in stride(from: 0, to: noPCR.count, by: 188) { noPCR[offset + 5] = 0 }
        FileManager.default.createFile(atPath: folder + "/n.ts", contents: Data(noPCR))
        #expect(throws: SourceFailure.self) { _ = try FileSource(path: folder + "/n.ts", media: MediaFolder(folder: folder), loops: true) }
        do { _ = try FileSource(path: folder + "/n.ts", media: MediaFolder(folder: folder), loops: true) } catch { #expect(error.description.contains("PCR")) }
    }

    @Test func checkpointStoreRoundTripsAndDiscardsJunk() throws {
        let folder = NSTemporaryDirectory() + "sessmgr-unit-" + UUID().uuidString.prefix(6)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try CheckpointStore(folder: folder)
        let config = StreamConfig(name: "cam1", source: .file(path: "/srv/a.ts"), destination: MediaAddress("rtp://127.0.0.1:5004")!)
        let checkpoint = StreamCheckpoint(stream: "cam1", ssrc: 0xDEAD_BEEF, nextSequence: 65_535, rtpTimestampBase: 7, sourceOffset: 188 * 3,
                                          loopCount: 2, wallClockNanoseconds: 1, streamTime: 2, bitrate: 4_000_000)
        try store.write(SessionCheckpoint(config: config, checkpoint: checkpoint)) { true }
        try store.write(SessionCheckpoint(config: StreamConfig(name: "gone", source: config.source, destination: config.destination),
                                          checkpoint: checkpoint)) { false }
        FileManager.default.createFile(atPath: folder + "/junk.json", contents: Data("{not json".utf8))
        var problems: [String] = []
        let loaded = store.loadAll { name, _ in problems.append(name) }
        #expect(loaded == ["cam1": SessionCheckpoint(config: config, checkpoint: checkpoint)])
        #expect(problems == ["junk"])
        #expect(!FileManager.default.fileExists(atPath: folder + "/junk.json"))
        store.remove("cam1")
        #expect(store.loadAll { _, _ in }.isEmpty)
    }
}
