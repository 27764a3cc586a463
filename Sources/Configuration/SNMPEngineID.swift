/// An snmpEngineID (RFC 3411 §5, SnmpEngineID textual convention).
public struct SNMPEngineID: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The octets, 5-32 of them.
    public var octets: [UInt8]

    public init(octets: [UInt8]) { self.octets = octets }

    /// `0x` and lowercase hex.
    public var description: String { "0x" + Hex.encode(octets) }

    /// What is wrong with the octets, or nil if they follow RFC 3411 §5:
    /// 5-32 octets, not all zeros or all 0xff; with the first bit 0 (the
    /// SNMPv1-era form) exactly 12 octets; with the first bit 1, the fifth
    /// octet names the format: 1 IPv4 (4 octets follow), 2 IPv6 (16), 3 MAC
    /// (6), 4 text or 5 octets (1-27 follow), 6-127 reserved, 128-255
    /// enterprise-specific.
    public var formatProblem: String? {
        guard (5...32).contains(octets.count) else { return "must be 5-32 octets, not \(octets.count)" }
        if octets.allSatisfy({ $0 == 0 }) || octets.allSatisfy({ $0 == 0xff }) {
            return "must not be all zeros or all 0xff (RFC 3411 §5)"
        }
        if octets[0] & 0x80 == 0 {
            return octets.count == 12 ? nil : "with the first bit 0 must be exactly 12 octets (RFC 3411 §5)"
        }
        let following = octets.count - 5
        switch octets[4] {
        case 1: return following == 4 ? nil : "format 1 (IPv4) needs 4 octets after the format octet"
        case 2: return following == 16 ? nil : "format 2 (IPv6) needs 16 octets after the format octet"
        case 3: return following == 6 ? nil : "format 3 (MAC) needs 6 octets after the format octet"
        case 4, 5: return following >= 1 ? nil : "format \(octets[4]) needs 1-27 octets after the format octet"
        case 6...127: return "format \(octets[4]) is reserved (RFC 3411 §5)"
        default: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let octets = Hex.decode(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "engine ID must be hex"))
        }
        self.octets = octets
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
