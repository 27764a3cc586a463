/// An IPv4 or IPv6 address, parsed strictly and rendered canonically so that
/// two spellings of one address compare equal (duplicate detection) and the
/// rendered configuration is stable.
///
/// - IPv4: dotted decimal, four parts, no leading zeros (`010.1.1.1` is
///   refused because some stacks read it as octal).
/// - IPv6: RFC 4291 §2.2 text forms, rendered as RFC 5952 §4 recommends
///   (lowercase, longest run of zero groups compressed). Zone indices
///   (`fe80::1%eth0`) are refused: the interface is configured separately.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The address family.
    public enum Family: String, Sendable, Hashable {
        case ipv4, ipv6

        /// Address length in bits.
        public var bitCount: Int { self == .ipv4 ? 32 : 128 }
    }

    /// Network-order octets: 4 for IPv4, 16 for IPv6.
    public let octets: [UInt8]

    /// The family, from the octet count.
    public var family: Family { octets.count == 4 ? .ipv4 : .ipv6 }

    /// An address from its 4 or 16 network-order octets.
    public init?(octets: [UInt8]) {
        guard octets.count == 4 || octets.count == 16 else { return nil }
        self.octets = octets
    }

    /// Parses an IPv4 or IPv6 literal (IPv6 without brackets).
    public init?(_ text: String) {
        if let v4 = IPAddress.parseIPv4(Substring(text)) {
            octets = v4
        } else if let v6 = IPAddress.parseIPv6(text) {
            octets = v6
        } else {
            return nil
        }
    }

    /// IPv4 224.0.0.0/4 (RFC 5771) or IPv6 ff00::/8 (RFC 4291 §2.7).
    public var isMulticast: Bool {
        family == .ipv4 ? octets[0] & 0xf0 == 0xe0 : octets[0] == 0xff
    }

    /// `0.0.0.0` or `::`.
    public var isUnspecified: Bool { octets.allSatisfy { $0 == 0 } }

    /// `255.255.255.255`, the IPv4 limited broadcast (RFC 919).
    public var isLimitedBroadcast: Bool { family == .ipv4 && octets.allSatisfy { $0 == 0xff } }

    /// Whether the first `prefixLength` bits equal those of `other` (same family only).
    public func sharesPrefix(with other: IPAddress, length prefixLength: Int) -> Bool {
        guard family == other.family, prefixLength >= 0, prefixLength <= family.bitCount else { return false }
        var remaining = prefixLength
        for index in octets.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xff00 >> bits)
            if octets[index] & mask != other.octets[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String {
        family == .ipv4 ? octets.map(String.init).joined(separator: ".") : IPAddress.renderIPv6(octets)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = IPAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "\"\(text)\" is not an IPv4 or IPv6 address"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // MARK: - Text forms

    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            let digits = Array(part.utf8)
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy(ConfigName.isDigit) else { return nil }
            if digits.count > 1 && digits[0] == UInt8(ascii: "0") { return nil }
            guard let value = Int(part), value <= 255 else { return nil }
            octets.append(UInt8(value))
        }
        return octets
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), text.utf8.count <= 45 else { return nil }
        let halves = splitOnDoubleColon(text)
        guard halves.count <= 2 else { return nil }

        func groups(_ part: String, allowIPv4Tail: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            var result: [UInt16] = []
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, allowIPv4Tail, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard !piece.isEmpty, piece.utf8.count <= 4,
                      piece.utf8.allSatisfy(isHexDigit),
                      let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }

        var words: [UInt16]
        if halves.count == 2 {
            guard let head = groups(halves[0], allowIPv4Tail: false),
                  let tail = groups(halves[1], allowIPv4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            words = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = groups(halves[0], allowIPv4Tail: true), all.count == 8 else { return nil }
            words = all
        }
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        ConfigName.isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }

    /// The parts of `text` between occurrences of `::`.
    static func splitOnDoubleColon(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var parts: [String] = []
        var start = 0, index = 0
        while index < bytes.count {
            if index + 1 < bytes.count, bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: ":") {
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        parts.append(String(decoding: bytes[start...], as: UTF8.self))
        return parts
    }

    /// RFC 5952 §4: lowercase, no leading zeros, the longest run (first on a
    /// tie) of two or more zero groups as `::`; §5: IPv4-mapped addresses
    /// with the IPv4 part in dotted decimal.
    static func renderIPv6(_ octets: [UInt8]) -> String {
        let words = stride(from: 0, to: 16, by: 2).map { UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]) }
        if words[0..<5].allSatisfy({ $0 == 0 }) && words[5] == 0xffff {
            return "::ffff:" + octets[12..<16].map(String.init).joined(separator: ".")
        }
        var bestStart = -1, bestLength = 0, index = 0
        while index < 8 {
            if words[index] == 0 {
                var end = index
                while end < 8 && words[end] == 0 { end += 1 }
                if end - index > bestLength { bestStart = index; bestLength = end - index }
                index = end
            } else {
                index += 1
            }
        }
        let hex = words.map { String($0, radix: 16) }
        if bestLength < 2 { return hex.joined(separator: ":") }
        let head = hex[0..<bestStart].joined(separator: ":")
        let tail = hex[(bestStart + bestLength)...].joined(separator: ":")
        return head + "::" + tail
    }
}
