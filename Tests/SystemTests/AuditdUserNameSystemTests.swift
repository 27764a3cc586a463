import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Audit
import Foundation
import Glibc
import Testing

/// auditd stamps each event with the account name its sender's uid has when
/// the event arrives: a uid deleted and given to another account (procmon's
/// ServiceAccounts reuses uids) is not stamped with the old name.
@Suite(.serialized) struct AuditdUserNameSystemTests {
    static let uid: uid_t = 64_213
    static let names = ["audit-uid-old", "audit-uid-new"]

    static func removeAccounts() {
        for name in names { _ = try? run("/usr/sbin/userdel", [name]) }
    }

    static func addAccount(_ name: String) throws {
        let result = try run("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--uid", String(uid), "--user-group", name])
        #expect(result.code == 0, "useradd \(name): \(result.error)")
    }

    /// Sends one event as `uid` (setpriv) to the intake.
    static func send(_ harness: ProcmonHarness, _ text: String) throws {
        let script = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.sendto(sys.argv[2].encode(), sys.argv[1])
        """
        let result = try run("/usr/bin/setpriv", ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "/usr/bin/python3", "-c", script,
                                                  harness.paths.auditSocket, "<109>1 - - tester - uid-test - \(text)"])
        #expect(result.code == 0, "send as \(uid): \(result.error)")
    }

    static func stampedUser(_ harness: ProcmonHarness, _ text: String) throws -> String? {
        var user: String?
        harness.waitUntil("\(text) journaled") {
            guard let event = try AuditdSystemTests.query(harness, .init(text: text)).first else { return false }
            user = event.parameter("user", in: "origin@32473")
            return true
        }
        return user
    }

    @Test(.enabled(if: getuid() == 0, "useradd and setpriv need root"))
    func aReusedUidIsStampedWithTheNameItHasWhenTheEventArrives() throws {
        Self.removeAccounts()
        defer { Self.removeAccounts() }
        let harness = try AuditdSystemTests.start()
        defer { harness.stop() }
        try Self.addAccount(Self.names[0])
        try Self.send(harness, "first event")
        #expect(try Self.stampedUser(harness, "first event") == Self.names[0])
        // The account goes and its uid is given to another one, auditd running throughout.
        let removed = try run("/usr/sbin/userdel", [Self.names[0]])
        #expect(removed.code == 0, "userdel: \(removed.error)")
        try Self.send(harness, "between accounts")
        #expect(try Self.stampedUser(harness, "between accounts") == nil, "a deleted account's name was stamped")
        try Self.addAccount(Self.names[1])
        try Self.send(harness, "second event")
        #expect(try Self.stampedUser(harness, "second event") == Self.names[1], "the uid's former name was stamped")
    }
}
