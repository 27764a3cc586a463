/// Why bytes are not a valid RTCP compound packet (RFC 3550 §6.1, A.2).
public enum RTCPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer than the 4 header bytes left.
    case truncatedHeader(offset: Int)
    /// Version is not 2.
    case unsupportedVersion(UInt8, offset: Int)
    /// The length field runs past the datagram.
    case lengthOverflow(offset: Int, length: Int, available: Int)
    /// The packet is too short for what its count field announces.
    case bodyTooShort(packetType: UInt8, needed: Int, length: Int)
    /// The padding count does not fit the packet.
    case badPadding(offset: Int)
    /// An SDES chunk or item runs past its packet, or lacks its END item.
    case malformedSourceDescription(String)
    /// Nothing to decode.
    case empty

    public var description: String {
        switch self {
        case .truncatedHeader(let offset): "RTCP header truncated at byte \(offset)"
        case .unsupportedVersion(let version, let offset): "RTCP version \(version) at byte \(offset), expected 2"
        case .lengthOverflow(let offset, let length, let available):
            "RTCP packet at byte \(offset) claims \(length) bytes, \(available) remain"
        case .bodyTooShort(let type, let needed, let length): "RTCP packet type \(type) needs \(needed) bytes, has \(length)"
        case .badPadding(let offset): "RTCP padding of the packet at byte \(offset) is invalid"
        case .malformedSourceDescription(let what): "RTCP SDES malformed: \(what)"
        case .empty: "RTCP datagram is empty"
        }
    }
}
