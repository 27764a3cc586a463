import Configuration
/// What the USM needs to know about one user (RFC 3414 §2.1 usmUserTable
/// row, reduced to authPriv users as the appliance has). Built by the daemon
/// from Configuration's `USMUser`; it holds keys, so it never prints them.
public struct USMCredentials: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// usmUserName / msgUserName.
    public let userName: [UInt8]
    /// usmUserAuthProtocol.
    public let authProtocol: SNMPAuthProtocol
    /// The localized authentication key.
    public let authKey: LocalizedKey
    /// usmUserPrivProtocol.
    public let privProtocol: SNMPPrivProtocol
    /// The localized privacy key, at least `privProtocol.keyLength` octets.
    public let privKey: LocalizedKey
    /// The authentication key made ready for HMAC (derived from `authKey`).
    let preparedAuthKey: PreparedHMAC

    // Identity is the user and keys; the prepared key follows from them.
    public static func == (lhs: USMCredentials, rhs: USMCredentials) -> Bool {
        lhs.userName == rhs.userName && lhs.authProtocol == rhs.authProtocol && lhs.authKey == rhs.authKey
            && lhs.privProtocol == rhs.privProtocol && lhs.privKey == rhs.privKey
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(userName)
        hasher.combine(authProtocol)
        hasher.combine(authKey)
        hasher.combine(privProtocol)
        hasher.combine(privKey)
    }

    /// Why a user's keys cannot be used.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case userNameLength(Int)
        case authKeyLength(expected: Int, found: Int)
        case privKeyLength(minimum: Int, found: Int)

        public var description: String {
            switch self {
            case .userNameLength(let count): "a USM user name has 1-32 octets, not \(count) (RFC 3414 §2.4)"
            case .authKeyLength(let expected, let found): "the authentication key must have \(expected) octets, not \(found)"
            case .privKeyLength(let minimum, let found): "the privacy key must have at least \(minimum) octets, not \(found)"
            }
        }
    }

    /// Checks key lengths so that per-packet code never meets a short key.
    public init(userName: [UInt8], authProtocol: SNMPAuthProtocol, authKey: LocalizedKey,
                privProtocol: SNMPPrivProtocol, privKey: LocalizedKey) throws(Problem) {
        guard (1...USMSecurityParameters.maximumUserNameLength).contains(userName.count) else {
            throw .userNameLength(userName.count)
        }
        guard authKey.octets.count == authProtocol.keyLength else {
            throw .authKeyLength(expected: authProtocol.keyLength, found: authKey.octets.count)
        }
        guard privKey.octets.count >= privProtocol.keyLength else {
            throw .privKeyLength(minimum: privProtocol.keyLength, found: privKey.octets.count)
        }
        self.userName = userName
        self.authProtocol = authProtocol
        self.authKey = authKey
        self.privProtocol = privProtocol
        self.privKey = privKey
        preparedAuthKey = PreparedHMAC(key: authKey.octets, protocol: authProtocol)
    }

    public var description: String {
        "USMCredentials(user: \(String(decoding: userName, as: UTF8.self)), auth: \(authProtocol.rawValue), priv: \(privProtocol.rawValue), keys: <redacted>)"
    }

    public var debugDescription: String { description }

    /// `dump()` and debuggers show no key octets either.
    public var customMirror: Mirror {
        Mirror(self, children: ["userName": String(decoding: userName, as: UTF8.self),
                                "authProtocol": authProtocol, "privProtocol": privProtocol, "keys": "<redacted>"])
    }
}
