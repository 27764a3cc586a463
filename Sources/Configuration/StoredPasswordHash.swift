import ApplianceCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// scrypt's cost parameters (RFC 7914 §2): N = 2^logN, block size r,
/// parallelism p. Memory used is 128 · N · r bytes.
public struct ScryptCost: Hashable, Sendable, Codable, CustomStringConvertible {
    /// log2 of the CPU/memory cost N.
    public var logN: Int
    /// The block size r.
    public var blockSize: Int
    /// The parallelisation p.
    public var parallelism: Int

    public init(logN: Int, blockSize: Int, parallelism: Int) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// The cost for stored login passwords: N = 2^15, r = 8, p = 1 (32 MiB).
    ///
    /// Measured on the 2-core development machine (Intel Xeon, Debian 12),
    /// release build (`swift build -c release` of a scratch package holding
    /// this file), 11 `hash` + `verify` pairs per setting, with another build
    /// running alongside (load 2): ln=14: median 43 ms; ln=15: median 109 ms
    /// (88-117 ms; 96 ms median calling `KDF.Scrypt` alone on an idle
    /// machine); ln=16: median 210 ms. ln=15 is the one inside the 50-150 ms
    /// budget for a login. Debug builds are slower.
    public static let login = ScryptCost(logN: 15, blockSize: 8, parallelism: 1)

    /// The bounds a stored hash's parameters must keep for configd to verify
    /// it: a hash written into the configuration cannot make a login use more
    /// than 256 MiB or run for many seconds.
    public var isWithinVerificationLimits: Bool {
        (1...20).contains(logN) && (1...32).contains(blockSize) && (1...16).contains(parallelism)
            && (128 << logN) * blockSize <= 256 << 20
    }

    public var description: String { "ln=\(logN),r=\(blockSize),p=\(parallelism)" }
}

/// A stored password hash in its self-describing text form, the PHC string
/// format as passlib writes scrypt:
///
///     $scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>
///
/// (standard base64 without padding).
public struct StoredPasswordHash: Hashable, Sendable, CustomStringConvertible {
    /// The cost it was made with.
    public var cost: ScryptCost
    /// The salt (16 random octets for new hashes).
    public var salt: [UInt8]
    /// The derived key.
    public var hash: [UInt8]

    public init(cost: ScryptCost, salt: [UInt8], hash: [UInt8]) {
        self.cost = cost
        self.salt = salt
        self.hash = hash
    }

    /// Parses the text form; nil unless it is well formed, its cost within
    /// `ScryptCost.isWithinVerificationLimits`, its salt 8-64 octets and its
    /// hash 16-64 octets.
    public init?(_ text: String) {
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty, fields[1] == "scrypt" else { return nil }
        var values: [String: Int] = [:]
        for parameter in fields[2].split(separator: ",", omittingEmptySubsequences: false) {
            let pair = parameter.split(separator: "=", omittingEmptySubsequences: false)
            guard pair.count == 2, values[String(pair[0])] == nil, pair[1].count <= 3,
                  !pair[1].isEmpty, pair[1].utf8.allSatisfy(ConfigName.isDigit), let value = Int(pair[1]) else { return nil }
            values[String(pair[0])] = value
        }
        guard values.count == 3, let logN = values["ln"], let r = values["r"], let p = values["p"] else { return nil }
        let cost = ScryptCost(logN: logN, blockSize: r, parallelism: p)
        guard cost.isWithinVerificationLimits,
              let salt = StoredPasswordHash.base64Decode(fields[3]), (8...64).contains(salt.count),
              let hash = StoredPasswordHash.base64Decode(fields[4]), (16...64).contains(hash.count) else { return nil }
        self.init(cost: cost, salt: salt, hash: hash)
    }

    public var description: String {
        "$scrypt$\(cost)$\(StoredPasswordHash.base64Encode(salt))$\(StoredPasswordHash.base64Encode(hash))"
    }

    static func base64Encode(_ octets: [UInt8]) -> String {
        var text = Data(octets).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func base64Decode(_ text: Substring) -> [UInt8]? {
        guard !text.contains("=") else { return nil }
        let padded = String(text) + String(repeating: "=", count: (4 - text.utf8.count % 4) % 4)
        return Data(base64Encoded: padded).map { [UInt8]($0) }
    }
}
