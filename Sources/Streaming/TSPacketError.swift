/// Why bytes are not a usable MPEG-TS packet. Every malformed input ends in
/// one of these, never in a trap: the packets come from files and networks.
public enum TSPacketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than 188 bytes from the offset (ISO/IEC 13818-1 §2.4.3.2).
    case truncated(available: Int)
    /// The first byte is not 0x47.
    case wrongSyncByte(UInt8)
    /// adaptation_field_control '00' is reserved (§2.4.3.3, Table 2-5).
    case reservedAdaptationFieldControl
    /// adaptation_field_length runs past the packet (§2.4.3.5: at most 183,
    /// or 182 when a payload follows).
    case adaptationFieldOverflow(length: Int)
    /// A flag announces a field (PCR, OPCR) that the adaptation field is too short to hold.
    case adaptationFieldTooShort(length: Int, needed: Int)
    /// A rewrite needs a PCR and the packet carries none.
    case noPCR
    /// A rewrite needs an adaptation field with its flags byte and the packet has none.
    case noAdaptationField

    public var description: String {
        switch self {
        case .truncated(let available): "TS packet truncated: \(available) of 188 bytes"
        case .wrongSyncByte(let byte): "TS packet sync byte is 0x\(String(byte, radix: 16)), not 0x47"
        case .reservedAdaptationFieldControl: "TS packet uses the reserved adaptation_field_control '00'"
        case .adaptationFieldOverflow(let length): "adaptation_field_length \(length) runs past the TS packet"
        case .adaptationFieldTooShort(let length, let needed):
            "adaptation field of \(length) bytes cannot hold its flagged fields (\(needed) needed)"
        case .noPCR: "TS packet carries no PCR"
        case .noAdaptationField: "TS packet has no adaptation field flags byte"
        }
    }
}
