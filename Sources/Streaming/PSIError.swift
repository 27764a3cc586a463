/// Why a TS packet did not yield a PSI table.
public enum PSIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The packet itself is malformed.
    case packet(TSPacketError)
    /// A section starts only in a packet with payload_unit_start_indicator set (§2.4.4.2).
    case notSectionStart
    /// pointer_field points past the packet's payload.
    case pointerFieldOverflow(Int)
    /// The section is longer than what is left of this packet. Sections spanning
    /// packets are not reassembled (PAT and PMT of ordinary streams fit one packet).
    case sectionSpansPackets(sectionLength: Int, available: Int)
    /// section_length is below the minimum for the syntax, or above 1021 (§2.4.4.5).
    case invalidSectionLength(Int)
    /// section_syntax_indicator is 0 where the table requires 1.
    case notLongSection
    /// table_id is not the one expected.
    case unexpectedTableID(expected: UInt8, found: UInt8)
    /// CRC_32 does not match (Annex A).
    case crcMismatch(stored: UInt32, computed: UInt32)
    /// A loop inside the section runs past its end.
    case malformedBody(String)

    public var description: String {
        switch self {
        case .packet(let error): error.description
        case .notSectionStart: "PSI packet has no payload_unit_start_indicator"
        case .pointerFieldOverflow(let pointer): "PSI pointer_field \(pointer) runs past the packet"
        case .sectionSpansPackets(let length, let available):
            "PSI section of \(length) bytes spans packets (only \(available) in this one); not supported"
        case .invalidSectionLength(let length): "PSI section_length \(length) is out of range"
        case .notLongSection: "PSI section_syntax_indicator is 0"
        case .unexpectedTableID(let expected, let found): "table_id 0x\(String(found, radix: 16)), expected 0x\(String(expected, radix: 16))"
        case .crcMismatch(let stored, let computed):
            "PSI CRC_32 0x\(String(stored, radix: 16)) does not match computed 0x\(String(computed, radix: 16))"
        case .malformedBody(let what): "PSI section malformed: \(what)"
        }
    }
}
