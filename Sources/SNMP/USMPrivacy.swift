import Configuration
import Crypto
import CryptoExtras
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Privacy: AES in 128-bit CFB mode (RFC 3826 §3.1.3; AES-192/256 the same
/// way, draft-blumenthal-aes-usm-04). CFB comes from CryptoExtras'
/// `AES._CFB` (BoringSSL's `AES_cfb128_encrypt`), which matches NIST SP
/// 800-38A's CFB128 vectors; nothing is hand-rolled here.
public enum USMPrivacy {
    /// msgPrivacyParameters length: the 64-bit salt (RFC 3826 §3.1.2.1).
    public static let saltLength = 8

    /// Why decryption is impossible (RFC 3414 §3.2 step 8 → decryptionError).
    public enum Failure: Error, Hashable, Sendable {
        /// msgPrivacyParameters is not 8 octets (RFC 3826 §3.1.4 step 1).
        case wrongSaltLength(Int)
        /// The key is shorter than the AES key (prevented by `USMCredentials`).
        case keyTooShort
        /// The cipher refused its inputs.
        case cipherFailed
    }

    /// IV = snmpEngineBoots (4 octets) || snmpEngineTime (4) || salt (8),
    /// boots and time being the authoritative engine's as sent in the
    /// message (RFC 3826 §3.1.2.1).
    public static func initializationVector(boots: Int32, time: Int32, salt: [UInt8]) -> [UInt8] {
        bigEndian(UInt32(bitPattern: boots)) + bigEndian(UInt32(bitPattern: time)) + salt
    }

    /// Encrypts a ScopedPDU's encoding (RFC 3826 §3.1.3). CFB needs no padding.
    public static func encrypt(_ plaintext: [UInt8], key: [UInt8], protocol priv: SNMPPrivProtocol,
                               boots: Int32, time: Int32, salt: [UInt8]) throws(Failure) -> [UInt8] {
        try crypt(plaintext, key: key, protocol: priv, iv: initializationVector(boots: boots, time: time, salt: salt), encrypt: true)
    }

    /// Decrypts an encryptedPDU (RFC 3826 §3.1.4).
    public static func decrypt(_ ciphertext: [UInt8], key: [UInt8], protocol priv: SNMPPrivProtocol,
                               boots: Int32, time: Int32, salt: [UInt8]) throws(Failure) -> [UInt8] {
        guard salt.count == saltLength else { throw .wrongSaltLength(salt.count) }
        return try crypt(ciphertext, key: key, protocol: priv, iv: initializationVector(boots: boots, time: time, salt: salt), encrypt: false)
    }

    /// AES-CFB128 with the first `keyLength` octets of `key` as the AES key.
    static func crypt(_ input: [UInt8], key: [UInt8], protocol priv: SNMPPrivProtocol, iv: [UInt8],
                      encrypt: Bool) throws(Failure) -> [UInt8] {
        guard key.count >= priv.keyLength else { throw .keyTooShort }
        guard iv.count == 16 else { throw .wrongSaltLength(iv.count - 8) }
        let symmetric = SymmetricKey(data: key.prefix(priv.keyLength))
        do {
            let vector = try AES._CFB.IV(ivBytes: iv)
            let output = encrypt
                ? try AES._CFB.encrypt(input, using: symmetric, iv: vector)
                : try AES._CFB.decrypt(input, using: symmetric, iv: vector)
            return Array(output)
        } catch {
            throw .cipherFailed
        }
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16),
         UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }
}

/// The salt source for outgoing encrypted messages: a 64-bit counter that
/// starts at a random value and is incremented per message (RFC 3826
/// §3.1.2.1: "the salt … MUST be … a local 64-bit integer … initialized to
/// an arbitrary value at boot time"), so that no two messages under one key
/// and one boots/time share an IV.
public struct USMSaltGenerator: Sendable {
    private var counter: UInt64

    /// Starts from `initialValue` (the daemon passes a random one).
    public init(initialValue: UInt64) { counter = initialValue }

    /// Starts from a value drawn from `generator`.
    public init(using generator: inout some RandomNumberGenerator) { counter = generator.next() }

    /// The next salt, 8 octets big-endian.
    public mutating func next() -> [UInt8] {
        let value = counter
        counter &+= 1
        return (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * UInt64($0))) }
    }
}
