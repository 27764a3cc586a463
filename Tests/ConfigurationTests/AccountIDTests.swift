import ApplianceProtocol
@testable import ConfigDaemon
import Testing
@testable import Configuration

/// Account ids: what API tokens are bound to, so that a name made again is
/// a new account to them.
@Suite("Account ids")
struct AccountIDTests {
    @Test("an account's id is written on its own line and read back")
    func anIdRoundTrips() throws {
        var config = ApplianceConfig()
        config.accounts = [Account(name: "admin", role: .admin, passwordHash: Fixture.hash("Admin-Pass-123"), id: "0123456789abcdef")]
        let text = ConfigRenderer.render(config)
        #expect(text.contains("account admin id 0123456789abcdef\n"))
        #expect(try ConfigParser.parse(text) == config)
        #expect(try ConfigParser.parse("account bob role viewer").accounts.first?.id == nil, "an account written without an id (an older file) reads")
    }

    @Test("an id that is not 16 lowercase hex digits is refused", arguments: ["0123456789ABCDEF", "0123456789abcde", "0123456789abcdef0", "0123456789abcdeg"])
    func malformedIdsAreRefused(_ id: String) {
        #expect(throws: ConfigSyntaxError.self) { try ConfigParser.parse("account bob role viewer id \(id)") }
    }

    @Test("two accounts may not share an id")
    func idsAreUnique() {
        var config = ApplianceConfig()
        config.accounts = [Account(name: "admin", role: .admin, passwordHash: Fixture.hash("Admin-Pass-123"), id: "0123456789abcdef"),
                           Account(name: "bob", id: "0123456789abcdef")]
        #expect(ConfigValidator().problems(in: config).contains { $0.description.contains("has the id 0123456789abcdef of another account") })
    }

    @Test("configd gives an id to each account without one, unique and not among those avoided, and keeps the others")
    func idsAreGivenToNewAccountsOnly() {
        var config = ApplianceConfig()
        config.accounts = [Account(name: "admin", role: .admin, id: "0123456789abcdef"), Account(name: "bob"), Account(name: "carol")]
        let (given, changed) = ConfigService.givingAccountIDs(config, avoiding: ["fedcba9876543210"])
        #expect(changed)
        #expect(given.accounts[0].id == "0123456789abcdef")
        let ids = given.accounts.compactMap(\.id)
        #expect(ids.count == 3 && Set(ids).count == 3 && !ids.contains("fedcba9876543210") && ids.allSatisfy(Account.isValidID))
        #expect(!ConfigService.givingAccountIDs(given).given)
    }
}
