import Configuration
import ApplianceProtocol
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import CryptoExtras


/// Why a password could not be hashed.
public struct PasswordHashError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Hashes and verifies login passwords with scrypt (RFC 7914) from
/// swift-crypto's CryptoExtras.
///
/// Verification reads the cost from the stored hash, so raising `cost` later
/// keeps old hashes valid (`needsRehash` says when to upgrade one at the
/// next successful login). The comparison is constant-time.
public struct PasswordHasher: Sendable {
    /// The cost of new hashes.
    public let cost: ScryptCost

    /// Salt length for new hashes: 128 bits, as NIST SP 800-132 §5.1 asks.
    public static let saltLength = 16
    /// Derived key length.
    public static let hashLength = 32

    /// A hasher making hashes at `cost`; tests inject a cheap one.
    public init(cost: ScryptCost = .login) {
        self.cost = cost
    }

    /// A new hash of `password` with a fresh random salt.
    public func hash(_ password: String) throws(PasswordHashError) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<PasswordHasher.saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return try hash(password, salt: salt)
    }

    /// A hash of `password` with the given salt (for tests and reproducible vectors).
    public func hash(_ password: String, salt: [UInt8]) throws(PasswordHashError) -> String {
        let derived = try PasswordHasher.deriveKey(password: Array(password.utf8), salt: salt,
                                                   cost: cost, length: PasswordHasher.hashLength)
        return StoredPasswordHash(cost: cost, salt: salt, hash: derived).description
    }

    /// Whether `password` matches `storedHash`. A malformed stored hash never
    /// matches.
    public func verify(_ password: String, against storedHash: String) -> Bool {
        guard let stored = StoredPasswordHash(storedHash),
              let derived = try? PasswordHasher.deriveKey(password: Array(password.utf8), salt: stored.salt,
                                                          cost: stored.cost, length: stored.hash.count) else {
            return false
        }
        // swift-crypto compares SymmetricKeys in constant time (safeCompare).
        return SymmetricKey(data: derived) == SymmetricKey(data: stored.hash)
    }

    /// Whether `storedHash` was made at a cost other than `cost` (or cannot be read).
    public func needsRehash(_ storedHash: String) -> Bool {
        StoredPasswordHash(storedHash)?.cost != cost
    }

    /// A hash of a random password at `cost`: what an unknown account is
    /// verified against, so that it costs the same time as a known one.
    public func makeDummyHash() -> String {
        var generator = SystemRandomNumberGenerator()
        let password = (0..<32).map { _ in UInt8.random(in: 0x21...0x7e, using: &generator) }
        return (try? hash(String(decoding: password, as: UTF8.self))) ?? ""
    }

    /// scrypt (RFC 7914) through CryptoExtras' `KDF.Scrypt`, which runs
    /// BoringSSL's `EVP_PBE_scrypt`.
    public static func deriveKey(password: [UInt8], salt: [UInt8], cost: ScryptCost, length: Int) throws(PasswordHashError) -> [UInt8] {
        guard cost.logN >= 1, cost.logN <= 30, cost.blockSize >= 1, cost.parallelism >= 1 else {
            throw PasswordHashError("scrypt cost \(cost) is out of range")
        }
        do {
            // CryptoExtras passes the buffers' base addresses to C, and an
            // empty Array still has one; Data would not.
            let key = try KDF.Scrypt.deriveKey(from: password, salt: salt, outputByteCount: length,
                                               rounds: 1 << cost.logN, blockSize: cost.blockSize,
                                               parallelism: cost.parallelism)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw PasswordHashError("scrypt failed with cost \(cost): \(error)")
        }
    }
}
