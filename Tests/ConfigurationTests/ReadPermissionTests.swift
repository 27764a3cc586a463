import Configuration
import Testing

/// What each role may read (issue 13 #4): configd filters every `get`,
/// `watch` and `diff` of a session by these rules, so no front end can
/// forget them.
@Suite struct ReadPermissionTests {
    @Test func onlyAnAdminReadsAccounts() {
        #expect(Role.admin.readableSections == Set(Section.allCases))
        #expect(Role.operator.readableSections == Set(Section.allCases).subtracting([.accounts]))
        #expect(Role.viewer.readableSections == [.system, .streams, .time, .network])
    }

    /// Asking for nothing in particular is asking for all one may read.
    @Test func askingForEverythingGivesTheRolesSections() throws {
        #expect(try Role.viewer.sectionsToRead(asked: nil) == [.system, .streams, .time, .network])
        #expect(try Role.operator.sectionsToRead(asked: nil).contains(.accounts) == false)
        #expect(try Role.admin.sectionsToRead(asked: [.accounts]) == [.accounts])
    }

    /// Naming a forbidden section is refused whole, with a message a person can act on.
    @Test func askingForAForbiddenSectionIsRefusedWhole() {
        #expect(throws: ReadRefusal(role: .viewer, forbidden: [.accounts])) { try Role.viewer.sectionsToRead(asked: [.streams, .accounts]) }
        #expect(throws: ReadRefusal(role: .operator, forbidden: [.accounts])) { try Role.operator.sectionsToRead(asked: [.accounts, .policy]) }
        #expect(throws: ReadRefusal(role: .viewer, forbidden: [.policy, .snmp])) { try Role.viewer.sectionsToRead(asked: [.snmp, .policy]) }
        let message = ReadRefusal(role: .viewer, forbidden: [.accounts]).description
        #expect(message == "not permitted: a viewer may not read accounts (it may read network, streams, system, time)")
    }

    /// The rendering a viewer or an operator gets has no account line and no
    /// secret; the admin's has the accounts but still no hash or key.
    @Test func theRenderedViewsCarryNoAccountsBelowAdminAndNoSecretsAtAll() {
        let config = Fixture.richConfig()
        for role in [Role.viewer, .operator] {
            let text = ConfigRenderer.render(config, sections: role.readableSections, secrets: .none)
            #expect(!text.split(separator: "\n").contains { $0.hasPrefix("account ") }, "\(role): \(text)")
            #expect(!text.contains("$scrypt$"))
            #expect(config.view(for: role).accounts.isEmpty)
        }
        let viewer = ConfigRenderer.render(config, sections: Role.viewer.readableSections, secrets: .none)
        #expect(viewer.contains("stream cam1") && viewer.contains("hostname enc-01"))
        #expect(!viewer.contains("snmp ") && !viewer.contains("logging ") && !viewer.contains("security "))
        let admin = ConfigRenderer.render(config, sections: Role.admin.readableSections, secrets: .none)
        #expect(admin.contains("account alice role operator") && !admin.contains("$scrypt$") && !admin.contains("auth-key"))
        #expect(config.view(for: .admin).accounts.allSatisfy { $0.passwordHash == nil && $0.passwordHistory.isEmpty })
        #expect(config.view(for: .operator).snmp.users.allSatisfy { $0.authKey.octets.isEmpty && $0.privKey.octets.isEmpty })
    }
}
