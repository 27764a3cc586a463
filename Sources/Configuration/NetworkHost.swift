/// A peer the appliance connects to by address or by DNS name: NTP servers,
/// remote syslog collectors, SNMP trap receivers.
///
/// Names follow RFC 1123 §2.1 (labels of letters, digits and hyphens, 1-63
/// characters, not starting or ending with a hyphen; 253 characters in all)
/// and, as RFC 3696 §2 advises, a last label that is not all digits, so that
/// `192.0.2.300` is a mistyped address rather than a name. Names are kept in
/// lowercase because DNS compares them without case (RFC 4343).
public struct NetworkHost: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The address, when the host was given as an IP literal.
    public let address: IPAddress?
    /// The DNS name, lowercased, when the host was given as a name.
    public let name: String?

    /// What a valid host looks like, for error messages.
    public static let rule = "an IPv4 address, an IPv6 address or an RFC 1123 host name"

    /// Parses an IPv4 literal, an IPv6 literal (no brackets) or a host name.
    public init?(_ text: String) {
        if let address = IPAddress(text) {
            self.address = address
            self.name = nil
        } else if NetworkHost.isValidDomainName(text) {
            self.address = nil
            self.name = text.lowercased()
        } else {
            return nil
        }
    }

    /// A host given by address.
    public init(address: IPAddress) {
        self.address = address
        self.name = nil
    }

    public var description: String { address?.description ?? name ?? "" }

    /// RFC 1123 §2.1 label rules, RFC 3696 §2 non-numeric top label.
    public static func isValidDomainName(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels where !isValidLabel(Array(label)) { return false }
        guard let last = labels.last, !last.allSatisfy(ConfigName.isDigit) else { return false }
        return true
    }

    /// One RFC 1123 label: 1-63 letters, digits, hyphens; no hyphen at either end.
    public static func isValidLabel(_ label: [UInt8]) -> Bool {
        guard let first = label.first, let last = label.last, label.count <= 63,
              first != UInt8(ascii: "-"), last != UInt8(ascii: "-") else { return false }
        return label.allSatisfy { byte in
            ConfigName.isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                || byte == UInt8(ascii: "-")
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let host = NetworkHost(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "\"\(text)\" is not \(NetworkHost.rule)"))
        }
        self = host
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
