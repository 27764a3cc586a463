import Testing
@testable import CLIShell

/// `snmp user NAME role ROLE auth AUTH priv PRIV` (pass phrases asked for)
/// beside the configuration form with localized keys, which stays as typed.
@Suite struct SNMPUserGrammarTests {
    let grammar = CommandTree.grammar

    @Test func theProtocolsInOrderAskForPassphrases() throws {
        let parsed = try grammar.parse("snmp user nms role viewer auth sha-256 priv aes-128")
        #expect(parsed.command.name == "snmp user")
        #expect(parsed.arguments["NAME"] == "nms")
        #expect(parsed.keywords == ["snmp", "user", "role", "viewer", "auth", "sha-256", "priv", "aes-128"])
        // Keywords abbreviate as everywhere; the full words reach the handler.
        let short = try grammar.parse("snmp us nms ro op au sha-5 pr aes-2")
        #expect(short.command.name == "snmp user")
        #expect(short.keywords == ["snmp", "user", "role", "operator", "auth", "sha-512", "priv", "aes-256"])
    }

    @Test func theConfigurationFormWithKeysStaysAConfigurationLine() throws {
        for line in ["snmp user nms role viewer auth sha-256 auth-key 0x00 priv aes-128 priv-key 0x00",
                     "snmp user nms auth sha-1 auth-key 0x00 priv aes-128 priv-key 0x00 role admin",
                     "snmp user nms role viewer auth sha-1 priv aes-128 auth-key 0x00 priv-key 0x00",
                     "snmp engine-id 0x8000000001020304",
                     "snmp trap-receiver 192.0.2.1 user nms"] {
            #expect(try grammar.parse(line).command.name == "configuration", "\(line)")
        }
    }

    @Test func aMissingOrUnknownProtocolIsRefusedWhereItIs() {
        #expect(throws: CommandError.self) { try grammar.parse("snmp user nms role viewer auth sha-256") }
        do {
            _ = try grammar.parse("snmp user nms role viewer auth sha-256 priv des")
            Issue.record("des parsed")
        } catch {
            #expect(error.column == 44)
            #expect(error.message.contains("aes-128"))
        }
        do {
            _ = try grammar.parse("snmp user nms role viewer auth sha-2 priv aes-128")
            Issue.record("sha-2 parsed")
        } catch {
            #expect(error.message.contains("ambiguous"))
        }
    }

    @Test func completionOffersRolesAndProtocols() {
        let none: (ArgumentKind) -> [String] = { _ in [] }
        let roles = grammar.completions(for: "snmp user nms role ", values: none).candidates.compactMap(\.insert)
        #expect(roles == ["admin", "operator", "viewer"])
        let auths = grammar.completions(for: "snmp user nms role viewer auth sha-", values: none).candidates.compactMap(\.insert)
        #expect(auths == ["sha-1", "sha-224", "sha-256", "sha-384", "sha-512"])
        let privs = grammar.completions(for: "snmp user nms role viewer auth sha-1 priv ", values: none).candidates.compactMap(\.insert)
        #expect(privs == ["aes-128", "aes-192", "aes-256"])
        let end = grammar.completions(for: "snmp user nms role viewer auth sha-1 priv aes-128 ", values: none).candidates.map(\.label)
        #expect(end.contains("<cr>"))
        let user = grammar.completions(for: "snmp u", values: none).candidates.compactMap(\.insert)
        #expect(user == ["user"])
    }
}
