import ApplianceProtocol
import ApplianceCore
import Configuration
import Glibc
import SNMP

/// `snmp user NAME role ROLE auth AUTH priv PRIV`: an SNMPv3 user from two
/// pass phrases, as net-snmp's `net-snmp-create-v3-user` makes one. The pass
/// phrases are asked for (never on the line, so never in the history or the
/// audit trail), the keys localized to snmpd's engine ID (RFC 3414 A.2), and
/// the one `snmp user ... auth-key ... priv-key ...` line applied through
/// configd, which alone decides whether the caller may (an admin).
extension CommandTree {
    /// The `user` branch of `snmp`. The words in this order (`role`, `auth`,
    /// `priv`) ask for the pass phrases; any other order, or `auth-key` /
    /// `priv-key`, is the configuration form with localized keys, applied as typed.
    static var snmpUser: GrammarNode {
        func form(_ help: String) -> GrammarNode { .argument("SETTINGS", .rest, help, command: .configLine) }
        let privs = SNMPPrivProtocol.allCases.map { priv in
            GrammarNode.keyword(priv.rawValue, "AES-\(priv.keyLength * 8) CFB; then asks for the two pass phrases", command: .snmpUser, [
                form("auth-key HEX priv-key HEX (the configuration form, localized keys)"),
            ])
        }
        let auths = SNMPAuthProtocol.allCases.map { auth in
            GrammarNode.keyword(auth.rawValue, "HMAC-\(auth.rawValue.uppercased())", [
                .keyword("priv", "the privacy protocol", privs),
                form("auth-key HEX priv PRIV priv-key HEX (the configuration form, localized keys)"),
            ])
        }
        let roles = Role.allCases.map { role in
            GrammarNode.keyword(role.rawValue, "what the user may read and set, as an account of this role", [
                .keyword("auth", "the authentication protocol", auths),
                form("auth AUTH auth-key HEX priv PRIV priv-key HEX (the configuration form)"),
            ])
        }
        return .keyword("user", "an SNMPv3 user: asks for its pass phrases and derives its keys", [
            .argument("NAME", .word, "the user's name (\(ConfigName.rule))", [
                .keyword("role", "its role", roles),
                form("role ROLE auth AUTH auth-key HEX priv PRIV priv-key HEX (the configuration form)"),
            ]),
        ])
    }
}

extension CommandRunner {
    func snmpUser(_ parsed: ParsedCommand, line: String) throws(CommandError) {
        let name = parsed.arguments["NAME"] ?? ""
        guard ConfigName.isValid(name) else {
            let column = (try? CommandWords.split(line).words).flatMap { $0.count > 2 ? $0[2].start : nil } ?? -1
            throw CommandError(column: column, "expected an SNMP user name (\(ConfigName.rule))")
        }
        func after(_ keyword: String) -> String? {
            guard let index = parsed.keywords.lastIndex(of: keyword), index + 1 < parsed.keywords.count else { return nil }
            return parsed.keywords[index + 1]
        }
        guard let role = after("role").flatMap(Role.init(rawValue:)), let auth = after("auth").flatMap(SNMPAuthProtocol.init(rawValue:)),
              let priv = after("priv").flatMap(SNMPPrivProtocol.init(rawValue:)) else {
            throw CommandError(column: -1, "expected snmp user NAME role ROLE auth AUTH priv PRIV")
        }
        let engine = try snmpEngineID()
        // On a terminal each is typed twice, as passwd asks; from a pipe, one line each.
        let twice = isatty(0) != 0
        let authPassphrase = try passphrase("authentication", twice: twice)
        let privPassphrase = try passphrase("privacy", twice: twice)
        let user: USMUser
        do {
            user = try USMKeyDerivation.user(name: name, role: role, authentication: auth, authPassphrase: Array(authPassphrase.utf8),
                                             privacy: priv, privPassphrase: Array(privPassphrase.utf8), engineID: engine.octets)
        } catch {
            throw CommandError(column: -1, "\(error); nothing changed")
        }
        // The line holds the keys: it goes to configd and nowhere else (the
        // audit trail has the line typed, configd's diff has no keys).
        try apply([ConfigRenderer.line(user)], from: line)
        write("SNMP user \(name) (\(role.rawValue), \(auth.rawValue)/\(priv.rawValue)): keys localized to engine ID \(engine.description) (\(engine.source)).\n")
    }

    /// The engine ID the keys are localized to: the configured `snmp
    /// engine-id` (what snmpd runs with once it has followed the
    /// configuration), else the one snmpd generated, from its `status`.
    func snmpEngineID() throws(CommandError) -> (octets: [UInt8], source: String, description: String) {
        let snapshot = try call("configd", ConfigdMethod.Get.self, .init(sections: [.snmp], session: identity.session))
        if let configured = snapshot.config.snmp.engineID {
            return (configured.octets, "snmp engine-id", configured.description)
        }
        let status: SnmpdMethod.StatusResult
        do {
            status = try call("snmpd", SnmpdMethod.Status.self, NoValue())
        } catch {
            throw CommandError(column: -1, error.message + "; the keys are localized to its engine ID (or a configured snmp engine-id), so nothing changed")
        }
        guard let octets = Hex.decode(status.engineID), !octets.isEmpty else {
            throw CommandError(column: -1, "snmpd reported no usable engine ID (\"\(status.engineID)\")")
        }
        return (octets, "generated by snmpd", SNMPEngineID(octets: octets).description)
    }

    func passphrase(_ kind: String, twice: Bool) throws(CommandError) -> String {
        guard let typed = readSecret("SNMP \(kind) pass phrase: ") else { throw CommandError(column: -1, "cancelled; nothing changed") }
        guard typed.utf8.count >= USMKeyDerivation.minimumPasswordLength else {
            throw CommandError(column: -1, "the \(kind) pass phrase must have at least \(USMKeyDerivation.minimumPasswordLength) octets (RFC 3414 §11.2); nothing changed")
        }
        if twice {
            guard let again = readSecret("SNMP \(kind) pass phrase again: ") else { throw CommandError(column: -1, "cancelled; nothing changed") }
            guard again == typed else { throw CommandError(column: -1, "the two \(kind) pass phrases differ; nothing changed") }
        }
        return typed
    }
}
