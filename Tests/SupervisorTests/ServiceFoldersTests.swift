import ApplianceCore
import Foundation
import Glibc
import Testing
@testable import Supervisor

/// procmon makes and chowns the services' folders as root: a symbolic link a
/// service leaves in place of a folder must never make it change anything
/// outside the appliance's tree. These tests need root (chown to other ids).
@Suite(.enabled(if: geteuid() == 0, "needs root to change owners"))
struct ServiceFoldersTests {
    /// A temporary root and, beside it (outside it), a folder standing for `/etc`.
    struct Tree: ~Copyable {
        let base: String
        var root: String { base + "/root" }
        var outside: String { base + "/outside" }
        var paths: AppliancePaths { AppliancePaths(root: root) }

        init() throws {
            base = NSTemporaryDirectory() + "servicefolders-" + UUID().uuidString.prefix(8)
            try FileManager.default.createDirectory(atPath: base + "/root/var/lib/appliance", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: base + "/outside", withIntermediateDirectories: true)
            chmod(base + "/outside", 0o755)
            chown(base + "/outside", 0, 0)
        }

        deinit { try? FileManager.default.removeItem(atPath: base) }
    }

    static let serviceIdentity: (uid: UInt32, gid: UInt32) = (54_321, 54_322)

    static func ownerAndMode(_ path: String) -> (uid: UInt32, gid: UInt32, mode: UInt32)? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return (info.st_uid, info.st_gid, info.st_mode & 0o7777)
    }

    static func configd(writable: [String] = []) -> ServiceDefinition {
        var definition = ServiceDefinition(name: "configd", line: 1)
        definition.command = ["configd"]
        definition.writable = writable
        return definition
    }

    /// The finding: configd renames its folder and leaves a link to `/etc` in
    /// its place; at the next start procmon chowned the link's target.
    @Test func aSymlinkPlantedInPlaceOfAStateFolderIsRefusedAndNothingOutsideChanges() throws {
        let tree = try Tree()
        #expect(symlink(tree.outside, tree.root + "/var/lib/appliance/configd") == 0)
        #expect(throws: (any Error).self, "procmon must refuse a state folder that is a symbolic link") {
            try ServiceFolders.prepare(Self.configd(), identity: Self.serviceIdentity, paths: tree.paths)
        }
        let outside = try #require(Self.ownerAndMode(tree.outside))
        #expect(outside.uid == 0 && outside.gid == 0 && outside.mode == 0o755,
                "the folder outside the root became uid \(outside.uid) gid \(outside.gid) mode \(String(outside.mode, radix: 8))")
    }

    /// A link higher up (`var/lib` itself) is refused the same way.
    @Test func aSymlinkOnTheWayToAStateFolderIsRefused() throws {
        let tree = try Tree()
        try FileManager.default.removeItem(atPath: tree.root + "/var/lib")
        try FileManager.default.createDirectory(atPath: tree.outside + "/appliance/configd", withIntermediateDirectories: true)
        #expect(symlink(tree.outside, tree.root + "/var/lib") == 0)
        #expect(throws: (any Error).self) {
            try ServiceFolders.prepare(Self.configd(), identity: Self.serviceIdentity, paths: tree.paths)
        }
        let inside = try #require(Self.ownerAndMode(tree.outside + "/appliance/configd"))
        #expect(inside.uid == 0 && inside.gid == 0)
    }

    /// A `writable` folder replaced by a link is refused too.
    @Test func aWritableFolderThatIsASymlinkIsRefused() throws {
        let tree = try Tree()
        try FileManager.default.createDirectory(atPath: tree.root + "/srv", withIntermediateDirectories: true)
        #expect(symlink(tree.outside, tree.root + "/srv/media") == 0)
        #expect(throws: (any Error).self) {
            try ServiceFolders.prepare(Self.configd(writable: ["srv/media"]), identity: Self.serviceIdentity, paths: tree.paths)
        }
        let outside = try #require(Self.ownerAndMode(tree.outside))
        #expect(outside.uid == 0 && outside.gid == 0 && outside.mode == 0o755)
    }

    /// The ordinary case still works: the state folder is the service's, 0700,
    /// and a writable folder is root's, group the service's, 1771.
    @Test func foldersAreMadeWithTheirOwnersAndModes() throws {
        let tree = try Tree()
        try ServiceFolders.prepare(Self.configd(writable: ["srv/media"]), identity: Self.serviceIdentity, paths: tree.paths)
        let state = try #require(Self.ownerAndMode(tree.root + "/var/lib/appliance/configd"))
        #expect(state.uid == Self.serviceIdentity.uid && state.gid == Self.serviceIdentity.gid && state.mode == 0o700)
        let media = try #require(Self.ownerAndMode(tree.root + "/srv/media"))
        #expect(media.uid == 0 && media.gid == Self.serviceIdentity.gid && media.mode == 0o1771)
    }

    /// No service may be given a writable parent of other services' folders:
    /// `var/lib/appliance` left group-writable by an older procmon is set back
    /// to root 0755, and a manifest naming it as writable is refused.
    @Test func theStateFolderIsRootsAloneAndCannotBeMadeWritable() throws {
        let tree = try Tree()
        chown(tree.root + "/var/lib/appliance", 0, Self.serviceIdentity.gid)
        chmod(tree.root + "/var/lib/appliance", 0o1771)
        try ServiceFolders.prepareTree(paths: tree.paths)
        let state = try #require(Self.ownerAndMode(tree.root + "/var/lib/appliance"))
        #expect(state.uid == 0 && state.gid == 0 && state.mode == 0o755)
        #expect(throws: (any Error).self) {
            try ServiceFolders.prepare(Self.configd(writable: ["var/lib/appliance"]), identity: Self.serviceIdentity, paths: tree.paths)
        }
        let after = try #require(Self.ownerAndMode(tree.root + "/var/lib/appliance"))
        #expect(after.uid == 0 && after.gid == 0 && after.mode == 0o755)
    }

    /// The first password an older appliance wrote beside the services'
    /// folders is removed at procmon's start (a link there is removed, its
    /// target kept); configd's own copy in its folder is left alone.
    @Test func theOldInitialPasswordFileIsRemovedAndConfigdsOwnKept() throws {
        let tree = try Tree()
        let old = tree.root + "/var/lib/appliance/initial-admin-password"
        #expect(FileManager.default.createFile(atPath: old, contents: Data("Old-First-Password-1\n".utf8)))
        try FileManager.default.createDirectory(atPath: tree.root + "/var/lib/appliance/configd", withIntermediateDirectories: true)
        let own = tree.root + "/var/lib/appliance/configd/initial-admin-password"
        #expect(FileManager.default.createFile(atPath: own, contents: Data("New-First-Password-2\n".utf8)))
        try ServiceFolders.prepareTree(paths: tree.paths)
        #expect(!FileManager.default.fileExists(atPath: old))
        #expect(FileManager.default.fileExists(atPath: own))
        // A link in its place goes, and what it pointed at stays.
        let target = tree.outside + "/kept"
        #expect(FileManager.default.createFile(atPath: target, contents: Data("x".utf8)))
        #expect(symlink(target, old) == 0)
        try ServiceFolders.prepareTree(paths: tree.paths)
        var info = stat()
        #expect(lstat(old, &info) != 0 && FileManager.default.fileExists(atPath: target))
    }

    /// `run/appliance` planted as a link is refused at procmon's start.
    @Test func aSymlinkInPlaceOfTheRunFolderIsRefused() throws {
        let tree = try Tree()
        try FileManager.default.createDirectory(atPath: tree.root + "/run", withIntermediateDirectories: true)
        #expect(symlink(tree.outside, tree.root + "/run/appliance") == 0)
        #expect(throws: (any Error).self) { try ServiceFolders.prepareTree(paths: tree.paths) }
        let outside = try #require(Self.ownerAndMode(tree.outside))
        #expect(outside.uid == 0 && outside.gid == 0 && outside.mode == 0o755)
    }
}
