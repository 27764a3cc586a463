import ApplianceCore
import Foundation
import Glibc
import Testing
@testable import Sessmgr

/// File sources are opened only inside the media folder, component by
/// component, without following links, and only as regular files.
@Suite struct MediaFolderTests {
    static func makeRoot() throws -> String {
        let root = NSTemporaryDirectory() + "media-folder-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: root + "/srv/clips", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/srv/clips/a.ts", contents: Data([0x47]))
        FileManager.default.createFile(atPath: root + "/outside.ts", contents: Data([0x47]))
        return root
    }

    func refusal(_ media: MediaFolder, _ path: String) -> String? {
        do {
            let fd = try media.open(path)
            close(fd)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aFileInTheFolderOpensByTheApplianceSpellingOrTheFoldersOwnPath() throws {
        let root = try Self.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let media = MediaFolder(paths: AppliancePaths(root: root))
        #expect(refusal(media, "/srv/clips/a.ts") == nil)
        #expect(refusal(media, root + "/srv/clips/a.ts") == nil)
        #expect(refusal(media, "/srv//clips/./a.ts") == nil)
        let own = MediaFolder(folder: root + "/srv/clips")
        #expect(refusal(own, root + "/srv/clips/a.ts") == nil)
        #expect(refusal(own, "/srv/clips/a.ts")?.contains("not in the media folder") == true, "only the default folder answers to /srv")
    }

    @Test func pathsOutsideTheFolderAreRefusedAlikeWhetherTheyExistOrNot() throws {
        let root = try Self.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let media = MediaFolder(paths: AppliancePaths(root: root))
        for path in ["/etc/shadow", "/etc/no-such-file", "/proc/self/fd/1", root + "/outside.ts", "/srv/../outside.ts",
                     "/srv/clips/../../outside.ts", "/srv", "/srv/", "/srvx/a.ts", root + "/srv/../outside.ts"] {
            let reason = try #require(refusal(media, path), "\(path) opened")
            #expect(reason == "file:\(path) is not in the media folder \(root)/srv (file sources are read from there only)")
        }
    }

    @Test func symbolicLinksFIFOsAndFoldersInsideAreRefusedWithoutBeingOpened() throws {
        let root = try Self.makeRoot()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let media = MediaFolder(paths: AppliancePaths(root: root))
        try FileManager.default.createSymbolicLink(atPath: root + "/srv/out.ts", withDestinationPath: root + "/outside.ts")
        try FileManager.default.createSymbolicLink(atPath: root + "/srv/inner.ts", withDestinationPath: "clips/a.ts")
        try FileManager.default.createSymbolicLink(atPath: root + "/srv/etc", withDestinationPath: "/etc")
        #expect(mkfifo(root + "/srv/pipe.ts", 0o644) == 0)
        #expect(refusal(media, "/srv/out.ts")?.contains("symbolic link") == true)
        #expect(refusal(media, "/srv/inner.ts")?.contains("symbolic link") == true)
        #expect(refusal(media, "/srv/etc/passwd")?.contains("symbolic link") == true)
        // A FIFO with no writer would block open() and read() for good: refused at once.
        #expect(refusal(media, "/srv/pipe.ts")?.contains("not a regular file") == true)
        #expect(refusal(media, "/srv/clips")?.contains("not a regular file") == true)
        #expect(refusal(media, "/srv/clips/a.ts/b")?.contains("is not a folder") == true)
        #expect(refusal(media, "/srv/missing.ts") == "file:/srv/missing.ts: no such file in the media folder")
    }
}
