/// The header of one 188-byte MPEG-TS packet (ISO/IEC 13818-1 §2.4.3.2) and
/// where its adaptation field and payload lie, parsed without allocating: the
/// sender parses every packet at up to ~100 Mbit/s (66 000 packets/s).
///
/// It holds decoded values, not the bytes; rewrites go through the static
/// functions in `TSPacketRewrite.swift` on the caller's buffer.
public struct TSPacket: Equatable, Sendable {
    /// A TS packet is always 188 bytes (§2.4.3.2).
    public static let size = 188
    /// sync_byte (§2.4.3.3).
    public static let syncByte: UInt8 = 0x47
    /// Null packets (§2.4.3.3, Table 2-3) fill a constant bitrate; their CC is not meaningful.
    public static let nullPID: UInt16 = 0x1FFF
    /// The PAT's PID (§2.4.4.3).
    public static let patPID: UInt16 = 0x0000

    /// 13-bit packet identifier.
    public var pid: UInt16
    /// transport_error_indicator: a demodulator found an uncorrectable error.
    public var transportError: Bool
    /// payload_unit_start_indicator: a PES packet or PSI section starts here.
    public var payloadUnitStart: Bool
    /// transport_scrambling_control (2 bits).
    public var scrambling: UInt8
    /// adaptation_field_control (2 bits): 01 payload only, 10 adaptation field only, 11 both.
    public var adaptationFieldControl: UInt8
    /// continuity_counter (4 bits).
    public var continuityCounter: UInt8
    /// The adaptation field, when adaptation_field_control says there is one.
    public var adaptationField: AdaptationField?
    /// Offset of the payload from the packet start; 188 when there is none.
    public var payloadOffset: Int

    /// Whether the packet carries payload; only such packets advance the
    /// continuity counter (§2.4.3.3).
    public var hasPayload: Bool { adaptationFieldControl & 0x01 != 0 }
    /// The PCR in 27 MHz ticks, if the packet carries one.
    public var pcr: UInt64? { adaptationField?.pcr }
    /// The discontinuity_indicator (false without an adaptation field).
    public var discontinuity: Bool { adaptationField?.discontinuity ?? false }
    /// Bytes of payload.
    public var payloadLength: Int { TSPacket.size - payloadOffset }

    /// Parses the packet that starts at `offset` in `bytes`.
    public init(_ bytes: [UInt8], at offset: Int = 0) throws(TSPacketError) {
        guard offset >= 0, bytes.count - offset >= TSPacket.size else {
            throw .truncated(available: offset < 0 ? 0 : max(0, bytes.count - offset))
        }
        let b0 = bytes[offset], b1 = bytes[offset + 1], b2 = bytes[offset + 2], b3 = bytes[offset + 3]
        guard b0 == TSPacket.syncByte else { throw .wrongSyncByte(b0) }
        transportError = b1 & 0x80 != 0
        payloadUnitStart = b1 & 0x40 != 0
        pid = UInt16(b1 & 0x1F) << 8 | UInt16(b2)
        scrambling = b3 >> 6
        adaptationFieldControl = (b3 >> 4) & 0x03
        continuityCounter = b3 & 0x0F
        guard adaptationFieldControl != 0 else { throw .reservedAdaptationFieldControl }
        guard adaptationFieldControl & 0x02 != 0 else {
            adaptationField = nil
            payloadOffset = 4
            return
        }
        let length = Int(bytes[offset + 4])
        let limit = adaptationFieldControl == 0x03 ? 182 : 183
        guard length <= limit else { throw .adaptationFieldOverflow(length: length) }
        var field = AdaptationField(length: length, flags: 0, pcr: nil, opcr: nil)
        if length > 0 {
            let flags = bytes[offset + AdaptationField.flagsOffset]
            field.flags = flags
            var needed = 1
            var cursor = offset + AdaptationField.pcrOffset
            if flags & 0x10 != 0 {
                needed += ProgramClockReference.fieldSize
                guard length >= needed else { throw .adaptationFieldTooShort(length: length, needed: needed) }
                field.pcr = ProgramClockReference.read(bytes, at: cursor)
                cursor += ProgramClockReference.fieldSize
            }
            if flags & 0x08 != 0 {
                needed += ProgramClockReference.fieldSize
                guard length >= needed else { throw .adaptationFieldTooShort(length: length, needed: needed) }
                field.opcr = ProgramClockReference.read(bytes, at: cursor)
            }
        }
        adaptationField = field
        payloadOffset = adaptationFieldControl == 0x03 ? 5 + length : TSPacket.size
    }
}
