/// Test vectors are written as hex text, as RFCs and `snmpget -d` print them.
enum HexOctets {
    /// Octets from hex text; spaces and newlines are ignored. An invalid
    /// vector yields an odd marker so the test using it fails visibly.
    static func parse(_ text: String) -> [UInt8] {
        let digits = text.filter { !$0.isWhitespace }
        guard digits.count % 2 == 0 else { return [0xBA, 0xD0] }
        var octets: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            guard let octet = UInt8(digits[index..<next], radix: 16) else { return [0xBA, 0xD0] }
            octets.append(octet)
            index = next
        }
        return octets
    }

    static func text(_ octets: [UInt8]) -> String {
        octets.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

func hex(_ text: String) -> [UInt8] { HexOctets.parse(text) }
