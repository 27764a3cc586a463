import Configuration
import Crypto

/// The hash behind each USM authentication protocol, and the
/// msgAuthenticationParameters length each truncates its HMAC to.
/// SHA-224 is `SHA224Hash`, since swift-crypto lacks it.
extension SNMPAuthProtocol {
    /// Octets of the truncated HMAC carried in msgAuthenticationParameters:
    /// HMAC-SHA-1-96 (RFC 3414 §7.1), and RFC 7860 §4.2: usmHMAC128SHA224 16,
    /// usmHMAC192SHA256 24, usmHMAC256SHA384 32, usmHMAC384SHA512 48.
    public var authenticationParametersLength: Int {
        switch self {
        case .sha1: 12
        case .sha224: 16
        case .sha256: 24
        case .sha384: 32
        case .sha512: 48
        }
    }

    /// The protocol's OID in SNMP-USER-BASED-SM-MIB / SNMP-USM-HMAC-SHA2-MIB
    /// (RFC 3414 §6, RFC 7860 §4.3), as net-snmp writes in `usmUser` lines.
    public var oid: OID {
        switch self {
        case .sha1: OID(trusted: [1, 3, 6, 1, 6, 3, 10, 1, 1, 3])
        case .sha224: OID(trusted: [1, 3, 6, 1, 6, 3, 10, 1, 1, 4])
        case .sha256: OID(trusted: [1, 3, 6, 1, 6, 3, 10, 1, 1, 5])
        case .sha384: OID(trusted: [1, 3, 6, 1, 6, 3, 10, 1, 1, 6])
        case .sha512: OID(trusted: [1, 3, 6, 1, 6, 3, 10, 1, 1, 7])
        }
    }

    /// H(data) with this protocol's hash.
    func hash(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha1: Array(Insecure.SHA1.hash(data: data))
        case .sha224: SHA224Hash.hash(data)
        case .sha256: Array(SHA256.hash(data: data))
        case .sha384: Array(SHA384.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        }
    }

    /// The full (untruncated) HMAC of `message` under `key`.
    func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let symmetric = SymmetricKey(data: key)
        switch self {
        case .sha1: return Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: symmetric))
        case .sha224: return SHA224Hash.hmac(key: key, message: message)
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: message, using: symmetric))
        case .sha384: return Array(HMAC<SHA384>.authenticationCode(for: message, using: symmetric))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: message, using: symmetric))
        }
    }
}
