/// A certificate's SHA-256 fingerprint, written `sha256:` and 64 hex digits.
public struct CertificateFingerprint: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The 32 octets of the digest.
    public let sha256: [UInt8]

    /// What a valid fingerprint looks like, for error messages.
    public static let rule = "sha256: followed by 64 hex digits (colons between octets allowed)"

    /// A digest computed here (32 octets).
    public init(sha256: [UInt8]) {
        precondition(sha256.count == 32, "a SHA-256 digest has 32 octets")
        self.sha256 = sha256
    }

    /// Parses `sha256:HEX`.
    public init?(_ text: String) {
        guard text.lowercased().hasPrefix("sha256:"), let octets = Hex.decode(String(text.dropFirst(7))),
              octets.count == 32 else { return nil }
        sha256 = octets
    }

    public var description: String { "sha256:" + Hex.encode(sha256) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let fingerprint = CertificateFingerprint(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "\"\(text)\" is not \(CertificateFingerprint.rule)"))
        }
        self = fingerprint
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
