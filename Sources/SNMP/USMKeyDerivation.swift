import Configuration
/// USM key derivation: password to key (RFC 3414 §2.6, A.2), localization
/// (RFC 3414 §2.6), and the key extension AES-192/256 need.
///
/// The appliance stores only localized keys (configd derives them), so these
/// run at configuration time and in tests, never per packet.
public enum USMKeyDerivation {
    /// The shortest pass phrase accepted: RFC 3414 §11.2 recommends at least
    /// 8 characters, and net-snmp refuses shorter ones (USM_LENGTH_P_MIN).
    public static let minimumPasswordLength = 8

    /// 1 MiB: how much repeated password is hashed (RFC 3414 A.2.1 step 1).
    static let expansionLength = 1_048_576

    /// Why a key could not be derived.
    public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
        case passwordTooShort(minimum: Int)
        public var description: String {
            switch self {
            case .passwordTooShort(let minimum): "the pass phrase must have at least \(minimum) octets (RFC 3414 §11.2)"
            }
        }
    }

    /// Ku = H(the password repeated to fill 1 MiB) (RFC 3414 A.2.1/A.2.2;
    /// RFC 7860 §4.2.2 uses the same algorithm with SHA-2).
    public static func passwordToKey(_ password: [UInt8], using hash: SNMPAuthProtocol) throws(Failure) -> [UInt8] {
        guard password.count >= minimumPasswordLength else { throw .passwordTooShort(minimum: minimumPasswordLength) }
        var expanded: [UInt8] = []
        expanded.reserveCapacity(expansionLength + password.count)
        while expanded.count < expansionLength { expanded.append(contentsOf: password) }
        expanded.removeLast(expanded.count - expansionLength)
        return hash.hash(expanded)
    }

    /// Kul = H(Ku || snmpEngineID || Ku) (RFC 3414 §2.6, A.2.1 step 2).
    public static func localize(_ key: [UInt8], engineID: [UInt8], using hash: SNMPAuthProtocol) -> [UInt8] {
        hash.hash(key + engineID + key)
    }

    /// The localized authentication key for `password` at `engineID`.
    public static func authenticationKey(password: [UInt8], engineID: [UInt8],
                                         protocol auth: SNMPAuthProtocol) throws(Failure) -> LocalizedKey {
        LocalizedKey(octets: localize(try passwordToKey(password, using: auth), engineID: engineID, using: auth))
    }

    /// The localized privacy key: derived with the *authentication*
    /// protocol's hash (RFC 3826 §1.2, RFC 3414 §2.6), then cut or extended
    /// to the AES key length.
    ///
    /// Extension (AES-192/256 when the hash is shorter than the key) follows
    /// draft-blumenthal-aes-usm-04 §3.1.2.1, net-snmp's `AES-192`/`AES-256`
    /// (usmAesCfb192/256Protocol, 1.3.6.1.4.1.14832.1.3/.4): Kul' = Kul || H(Kul),
    /// then cut to the key length. Checked against the keys net-snmp 5.9.3
    /// stores for `createUser … AES-192/AES-256` (see the tests). One round
    /// always suffices here (every hash has ≥ 20 octets, keys ≤ 32), so how
    /// later rounds would chain never matters. The other scheme
    /// (Reeder, Cisco's, net-snmp's `AES-192-C`/`AES-256-C`) is not offered.
    public static func privacyKey(password: [UInt8], engineID: [UInt8], authentication auth: SNMPAuthProtocol,
                                  privacy priv: SNMPPrivProtocol) throws(Failure) -> LocalizedKey {
        let localized = localize(try passwordToKey(password, using: auth), engineID: engineID, using: auth)
        return LocalizedKey(octets: extend(localized, to: priv.keyLength, using: auth))
    }

    /// Why `user(...)` could not derive a user's keys: which pass phrase.
    public enum UserFailure: Error, Hashable, Sendable, CustomStringConvertible {
        case authentication(Failure)
        case privacy(Failure)
        public var description: String {
            switch self {
            case .authentication(let failure): "authentication: \(failure)"
            case .privacy(let failure): "privacy: \(failure)"
            }
        }
    }

    /// An SNMPv3 user from its two pass phrases, as net-snmp's
    /// `net-snmp-create-v3-user` makes one: both keys localized to `engineID`,
    /// the privacy key with the authentication protocol's hash and extended
    /// for AES-192/256. The pass phrases are used here and kept nowhere.
    public static func user(name: String, role: Role, authentication auth: SNMPAuthProtocol, authPassphrase: [UInt8],
                            privacy priv: SNMPPrivProtocol, privPassphrase: [UInt8], engineID: [UInt8]) throws(UserFailure) -> USMUser {
        let authKey: LocalizedKey
        let privKey: LocalizedKey
        do { authKey = try authenticationKey(password: authPassphrase, engineID: engineID, protocol: auth) } catch { throw .authentication(error) }
        do { privKey = try privacyKey(password: privPassphrase, engineID: engineID, authentication: auth, privacy: priv) } catch { throw .privacy(error) }
        return USMUser(name: name, role: role, authProtocol: auth, authKey: authKey, privProtocol: priv, privKey: privKey)
    }

    /// Blumenthal extension (see `privacyKey`), or truncation when `key` is
    /// already long enough.
    public static func extend(_ key: [UInt8], to length: Int, using hash: SNMPAuthProtocol) -> [UInt8] {
        var extended = key
        while extended.count < length { extended += hash.hash(extended) }
        return Array(extended.prefix(length))
    }
}
