import Testing
@testable import Configuration

@Suite("Change sets")
struct ChangeSetTests {
    @Test("a valid change set returns the new configuration and leaves the original untouched")
    func validChangeApplies() throws {
        let original = Fixture.richConfig()
        let changed = try original.applying(ChangeSet(text: """
            ! add a stream and retune one
            stream cam9 source udp://232.1.1.9:5000 destination rtp://239.1.1.9:5000
            stream cam1 ttl 8
            """))
        #expect(changed.streams.map(\.name) == ["cam1", "cam2", "cam-3", "spaces", "cam9"])
        #expect(changed.streams[0].ttl == 8)
        #expect(original == Fixture.richConfig())
    }

    @Test("one bad line refuses the whole change set and every syntax error is reported with its line")
    func syntaxErrorsRefuseWholeChange() throws {
        let original = Fixture.richConfig()
        let error = try #require(throws: ConfigChangeError.self) {
            try original.applying(ChangeSet(commands: ["stream cam1 ttl 8", "stream cam2 tos 999", "hostname ok", "ntp server"]))
        }
        #expect(error.syntaxErrors.map(\.description) == [
            "line 2, column 17: expected a number 0-255 for tos, found \"999\"",
            "line 4, column 11: expected an IPv4 address, an IPv6 address or an RFC 1123 host name, found end of line",
        ])
        #expect(error.problems.isEmpty)
    }

    @Test("a change set whose result is invalid is refused with every problem")
    func validationProblemsRefuseWholeChange() throws {
        let original = Fixture.richConfig()
        let error = try #require(throws: ConfigChangeError.self) {
            try original.applying(ChangeSet(commands: [
                "stream dup source file:/srv/x.ts destination rtp://239.1.1.1:5000",
                "snmp trap-receiver 192.0.2.77 user ghost",
            ]))
        }
        #expect(error.problems.map(\.description) == [
            "snmp trap-receiver 192.0.2.77 port 162: user \"ghost\" is not an SNMP user; create it with snmp user first",
            "stream \"dup\": destination 239.1.1.1 port 5000 is already used by stream \"cam1\"",
        ])
    }

    @Test("removing or locking the last admin is refused")
    func lastAdminCannotBeRemoved() throws {
        let original = Fixture.richConfig()
        #expect(throws: ConfigChangeError.self) { try original.applying(ChangeSet(commands: ["account admin locked"])) }
        #expect(throws: ConfigChangeError.self) { try original.applying(ChangeSet(commands: ["account admin role viewer"])) }
        let error = try #require(throws: ConfigChangeError.self) {
            try original.applying(ChangeSet(commands: ["no account alice", "no account nms_ro", "no account admin"]))
        }
        #expect(error.problems.map(\.description) == ["accounts: the change would leave no unlocked admin account with a password or ssh key; keep or create one first"])
    }

    @Test("a password change moves the old hash into the history, trimmed to the policy's depth")
    func setPasswordKeepsHistory() throws {
        var original = Fixture.richConfig()
        original.policy.passwordHistoryDepth = 2
        let oldHash = original.accounts[0].passwordHash!
        let newHash = Fixture.hash("N3w-Password!!", saltByte: 9)
        let changed = try original.applying(ChangeSet([.setPassword(account: "admin", hash: newHash, changedAt: 1_800_000_000)]))
        #expect(changed.accounts[0].passwordHash == newHash)
        #expect(changed.accounts[0].passwordChangedAt == 1_800_000_000)
        #expect(changed.accounts[0].passwordHistory == [oldHash, original.accounts[0].passwordHistory[0]])
    }

    @Test("a password change for an unknown account is refused")
    func setPasswordUnknownAccount() throws {
        let error = try #require(throws: ConfigChangeError.self) {
            try Fixture.richConfig().applying(ChangeSet([.setPassword(account: "mallory", hash: Fixture.hash("x"), changedAt: 0)]))
        }
        #expect(error.problems.map(\.description) == ["account \"mallory\": does not exist"])
    }
}
