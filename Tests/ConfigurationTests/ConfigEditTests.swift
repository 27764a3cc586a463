@testable import ConfigDaemon
import Configuration
import Testing

/// configd's `apply`, decided as a pure function: role by line, the change,
/// account ids, and nobody shutting out their own account.
@Suite struct ConfigEditTests {
    static let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test"

    static func running() throws -> ApplianceConfig {
        var config = ApplianceConfig()
        for line in ["account admin role admin id a000000000000001", "account ada role admin id a000000000000002",
                     "account admin ssh-key \"\(key)\"", "account ada ssh-key \"\(key)\"",
                     "stream cam1 source file:/media/a.ts destination udp://192.0.2.1:5000"] {
            try ConfigParser.apply(line: line, to: &config)
        }
        return config
    }

    @Test func anOperatorChangesStreamsAndIsRefusedAccounts() throws {
        let running = try Self.running()
        guard case .applied(let updated, let diff) = ConfigEdit.apply(["stream cam1 ttl 9"], account: "otto", role: .operator, to: running, reservedIDs: []) else {
            Issue.record("an operator could not change a stream")
            return
        }
        #expect(updated.streams.first?.ttl == 9 && !diff.isEmpty)
        guard case .refused(let reason) = ConfigEdit.apply(["account eve role admin"], account: "otto", role: .operator, to: running, reservedIDs: []) else {
            Issue.record("an operator created an admin")
            return
        }
        #expect(reason.contains("account eve role admin"))
    }

    @Test func aNewAccountGetsAnIdAndARequestCannotGiveOne() throws {
        let running = try Self.running()
        guard case .applied(let updated, _) = ConfigEdit.apply(["account bob role viewer"], account: "admin", role: .admin, to: running, reservedIDs: []) else {
            Issue.record("an admin could not create an account")
            return
        }
        let bob = try #require(updated.accounts.first { $0.name == "bob" })
        #expect(bob.id != nil && bob.id != running.accounts[0].id && bob.id != running.accounts[1].id)
        guard case .invalid(let reason) = ConfigEdit.apply(["account admin id a000000000000009"], account: "ada", role: .admin,
                                                           to: running, reservedIDs: []) else {
            Issue.record("a request changed an account id")
            return
        }
        #expect(reason.contains("never changes them"))
    }

    @Test func nobodyLocksTheirOwnAccountButAnotherAdminMay() throws {
        let running = try Self.running()
        guard case .refused = ConfigEdit.apply(["account ada locked"], account: "ada", role: .admin, to: running, reservedIDs: []) else {
            Issue.record("ada locked herself out")
            return
        }
        guard case .applied(let updated, _) = ConfigEdit.apply(["account ada locked"], account: "admin", role: .admin, to: running, reservedIDs: []) else {
            Issue.record("another admin could not lock ada")
            return
        }
        #expect(updated.accounts.first { $0.name == "ada" }?.locked == true)
    }

    @Test func badOrTooManyLinesAreInvalidAndNothingChanges() throws {
        let running = try Self.running()
        guard case .invalid = ConfigEdit.apply(["stream cam1 ttl lots"], account: "admin", role: .admin, to: running, reservedIDs: []) else {
            Issue.record("a bad line was applied")
            return
        }
        guard case .invalid = ConfigEdit.apply([], account: "admin", role: .admin, to: running, reservedIDs: []) else {
            Issue.record("an empty change set was applied")
            return
        }
        let tooMany = Array(repeating: "hostname x", count: ConfigEdit.maximumCommands + 1)
        guard case .invalid = ConfigEdit.apply(tooMany, account: "admin", role: .admin, to: running, reservedIDs: []) else {
            Issue.record("more than the maximum was applied")
            return
        }
    }
}
