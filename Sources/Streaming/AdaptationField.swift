/// What the TS layer needs from an adaptation field (ISO/IEC 13818-1 §2.4.3.5).
/// Only the fields used for pacing and splicing are decoded; the rest are
/// skipped by length.
public struct AdaptationField: Equatable, Sendable {
    /// adaptation_field_length: bytes after the length byte.
    public var length: Int
    /// The flags byte (0 when `length` is 0).
    public var flags: UInt8
    /// The 27 MHz PCR, if PCR_flag is set.
    public var pcr: UInt64?
    /// The 27 MHz OPCR, if OPCR_flag is set.
    public var opcr: UInt64?

    /// discontinuity_indicator: the system time base (on the PCR PID) or the
    /// continuity counter is discontinuous at this packet (§2.4.3.5).
    public var discontinuity: Bool { flags & 0x80 != 0 }
    /// random_access_indicator: a decoder can start here.
    public var randomAccess: Bool { flags & 0x40 != 0 }

    /// Offset of the flags byte within the packet.
    static let flagsOffset = 5
    /// Offset of the PCR field within the packet, when present.
    static let pcrOffset = 6
}
