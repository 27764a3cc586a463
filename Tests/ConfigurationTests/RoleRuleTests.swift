import ApplianceProtocol
@testable import ConfigDaemon
import Testing
@testable import Configuration

@Suite("Role rules and section access")
struct RoleRuleTests {
    @Test("an admin may apply any change")
    func adminMayChangeEverything() {
        let changes = ChangeSet(commands: ["hostname x", "account bob role admin", "security login lockout 0", "stream cam1 ttl 3",
                                           "snmp engine-id 0x80007ed904616263", "logging retention days 1", "ntp server 192.0.2.1",
                                           "interface eth0 dhcp", "no banner login"])
        #expect(ChangeAuthorization.check(changes, role: .admin, account: "root") == .permitted)
    }

    @Test("an operator may change streams, and is refused anything else with the command named")
    func operatorMayChangeStreamsOnly() {
        let streams = ChangeSet(commands: ["! retune", "stream cam1 ttl 3", "no stream cam2", "stream cam9 source file:/a.ts destination udp://192.0.2.1:1"])
        #expect(ChangeAuthorization.check(streams, role: .operator, account: "alice") == .permitted)
        let mixed = ChangeSet(commands: ["stream cam1 ttl 3", "no ntp server 192.0.2.1"])
        #expect(ChangeAuthorization.check(mixed, role: .operator, account: "alice") == .refused(.init(
            index: 2, command: "no ntp server 192.0.2.1", reason: "an operator may not change time settings")))
    }

    @Test("an operator may set its own password but not another's, nor edit its account with commands")
    func operatorOwnPasswordOnly() {
        let hash = Fixture.hash("x")
        #expect(ChangeAuthorization.check(ChangeSet([.setPassword(account: "alice", hash: hash, changedAt: 1)]), role: .operator, account: "alice") == .permitted)
        #expect(ChangeAuthorization.check(ChangeSet([.setPassword(account: "admin", hash: hash, changedAt: 1)]), role: .operator, account: "alice")
                == .refused(.init(index: 1, command: "set password of \"admin\"", reason: "an operator may change only its own password")))
        guard case .refused(let refusal) = ChangeAuthorization.check(ChangeSet(commands: ["account alice role admin"]), role: .operator, account: "alice") else {
            Issue.record("operator promoted itself")
            return
        }
        #expect(refusal.command == "account alice role admin")
        #expect(refusal.reason.hasPrefix("an operator may not change accounts settings"))
    }

    @Test("a viewer may change nothing but its own password; unknown commands are refused")
    func viewerReadsOnly() {
        #expect(ChangeAuthorization.check(ChangeSet(commands: ["stream cam1 ttl 3"]), role: .viewer, account: "v")
                == .refused(.init(index: 1, command: "stream cam1 ttl 3", reason: "a viewer may not change streams settings")))
        #expect(ChangeAuthorization.check(ChangeSet([.setPassword(account: "v", hash: Fixture.hash("x"), changedAt: 1)]), role: .viewer, account: "v") == .permitted)
        guard case .refused(let refusal) = ChangeAuthorization.check(ChangeSet(commands: ["reboot now"]), role: .admin, account: "root") else {
            Issue.record("unknown command permitted")
            return
        }
        #expect(refusal.reason.hasPrefix("not a configuration command"))
    }

    @Test("the permission table: admin everything, operator streams, viewer reads; only admins read accounts")
    func permissionTable() {
        #expect(Section.allCases.allSatisfy { Role.admin.may(.change($0)) && Role.admin.may(.read($0)) })
        #expect(Section.allCases.filter { Role.operator.may(.change($0)) } == [.streams])
        #expect(Section.allCases.filter { Role.viewer.may(.change($0)) } == [])
        #expect(!Role.operator.may(.read(.accounts)) && !Role.viewer.may(.read(.accounts)))
        #expect(Role.viewer.may(.read(.streams)) && !Role.viewer.may(.read(.snmp)))
    }

    @Test("no daemon may read accounts; a daemon's view has only its sections and SNMP keys only for snmpd")
    func daemonViews() {
        let config = Fixture.richConfig()
        #expect(ApplianceService.allCases.allSatisfy { !$0.readableSections.contains(.accounts) })
        let sessmgrd = config.view(for: .sessmgrd)
        #expect(sessmgrd.streams == config.streams && sessmgrd.network == config.network)
        #expect(sessmgrd.accounts.isEmpty && sessmgrd.snmp == SNMPSettings() && sessmgrd.system == SystemSettings())
        let snmpd = config.view(for: .snmpd)
        #expect(snmpd.snmp == config.snmp)
        let people = config.view(sections: Set(Section.allCases), secrets: .none)
        #expect(people.accounts.allSatisfy { $0.passwordHash == nil && $0.passwordHistory.isEmpty })
        #expect(people.snmp.users.allSatisfy { $0.authKey.octets.isEmpty && $0.privKey.octets.isEmpty })
        #expect(people.accounts.map(\.sshKeys) == config.accounts.map(\.sshKeys))
        #expect("\(config.snmp.users[0].authKey)" == "<redacted>")
    }

    @Test("nobody deletes, locks or demotes the account they are signed in as; another account may, and other edits of one's own account pass")
    func nobodyShutsOutTheirOwnAccount() throws {
        var two = Fixture.richConfig()
        two.accounts.append(Account(name: "carol", role: .admin, passwordHash: Fixture.hash("Carol-Passw0rd!", saltByte: 9)))
        func after(_ commands: String...) throws -> ApplianceConfig { try two.applying(ChangeSet(commands: commands)) }
        #expect(ChangeAuthorization.ownAccountRefusal("admin", before: two, after: try after("no account admin"))
                == "you may not delete the account you are signed in as (admin); another admin may")
        #expect(ChangeAuthorization.ownAccountRefusal("admin", before: two, after: try after("account admin locked"))
                == "you may not lock the account you are signed in as (admin); another admin may")
        #expect(ChangeAuthorization.ownAccountRefusal("admin", before: two, after: try after("account admin role operator"))
                == "you may not lower the role of the account you are signed in as (admin); another admin may")
        // Another admin may do each of these to admin.
        for change in ["no account admin", "account admin locked", "account admin role viewer"] {
            #expect(ChangeAuthorization.ownAccountRefusal("carol", before: two, after: try after(change)) == nil, "\(change)")
        }
        // Keys, a second edit that changes nothing, and principals that are no account pass.
        #expect(ChangeAuthorization.ownAccountRefusal("admin", before: two, after: try after("account admin role admin", "no account alice")) == nil)
        #expect(ChangeAuthorization.ownAccountRefusal("console:root", before: two, after: try after("no account admin")) == nil)
    }
}
