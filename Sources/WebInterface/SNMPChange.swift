import Configuration
import SNMP

/// SNMP users and trap receivers as the API and `/snmp` show them: a
/// user's keys are never part of a view.
public struct SNMPView: Codable, Sendable, Equatable {
    public struct User: Codable, Sendable, Equatable {
        public var name: String
        public var role: String
        public var authProtocol: String
        public var privProtocol: String
    }
    public struct Trap: Codable, Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var kind: String
    }
    public var users: [User]
    public var traps: [Trap]

    public init(_ snmp: SNMPSettings) {
        users = snmp.users.map { User(name: $0.name, role: $0.role.rawValue, authProtocol: $0.authProtocol.rawValue, privProtocol: $0.privProtocol.rawValue) }
        traps = snmp.trapReceivers.map { Trap(host: $0.host.description, port: Int($0.port), user: $0.user, kind: $0.kind.rawValue) }
    }
}

/// SNMP changes as `snmp ...` lines. The localized keys are secrets: they
/// go into the line for configd and nowhere else (`ConfigRedaction` takes
/// them out of a message that quotes the line).
public enum SNMPChange {
    /// `POST /api/v1/snmp/users`: the localized keys, or the two pass
    /// phrases webd localizes to snmpd's engine ID (as `snmp user` in the
    /// CLI does). Pass phrases are used once and kept nowhere; neither they
    /// nor keys are ever part of a message.
    public struct NewUser: Decodable, Sendable, CustomStringConvertible, CustomReflectable {
        public var name: String
        public var role: String
        public var authProtocol: String
        public var authKey: String?
        public var privProtocol: String
        public var privKey: String?
        public var authPassphrase: String?
        public var privPassphrase: String?

        public init(name: String, role: String, authProtocol: String, authKey: String? = nil, privProtocol: String, privKey: String? = nil,
                    authPassphrase: String? = nil, privPassphrase: String? = nil) {
            self.name = name
            self.role = role
            self.authProtocol = authProtocol
            self.authKey = authKey
            self.privProtocol = privProtocol
            self.privKey = privKey
            self.authPassphrase = authPassphrase
            self.privPassphrase = privPassphrase
        }

        /// Whether the keys are to be derived from pass phrases (else they are given).
        public var derivesKeys: Bool { authPassphrase != nil || privPassphrase != nil }

        public var description: String { "SNMP user \(name) (\(role), \(authProtocol)/\(privProtocol))" }
        /// Without its keys or pass phrases, also in `dump`.
        public var customMirror: Mirror { Mirror(self, children: ["name": name, "role": role, "authProtocol": authProtocol, "privProtocol": privProtocol]) }

        public static let shape = #"{"name": "...", "role": "viewer", "authProtocol": "sha-256", "authKey": "HEX", "privProtocol": "aes-128", "privKey": "HEX"} or, instead of the keys, "authPassphrase": "...", "privPassphrase": "...""#
    }

    /// The longest pass phrase taken (octets), as the CLI's secret prompt.
    public static let maximumPassphraseLength = 1024

    /// `POST /api/v1/snmp/traps`.
    public struct NewTrap: Decodable, Sendable {
        public var host: String
        public var port: Int?
        public var user: String
        public var kind: String?

        public init(host: String, port: Int? = nil, user: String, kind: String? = nil) {
            self.host = host
            self.port = port
            self.user = user
            self.kind = kind
        }

        public static let shape = #"{"host": "...", "port": 162, "user": "...", "kind": "trap|inform"}"#
    }

    public static func name(_ name: String, field: String = "name") throws(WebError) -> String {
        guard ConfigName.isValid(name) else { throw WebError(.badRequest, "\(field): expected \(ConfigName.rule)") }
        return name
    }

    /// A new user whose every field is checked; only the keys may still
    /// need snmpd's engine ID (when they come from pass phrases).
    public struct CheckedUser: Sendable, CustomStringConvertible, CustomReflectable {
        enum Credentials: Sendable {
            case keys(auth: String, priv: String)
            case passphrases(auth: String, priv: String)
        }
        let name: String
        let role: Role
        let auth: SNMPAuthProtocol
        let priv: SNMPPrivProtocol
        let credentials: Credentials

        /// Whether `lines(engineID:)` needs snmpd's engine ID.
        public var needsEngineID: Bool {
            if case .passphrases = credentials { return true }
            return false
        }

        public var description: String { "SNMP user \(name) (\(role.rawValue), \(auth.rawValue)/\(priv.rawValue))" }
        /// Without its keys or pass phrases, also in `dump`.
        public var customMirror: Mirror { Mirror(self, children: ["name": name, "role": role, "auth": auth, "priv": priv]) }

