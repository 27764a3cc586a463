import Configuration

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
    /// `POST /api/v1/snmp/users`.
    public struct NewUser: Decodable, Sendable {
        public var name: String
        public var role: String
        public var authProtocol: String
        public var authKey: String
        public var privProtocol: String
        public var privKey: String

        public init(name: String, role: String, authProtocol: String, authKey: String, privProtocol: String, privKey: String) {
            self.name = name
            self.role = role
            self.authProtocol = authProtocol
            self.authKey = authKey
            self.privProtocol = privProtocol
            self.privKey = privKey
        }

        public static let shape = #"{"name": "...", "role": "viewer", "authProtocol": "sha-256", "authKey": "HEX", "privProtocol": "aes-128", "privKey": "HEX"}"#
    }

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

    public static func add(_ user: NewUser) throws(WebError) -> [String] {
        let name = try Self.name(user.name)
        guard let role = Role(rawValue: user.role) else { throw WebError(.badRequest, "role: expected admin, operator or viewer") }
        guard let auth = SNMPAuthProtocol(rawValue: user.authProtocol) else {
            throw WebError(.badRequest, "authProtocol: expected " + SNMPAuthProtocol.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let priv = SNMPPrivProtocol(rawValue: user.privProtocol) else {
            throw WebError(.badRequest, "privProtocol: expected " + SNMPPrivProtocol.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let authKey = try key(user.authKey, length: auth.keyLength, field: "authKey", for: auth.rawValue)
        let privKey = try key(user.privKey, length: priv.keyLength, field: "privKey", for: priv.rawValue)
        let line = "snmp user \(name) role \(role.rawValue) auth \(auth.rawValue) auth-key \(authKey) priv \(priv.rawValue) priv-key \(privKey)"
        return try ConfigLines.checked([("name", line)])
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
        ["no snmp user \(try Self.name(name))"]
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
