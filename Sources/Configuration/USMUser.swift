/// USM authentication protocols: HMAC-SHA-1-96 (RFC 3414 §6) and the
/// HMAC-SHA-2 family (RFC 7860). MD5 is not offered.
public enum SNMPAuthProtocol: String, Codable, Sendable, CaseIterable {
    case sha1 = "sha-1"
    case sha224 = "sha-224"
    case sha256 = "sha-256"
    case sha384 = "sha-384"
    case sha512 = "sha-512"

    /// The localized key length: the digest length of the hash (RFC 3414
    /// §2.6, RFC 7860 §4.2.2).
    public var keyLength: Int {
        switch self {
        case .sha1: 20
        case .sha224: 28
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }
}

/// USM privacy protocols: AES-128 CFB (RFC 3826) and AES-192/256 CFB with
/// key extension (draft-blumenthal-aes-usm-04, as net-snmp and most vendors).
/// DES is not offered.
public enum SNMPPrivProtocol: String, Codable, Sendable, CaseIterable {
    case aes128 = "aes-128"
    case aes192 = "aes-192"
    case aes256 = "aes-256"

    /// The AES key length in octets; the stored localized key is exactly this
    /// long (RFC 3826 §3.1.2.1 takes the first 16 octets of the localized key).
    public var keyLength: Int {
        switch self {
        case .aes128: 16
        case .aes192: 24
        case .aes256: 32
        }
    }
}

/// A localized USM key (RFC 3414 §2.6): already bound to this engine, so a
/// leaked key does not reveal the password or open other agents. Prints as
/// `<redacted>` so it cannot end up in a log by accident.
public struct LocalizedKey: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The key octets.
    public var octets: [UInt8]

    public init(octets: [UInt8]) { self.octets = octets }

    /// `0x` and hex: the form used in the configuration text.
    public var hex: String { "0x" + Hex.encode(octets) }

    public var description: String { "<redacted>" }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        if text.isEmpty {
            octets = []
            return
        }
        guard let octets = Hex.decode(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "key must be hex"))
        }
        self.octets = octets
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(octets.isEmpty ? "" : hex)
    }
}

/// An SNMPv3 USM user, always authPriv.
public struct USMUser: Codable, Equatable, Sendable {
    /// The user name (`ConfigName.rule`).
    public var name: String
    /// What the user may read (viewer: everything but configuration secrets).
    public var role: Role
    /// The authentication protocol.
    public var authProtocol: SNMPAuthProtocol
    /// The localized authentication key (`authProtocol.keyLength` octets).
    public var authKey: LocalizedKey
    /// The privacy protocol.
    public var privProtocol: SNMPPrivProtocol
    /// The localized privacy key (`privProtocol.keyLength` octets).
    public var privKey: LocalizedKey

    public init(name: String, role: Role, authProtocol: SNMPAuthProtocol, authKey: LocalizedKey,
                privProtocol: SNMPPrivProtocol, privKey: LocalizedKey) {
        self.name = name
        self.role = role
        self.authProtocol = authProtocol
        self.authKey = authKey
        self.privProtocol = privProtocol
        self.privKey = privKey
    }
}
