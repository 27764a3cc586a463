#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto

/// An ssh public key as one line of OpenSSH's `authorized_keys`
/// (`TYPE BASE64 [COMMENT]`, no options), checked down to the key itself:
/// the blob must decode, name the same type as the line, hold exactly the
/// fields of that type (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4) and, for
/// ECDSA, a point on the curve.
public struct SSHPublicKey: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The key types accepted. DSA and RSA shorter than 2048 bits are refused.
    public enum Algorithm: String, CaseIterable, Sendable {
        case ed25519 = "ssh-ed25519"
        case ecdsaP256 = "ecdsa-sha2-nistp256"
        case ecdsaP384 = "ecdsa-sha2-nistp384"
        case ecdsaP521 = "ecdsa-sha2-nistp521"
        case rsa = "ssh-rsa"
    }

    /// The smallest RSA modulus accepted, in bits (NIST SP 800-131A).
    public static let minimumRSABits = 2048

    /// The key type.
    public let algorithm: Algorithm
    /// The decoded key blob (the wire encoding of RFC 4253 §6.6).
    public let blob: [UInt8]
    /// The comment after the key, if any (often `user@host`).
    public let comment: String?

    /// Parses and checks one `authorized_keys` line.
    public init(_ line: String) throws(SSHKeyError) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 2 else {
            throw SSHKeyError("expected \"TYPE BASE64 [COMMENT]\", for example \"ssh-ed25519 AAAAC3Nza... user@host\"")
        }
        guard let algorithm = Algorithm(rawValue: fields[0]) else {
            throw SSHKeyError("key type \"\(fields[0].prefix(40))\" is not accepted; use one of "
                + Algorithm.allCases.map(\.rawValue).joined(separator: ", ") + " (authorized_keys options are not supported)")
        }
        guard let data = Data(base64Encoded: fields[1]) else {
            throw SSHKeyError("the key data is not valid base64")
        }
        let blob = [UInt8](data)
        try SSHPublicKey.check(blob: blob, algorithm: algorithm)
        var comment: String? = nil
        if fields.count > 2 {
            let text = fields[2...].joined(separator: " ")
            guard text.count <= 255, PrintableText.isValid(text) else {
                throw SSHKeyError("the comment must be printable text of at most 255 characters")
            }
            comment = text
        }
        self.algorithm = algorithm
        self.blob = blob
        self.comment = comment
    }

    /// The canonical `authorized_keys` line.
    public var description: String {
        let base = algorithm.rawValue + " " + Data(blob).base64EncodedString()
        return comment.map { base + " " + $0 } ?? base
    }

    /// OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the blob's SHA-256.
    public var fingerprint: String {
        var text = Data(SHA256.hash(data: blob)).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return "SHA256:" + text
    }

    /// Two keys are the same key when their blobs are equal, whatever the comment.
    public func isSameKey(as other: SSHPublicKey) -> Bool { blob == other.blob }

    public init(from decoder: any Decoder) throws {
        let line = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try SSHPublicKey(line)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: - Blob structure

    private static func check(blob: [UInt8], algorithm: Algorithm) throws(SSHKeyError) {
        var reader = SSHWireReader(blob)
        guard let type = reader.string(), String(decoding: type, as: UTF8.self) == algorithm.rawValue else {
            throw SSHKeyError("the key data does not hold a \(algorithm.rawValue) key (its embedded type differs or is missing)")
        }
        switch algorithm {
        case .ed25519:
            // RFC 8709 §4: string "ssh-ed25519", string key (32 octets).
            guard let key = reader.string(), key.count == 32,
                  (try? Curve25519.Signing.PublicKey(rawRepresentation: key)) != nil else {
                throw SSHKeyError("the ssh-ed25519 key must hold a 32-octet public key")
            }
        case .ecdsaP256, .ecdsaP384, .ecdsaP521:
            // RFC 5656 §3.1: string type, string curve name, string Q (SEC1 point).
            let curve = String(algorithm.rawValue.dropFirst("ecdsa-sha2-".count))
            guard let name = reader.string(), String(decoding: name, as: UTF8.self) == curve else {
                throw SSHKeyError("the \(algorithm.rawValue) key names a different curve than \(curve)")
            }
            guard let point = reader.string(), isPointOnCurve(point, algorithm) else {
                throw SSHKeyError("the \(algorithm.rawValue) key's point is not on the \(curve) curve")
            }
        case .rsa:
            // RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n.
            guard let exponent = reader.string(), let modulus = reader.string() else {
                throw SSHKeyError("the ssh-rsa key must hold an exponent and a modulus")
            }
            let e = exponent.drop(while: { $0 == 0 })
            guard let lastOctet = e.last, lastOctet & 1 == 1, e.count <= 8, !(e.count == 1 && e.first! < 3) else {
                throw SSHKeyError("the ssh-rsa key's public exponent must be an odd number of at least 3")
            }
            let n = modulus.drop(while: { $0 == 0 })
            let bits = n.isEmpty ? 0 : (n.count - 1) * 8 + (8 - n.first!.leadingZeroBitCount)
            guard bits >= minimumRSABits, bits <= 16384 else {
                throw SSHKeyError("the ssh-rsa key has \(bits) bits; at least \(minimumRSABits) are required")
            }
        }
        guard reader.isAtEnd else {
            throw SSHKeyError("the key data has trailing bytes after the \(algorithm.rawValue) key")
        }
    }

    private static func isPointOnCurve(_ point: [UInt8], _ algorithm: Algorithm) -> Bool {
        switch algorithm {
        case .ecdsaP256: (try? P256.Signing.PublicKey(x963Representation: point)) != nil
        case .ecdsaP384: (try? P384.Signing.PublicKey(x963Representation: point)) != nil
        case .ecdsaP521: (try? P521.Signing.PublicKey(x963Representation: point)) != nil
        default: false
        }
    }
}

/// Why an ssh public key was refused.
public struct SSHKeyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, in words a user can act on.
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads RFC 4251 §5 `string` fields (uint32 length, then bytes).
struct SSHWireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func string() -> [UInt8]? {
        guard bytes.count - offset >= 4 else { return nil }
        let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        guard length <= bytes.count - offset - 4 else { return nil }
        let value = Array(bytes[offset + 4..<offset + 4 + length])
        offset += 4 + length
        return value
    }
}
