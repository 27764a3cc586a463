/// Hexadecimal text for octet strings (SNMP engine IDs and localized keys,
/// certificate fingerprints, session tokens).
public enum Hex {
    /// Lowercase hex digits, two per octet, no prefix.
    public static func encode(_ octets: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(octets.count * 2)
        for octet in octets {
            out.append(digits[Int(octet >> 4)])
            out.append(digits[Int(octet & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex digits (either case), with an optional `0x` prefix and
    /// optional `:` between octets (`ab:cd:ef`, as `openssl x509 -fingerprint`
    /// prints). Returns nil for anything else, including an odd digit count.
    public static func decode(_ text: String) -> [UInt8]? {
        var scalars = Array(text.utf8)
        if scalars.count >= 2, scalars[0] == UInt8(ascii: "0"), scalars[1] | 0x20 == UInt8(ascii: "x") {
            scalars.removeFirst(2)
        }
        if scalars.contains(UInt8(ascii: ":")) {
            // Colons only between octets: "ab:cd", never "abc:d" or "ab::cd".
            let groups = scalars.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard groups.allSatisfy({ $0.count == 2 }) else { return nil }
            scalars = Array(groups.joined())
        }
        guard !scalars.isEmpty, scalars.count % 2 == 0 else { return nil }
        var octets: [UInt8] = []
        octets.reserveCapacity(scalars.count / 2)
        var index = 0
        while index < scalars.count {
            guard let high = value(of: scalars[index]), let low = value(of: scalars[index + 1]) else { return nil }
            octets.append(high << 4 | low)
            index += 2
        }
        return octets
    }

    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