        /// The `snmp user` line, the keys localized to `engineID` when they
        /// come from pass phrases (RFC 3414 A.2, as the CLI's `snmp user`).
        public func lines(engineID: [UInt8]?) throws(WebError) -> [String] {
            let line: String
            switch credentials {
            case .keys(let authKey, let privKey):
                line = "snmp user \(name) role \(role.rawValue) auth \(auth.rawValue) auth-key \(authKey) priv \(priv.rawValue) priv-key \(privKey)"
            case .passphrases(let authPassphrase, let privPassphrase):
                guard let engineID, !engineID.isEmpty else {
                    throw WebError(.serviceUnavailable, "snmpd's engine ID is not known: the keys cannot be localized")
                }
                do {
                    line = ConfigRenderer.line(try USMKeyDerivation.user(name: name, role: role, authentication: auth, authPassphrase: Array(authPassphrase.utf8),
                                                                         privacy: priv, privPassphrase: Array(privPassphrase.utf8), engineID: engineID))
                } catch {
                    throw WebError(.badRequest, "\(error)")
                }
            }
            return try ConfigLines.checked([("name", line)])
        }
    }

    /// Every field of `user` checked: name, role, protocols, and either both
    /// keys or both pass phrases.
    public static func check(_ user: NewUser) throws(WebError) -> CheckedUser {
        let name = try Self.name(user.name)
        guard let role = Role(rawValue: user.role) else { throw WebError(.badRequest, "role: expected admin, operator or viewer") }
        guard let auth = SNMPAuthProtocol(rawValue: user.authProtocol) else {
            throw WebError(.badRequest, "authProtocol: expected " + SNMPAuthProtocol.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let priv = SNMPPrivProtocol(rawValue: user.privProtocol) else {
            throw WebError(.badRequest, "privProtocol: expected " + SNMPPrivProtocol.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let credentials: CheckedUser.Credentials
        switch (user.authKey, user.privKey, user.authPassphrase, user.privPassphrase) {
        case (let authKey?, let privKey?, nil, nil):
            credentials = .keys(auth: try key(authKey, length: auth.keyLength, field: "authKey", for: auth.rawValue),
                                priv: try key(privKey, length: priv.keyLength, field: "privKey", for: priv.rawValue))
        case (nil, nil, let authPassphrase?, let privPassphrase?):
            try checkPassphrase(authPassphrase, field: "authPassphrase")
            try checkPassphrase(privPassphrase, field: "privPassphrase")
            credentials = .passphrases(auth: authPassphrase, priv: privPassphrase)
        default:
            throw WebError(.badRequest, "give authKey and privKey (localized keys, hex), or authPassphrase and privPassphrase; not both, not one of each")
        }
        return CheckedUser(name: name, role: role, auth: auth, priv: priv, credentials: credentials)
    }

    /// The `snmp user` line for `user`; with pass phrases, the keys are
    /// localized to `engineID` (snmpd's).
    public static func add(_ user: NewUser, engineID: [UInt8]? = nil) throws(WebError) -> [String] {
        try check(user).lines(engineID: engineID)
    }

    /// At least 8 octets (RFC 3414 §11.2, as net-snmp), at most
    /// `maximumPassphraseLength`; the message never quotes it.
    static func checkPassphrase(_ text: String, field: String) throws(WebError) {
        let length = text.utf8.count
        guard length >= USMKeyDerivation.minimumPasswordLength else {
            throw WebError(.badRequest, "\(field): the pass phrase must have at least \(USMKeyDerivation.minimumPasswordLength) octets (RFC 3414 §11.2)")
        }
        guard length <= maximumPassphraseLength else {
            throw WebError(.badRequest, "\(field): the pass phrase must have at most \(maximumPassphraseLength) octets")
        }
    }

    /// Hex digits only (an optional `0x`), of the protocol's key length.
    static func key(_ text: String, length: Int, field: String, for protocolName: String) throws(WebError) -> String {
        let digits = text.lowercased().hasPrefix("0x") ? String(text.dropFirst(2)) : text
        guard let octets = Hex.decode(digits), octets.count == length, digits.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }) else {
            throw WebError(.badRequest, "\(field): expected a \(length)-octet localized key for \(protocolName) (\(length * 2) hex digits)")
        }
        return digits
    }

    public static func removeUser(_ name: String) throws(WebError) -> [String] {
        [ConfigLine.noSNMPUser(try Self.name(name))]
    }

    public static func add(_ trap: NewTrap) throws(WebError) -> [String] {
        let host = try ConfigLines.text(trap.host, field: "host", limit: 253)
        let user = try Self.name(trap.user, field: "user")
        var words = ["snmp trap-receiver", host]
        if let port = trap.port {
            guard (1...65535).contains(port) else { throw WebError(.badRequest, "port: expected 1-65535") }
            words += ["port", String(port)]
        }
        words += ["user", user]
        if let kind = trap.kind {
            guard kind == "trap" || kind == "inform" else { throw WebError(.badRequest, "kind: expected trap or inform") }
            words.append(kind)
        }
        return try ConfigLines.checked([("host", words.joined(separator: " "))])
    }

    public static func removeTrap(host: String, port: Int?) throws(WebError) -> [String] {
        let word = try ConfigLines.text(host, field: "host", limit: 253)
        var check = "snmp trap-receiver \(word) user x"
        var line = "no snmp trap-receiver \(word)"
        if let port {
            guard (1...65535).contains(port) else { throw WebError(.badRequest, "port: expected 1-65535") }
            check += " port \(port)"
            line += " port \(port)"
        }
        _ = try ConfigLines.checked([("host", check)])
        return [line]
    }
}
