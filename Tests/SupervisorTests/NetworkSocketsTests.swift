import ApplianceCore
import Foundation
import Glibc
import Testing
@testable import Supervisor

/// /proc/net/unix lines as the kernel prints them (af_unix.c `unix_seq_show`).
@Suite struct UnixSocketLineTests {
    @Test func aListeningStreamSocketGivesItsPathTypeAndInode() throws {
        let entry = try #require(NetworkSockets.parseUnix("ffff8f0a4c6e2000: 00000002 00000000 00010000 0001 01 31245 /run/appliance/configd.sock"))
        #expect(entry.path == "/run/appliance/configd.sock")
        #expect(entry.type == "stream" && entry.listening && entry.inode == 31245)
    }

    /// The inode is padded to five columns; the name follows after one space.
    @Test func aPaddedInodeAndAPathWithSpacesKeepTheWholePath() throws {
        let entry = try #require(NetworkSockets.parseUnix("0000000000000000: 00000002 00000000 00010000 0001 01   127 /tmp/my folder/a  b.sock"))
        #expect(entry.inode == 127)
        #expect(entry.path == "/tmp/my folder/a  b.sock")
        #expect(entry.listening)
    }

    /// Abstract names: `@` for the leading NUL and for every NUL inside.
    @Test func anAbstractNameKeepsItsAtSigns() throws {
        let entry = try #require(NetworkSockets.parseUnix("0000000000000000: 00000002 00000000 00010000 0005 01 40001 @/tmp/.X11-unix/X0@x"))
        #expect(entry.path == "@/tmp/.X11-unix/X0@x")
        #expect(entry.type == "seqpacket" && entry.listening)
    }

    @Test func boundDatagramSocketsListenConnectedOnesAndUnboundOnesDoNot() throws {
        let receiver = try #require(NetworkSockets.parseUnix("0000000000000000: 00000002 00000000 00000000 0002 01 50000 /run/appliance/audit.sock"))
        #expect(receiver.type == "dgram" && receiver.listening)
        let connected = try #require(NetworkSockets.parseUnix("0000000000000000: 00000002 00000000 00000000 0002 03 50001 @00012"))
        #expect(!connected.listening)
        let anonymous = try #require(NetworkSockets.parseUnix("0000000000000000: 00000003 00000000 00000000 0001 03 50002"))
        #expect(anonymous.path.isEmpty && !anonymous.listening)
        let client = try #require(NetworkSockets.parseUnix("0000000000000000: 00000003 00000000 00000000 0001 03 50003 /run/appliance/configd.sock"))
        #expect(!client.listening, "the accepted end of a connection carries the path but does not listen")
    }

    /// The appliance binds at PATH.new and renames to PATH: the kernel keeps
    /// the first name, the report shows where the socket is now.
    @Test func aSocketRenamedIntoPlaceIsShownAtItsPath() {
        let sockets: Set<String> = ["/run/appliance/configd.sock"]
        #expect(NetworkSockets.renamedPath("/run/appliance/configd.sock.new", exists: { _ in false }, isSocket: sockets.contains) == "/run/appliance/configd.sock")
        #expect(NetworkSockets.renamedPath("/run/appliance/configd.sock.new", exists: { _ in true }, isSocket: sockets.contains) == "/run/appliance/configd.sock.new",
                "still there: not renamed")
        #expect(NetworkSockets.renamedPath("/run/other.new", exists: { _ in false }, isSocket: sockets.contains) == "/run/other.new", "no socket at the stem")
        #expect(NetworkSockets.renamedPath("@abstract.new", exists: { _ in false }, isSocket: { _ in true }) == "@abstract.new")
    }

    @Test func malformedLinesAreSkipped() {
        #expect(NetworkSockets.parseUnix("Num       RefCount Protocol Flags    Type St Inode Path") == nil)
        #expect(NetworkSockets.parseUnix("0000000000000000: 00000002 00000000 00010000 0001") == nil)
        #expect(NetworkSockets.parseUnix("0000000000000000: 00000002 00000000 00010000 0001 01 0 /x") == nil, "inode 0")
        #expect(NetworkSockets.parseUnix("") == nil)
    }

    /// A whole /proc tree in a folder: the table, a process's fd links and
    /// its status give one row per listening socket it holds.
    @Test func ownersMatchesUnixSocketsToProcessesByInode() throws {
        let root = NSTemporaryDirectory() + "netsockets-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.makeFolders(root + "/net")
        try AtomicFile.makeFolders(root + "/4242/fd")
        try write(root + "/net/unix", """
            Num       RefCount Protocol Flags    Type St Inode Path
            0000000000000000: 00000002 00000000 00010000 0001 01 31245 /run/appliance/configd.sock
            0000000000000000: 00000002 00000000 00000000 0002 01 31246 /run/a b.sock
            0000000000000000: 00000003 00000000 00000000 0001 03 31247 /run/appliance/configd.sock

            """)
        try write(root + "/4242/comm", "configd\n")
        try write(root + "/4242/status", "Name:\tconfigd\nUid:\t0\t0\t0\t0\n")
        for (fd, inode) in [("3", 31245), ("4", 31246), ("5", 31247)] {
            #expect(symlink("socket:[\(inode)]", root + "/4242/fd/" + fd) == 0)
        }
        let owners = NetworkSockets.owners(procRoot: root)
        #expect(owners.map(\.local) == ["/run/a b.sock", "/run/appliance/configd.sock"], "\(owners)")
        #expect(owners.map(\.proto) == ["unix-dgram", "unix-stream"])
        #expect(owners.map(\.state) == ["UNCONN", "LISTEN"])
        #expect(owners.allSatisfy { $0.pid == 4242 && $0.process == "configd" && $0.user == "root" && $0.remote == "*" })
    }

    func write(_ path: String, _ text: String) throws { try AtomicFile.write(text, to: path, mode: 0o644) }
}
