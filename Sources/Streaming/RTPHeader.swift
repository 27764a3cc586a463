/// Why a datagram is not a usable RTP packet.
public enum RTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shorter than the 12-byte fixed header, or than its CSRC list / extension.
    case truncated(needed: Int, available: Int)
    /// Version is not 2 (RFC 3550 §5.1).
    case unsupportedVersion(UInt8)
    /// The padding count exceeds the payload (RFC 3550 §5.1, P bit).
    case badPadding(Int)

    public var description: String {
        switch self {
        case .truncated(let needed, let available): "RTP packet needs \(needed) bytes, has \(available)"
        case .unsupportedVersion(let version): "RTP version \(version), expected 2"
        case .badPadding(let count): "RTP padding count \(count) exceeds the packet"
        }
    }
}

/// The RTP fixed header (RFC 3550 §5.1).
public struct RTPHeader: Equatable, Sendable {
    /// Fixed header size without CSRCs.
    public static let size = 12

    public var padding: Bool = false
    public var extensionPresent: Bool = false
    public var csrcCount: UInt8 = 0
    public var marker: Bool = false
    /// 7-bit payload type; 33 is MP2T (RFC 3551 §6, RFC 2250).
    public var payloadType: UInt8
    public var sequenceNumber: UInt16
    public var timestamp: UInt32
    public var ssrc: UInt32

    public init(payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32, marker: Bool = false) {
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
        self.marker = marker
    }

    /// Writes the 12-byte fixed header (V=2, no CSRCs) at `offset`; the
    /// caller provides the room. No allocation.
    public func write(into bytes: inout [UInt8], at offset: Int = 0) {
        bytes[offset] = 0x80 | (padding ? 0x20 : 0) | (extensionPresent ? 0x10 : 0) | (csrcCount & 0x0F)
        bytes[offset + 1] = (marker ? 0x80 : 0) | (payloadType & 0x7F)
        bytes[offset + 2] = UInt8(sequenceNumber >> 8)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: sequenceNumber)
        bytes[offset + 4] = UInt8(timestamp >> 24)
        bytes[offset + 5] = UInt8(truncatingIfNeeded: timestamp >> 16)
        bytes[offset + 6] = UInt8(truncatingIfNeeded: timestamp >> 8)
        bytes[offset + 7] = UInt8(truncatingIfNeeded: timestamp)
        bytes[offset + 8] = UInt8(ssrc >> 24)
        bytes[offset + 9] = UInt8(truncatingIfNeeded: ssrc >> 16)
        bytes[offset + 10] = UInt8(truncatingIfNeeded: ssrc >> 8)
        bytes[offset + 11] = UInt8(truncatingIfNeeded: ssrc)
    }

    /// The 12 header bytes.
    public func encoded() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: RTPHeader.size)
        write(into: &bytes)
        return bytes
    }

    /// Parses an RTP packet: the header and where its payload lies (after any
    /// CSRCs and header extension, before any padding).
    public static func parse(_ bytes: [UInt8]) throws(RTPError) -> (header: RTPHeader, payload: Range<Int>) {
        guard bytes.count >= size else { throw .truncated(needed: size, available: bytes.count) }
        let version = bytes[0] >> 6
        guard version == 2 else { throw .unsupportedVersion(version) }
        var header = RTPHeader(
            payloadType: bytes[1] & 0x7F,
            sequenceNumber: UInt16(bytes[2]) << 8 | UInt16(bytes[3]),
            timestamp: UInt32(bytes[4]) << 24 | UInt32(bytes[5]) << 16 | UInt32(bytes[6]) << 8 | UInt32(bytes[7]),
            ssrc: UInt32(bytes[8]) << 24 | UInt32(bytes[9]) << 16 | UInt32(bytes[10]) << 8 | UInt32(bytes[11]),
            marker: bytes[1] & 0x80 != 0)
        header.padding = bytes[0] & 0x20 != 0
        header.extensionPresent = bytes[0] & 0x10 != 0
        header.csrcCount = bytes[0] & 0x0F
        var start = size + 4 * Int(header.csrcCount)
        if header.extensionPresent {
            // RFC 3550 §5.3.1: 16-bit profile field, 16-bit length in 32-bit words.
            guard bytes.count >= start + 4 else { throw .truncated(needed: start + 4, available: bytes.count) }
            start += 4 + 4 * (Int(bytes[start + 2]) << 8 | Int(bytes[start + 3]))
        }
        guard bytes.count >= start else { throw .truncated(needed: start, available: bytes.count) }
        var end = bytes.count
        if header.padding {
            let count = Int(bytes[bytes.count - 1])
            guard count >= 1, count <= end - start else { throw .badPadding(count) }
            end -= count
        }
        return (header, start..<end)
    }
}
