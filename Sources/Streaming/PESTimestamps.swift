/// Why a PES header's timestamps could not be read.
public enum PESError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The packet itself is malformed.
    case packet(TSPacketError)
    /// The PES header (up to and including its timestamps) does not fit in this
    /// packet's payload; headers are not reassembled across packets.
    case headerTruncated(needed: Int, available: Int)
    /// PTS_DTS_flags '01' is forbidden (ISO/IEC 13818-1 §2.4.3.7).
    case forbiddenPTSDTSFlags
    /// The optional header does not start with '10'.
    case badOptionalHeaderMarker(UInt8)

    public var description: String {
        switch self {
        case .packet(let error): error.description
        case .headerTruncated(let needed, let available):
            "PES header needs \(needed) bytes, packet payload has \(available)"
        case .forbiddenPTSDTSFlags: "PES PTS_DTS_flags '01' is forbidden"
        case .badOptionalHeaderMarker(let byte): "PES optional header starts 0x\(String(byte, radix: 16)), not '10'"
        }
    }
}

/// The PTS and DTS of a PES header that starts in a TS packet's payload
/// (ISO/IEC 13818-1 §2.4.3.6–2.4.3.7), with where they lie so they can be
/// shifted in place when a file loops.
public struct PESTimestamps: Equatable, Sendable {
    /// presentation_time_stamp, 33 bits of 90 kHz.
    public var pts: UInt64
    /// decoding_time_stamp, when present.
    public var dts: UInt64?
    /// Offsets of the 5-byte PTS and DTS fields from the packet start.
    var ptsOffset: Int
    var dtsOffset: Int?

    /// PES stream_ids whose header has no optional part (§2.4.3.7, Table 2-22 note):
    /// program_stream_map, padding, private_stream_2, ECM, EMM, program_stream_directory,
    /// DSMCC and H.222.1 type E.
    static func hasOptionalHeader(_ streamID: UInt8) -> Bool {
        switch streamID {
        case 0xBC, 0xBE, 0xBF, 0xF0, 0xF1, 0xFF, 0xF2, 0xF8: false
        default: true
        }
    }

    /// Finds the timestamps of the packet at `offset`. Nil when the packet does
    /// not start a PES packet (no payload_unit_start, or no 00 00 01 start code
    /// as in a PSI section) or its header carries no timestamps; a header that
    /// claims timestamps but is malformed or cut throws.
    public static func locate(in bytes: [UInt8], at offset: Int = 0) throws(PESError) -> PESTimestamps? {
        let packet: TSPacket
        do { packet = try TSPacket(bytes, at: offset) } catch { throw .packet(error) }
        guard packet.payloadUnitStart, packet.hasPayload else { return nil }
        let start = offset + packet.payloadOffset
        let available = packet.payloadLength
        // packet_start_code_prefix, stream_id, PES_packet_length, two flag bytes, header length.
        guard available >= 6, bytes[start] == 0, bytes[start + 1] == 0, bytes[start + 2] == 1,
              hasOptionalHeader(bytes[start + 3]) else { return nil }
        guard available >= 9 else { throw .headerTruncated(needed: 9, available: available) }
        guard bytes[start + 6] & 0xC0 == 0x80 else { throw .badOptionalHeaderMarker(bytes[start + 6]) }
        let flags = bytes[start + 7] >> 6
        switch flags {
        case 0b00: return nil
        case 0b01: throw .forbiddenPTSDTSFlags
        default: break
        }
        let needed = 9 + (flags == 0b11 ? 10 : 5)
        guard available >= needed else { throw .headerTruncated(needed: needed, available: available) }
        let ptsOffset = start + 9
        let dtsOffset = flags == 0b11 ? start + 14 : nil
        return PESTimestamps(pts: read(bytes, at: ptsOffset), dts: dtsOffset.map { read(bytes, at: $0) },
                             ptsOffset: ptsOffset, dtsOffset: dtsOffset)
    }

    /// Adds `delta` (90 kHz, modulo 2^33) to the PTS and DTS of the packet at
    /// `offset`, keeping the 4-bit prefixes and marker bits as they were.
    /// Returns the new timestamps, or nil if the packet has none.
    @discardableResult
    public static func shift(by delta: UInt64, in bytes: inout [UInt8], at offset: Int = 0) throws(PESError)
        -> PESTimestamps?
    {
        guard var found = try locate(in: bytes, at: offset) else { return nil }
        found.pts = (found.pts &+ delta) & (MediaClock.timestampModulus - 1)
        write(found.pts, into: &bytes, at: found.ptsOffset)
        if let dts = found.dts, let dtsOffset = found.dtsOffset {
            found.dts = (dts &+ delta) & (MediaClock.timestampModulus - 1)
            write(found.dts ?? 0, into: &bytes, at: dtsOffset)
        }
        return found
    }

    /// The 5-byte field: '001x' prefix, 3 bits, marker, 15 bits, marker, 15 bits, marker.
    @inline(__always)
    static func read(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        UInt64(bytes[offset] >> 1 & 0x07) << 30 | UInt64(bytes[offset + 1]) << 22 | UInt64(bytes[offset + 2] >> 1) << 15
            | UInt64(bytes[offset + 3]) << 7 | UInt64(bytes[offset + 4] >> 1)
    }

    @inline(__always)
    static func write(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
        bytes[offset] = (bytes[offset] & 0xF1) | UInt8(truncatingIfNeeded: value >> 29) & 0x0E
        bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 22)
        bytes[offset + 2] = (bytes[offset + 2] & 0x01) | UInt8(truncatingIfNeeded: value >> 14) & 0xFE
        bytes[offset + 3] = UInt8(truncatingIfNeeded: value >> 7)
        bytes[offset + 4] = (bytes[offset + 4] & 0x01) | UInt8(truncatingIfNeeded: value << 1)
    }

    /// The 5-byte field for a timestamp with the given 4-bit prefix ('0010' PTS
    /// only, '0011' PTS with DTS, '0001' DTS), marker bits set.
    public static func encodeField(_ value: UInt64, prefix: UInt8) -> [UInt8] {
        var field: [UInt8] = [(prefix << 4) | 0x01, 0, 0x01, 0, 0x01]
        write(value & (MediaClock.timestampModulus - 1), into: &field, at: 0)
        return field
    }
}
