import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Testing

/// Reads through webd follow the role table (issue 13 #4), as the review
/// reproduced it: a viewer's session asks for `/api/v1/accounts` and
/// `/api/v1/config/running`. configd filters by the session's role, webd
/// answers 403 for a section the role may not read.
@Suite(.serialized) struct WebdReadPermissionSystemTests {
    static let people = [("vera", "viewer", "Blue-Lantern-42"), ("otto", "operator", "Green-Harbour-17")]

    static func addPeople(_ harness: ProcmonHarness) async throws {
        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(30))
        _ = try await configd.call(ConfigdMethod.Apply.self, .init(commands: people.map { "account \($0.0) role \($0.1)" }))
        for (name, _, password) in people {
            _ = try await configd.call(ConfigdMethod.SetPassword.self, .init(account: name, newPassword: password))
        }
    }

    /// GET with the session's cookie: the status and the body.
    static func get(_ jar: String, _ path: String) throws -> (status: String, body: String) {
        let result = try WebdSystemTests.curl(["-k", "-b", jar, "-w", "\n%{http_code}", WebdSystemTests.url(path)])
        let lines = result.output.components(separatedBy: "\n")
        return (lines.last ?? "", lines.dropLast().joined(separator: "\n"))
    }

    @Test func viewersAndOperatorsAreRefusedTheAccountsAndReadNoAccountLines() async throws {
        let harness = try WebdSystemTests.start()
        defer { harness.stop() }
        try await Self.addPeople(harness)
        for (name, role, password) in Self.people {
            let session = try WebdSystemTests.signIn(harness, account: name, password: password)
            let accounts = try Self.get(session.jar, "/api/v1/accounts")
            #expect(accounts.status == "403", "\(role) GET /api/v1/accounts: \(accounts.status) \(accounts.body)")
            #expect(accounts.body.contains("not permitted") && !accounts.body.contains("admin"), "\(accounts.body)")
            let running = try Self.get(session.jar, "/api/v1/config/running")
            #expect(running.status == "200")
            #expect(!running.body.split(separator: "\n").contains { $0.hasPrefix("account ") } && !running.body.contains("$scrypt$"), "\(role) read:\n\(running.body)")
            let page = try Self.get(session.jar, "/accounts")
            #expect(page.status == "403" && page.body.contains("not permitted"), "\(role) GET /accounts: \(page.status)")
            #expect(!page.body.contains("account-list"))
        }
        // A viewer also may not read the policy or the SNMP section; an operator may.
        let vera = try WebdSystemTests.signIn(harness, account: "vera", password: "Blue-Lantern-42")
        for (path, expected) in [("/api/v1/policy", "403"), ("/api/v1/snmp", "403"), ("/api/v1/system", "200"), ("/api/v1/streams", "200")] {
            let answer = try Self.get(vera.jar, path)
            #expect(answer.status == expected, "viewer GET \(path): \(answer.status) \(answer.body)")
        }
        let otto = try WebdSystemTests.signIn(harness, account: "otto", password: "Green-Harbour-17")
        let policy = try Self.get(otto.jar, "/api/v1/policy")
        #expect(policy.status == "200", "operator GET /api/v1/policy: \(policy.body)")
        // The admin still reads the accounts, and no hash.
        let admin = try WebdSystemTests.signIn(harness)
        let list = try Self.get(admin.jar, "/api/v1/accounts")
        #expect(list.status == "200" && list.body.contains("\"vera\"") && !list.body.contains("$scrypt$"))
        let running = try Self.get(admin.jar, "/api/v1/config/running")
        #expect(running.body.contains("account vera role viewer") && !running.body.contains("$scrypt$"))
    }
}
