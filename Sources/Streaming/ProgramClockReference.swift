/// The 48-bit PCR/OPCR field of the adaptation field (ISO/IEC 13818-1
/// §2.4.3.4–2.4.3.5): 33-bit base (90 kHz), 6 reserved bits, 9-bit extension
/// (0–299 in 27 MHz units). Value = base × 300 + extension.
public enum ProgramClockReference {
    /// Bytes the field occupies.
    public static let fieldSize = 6

    /// Reads the 27 MHz value from the six bytes at `offset` (the caller has
    /// checked that they exist). An extension above 299 is illegal but is
    /// carried through as read, so a rewrite changes nothing else.
    @inline(__always)
    static func read(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        let base = UInt64(bytes[offset]) << 25 | UInt64(bytes[offset + 1]) << 17 | UInt64(bytes[offset + 2]) << 9
            | UInt64(bytes[offset + 3]) << 1 | UInt64(bytes[offset + 4] >> 7)
        let ext = UInt64(bytes[offset + 4] & 0x01) << 8 | UInt64(bytes[offset + 5])
        return base * 300 + ext
    }

    /// Writes a 27 MHz value (reduced modulo 2^33 × 300) into the six bytes at
    /// `offset`, keeping the reserved bits as they were.
    @inline(__always)
    static func write(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
        let wrapped = value % MediaClock.pcrModulus
        let base = wrapped / 300, ext = wrapped % 300
        bytes[offset] = UInt8(truncatingIfNeeded: base >> 25)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: base >> 17)
        bytes[offset + 2] = UInt8(truncatingIfNeeded: base >> 9)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: base >> 1)
        bytes[offset + 4] = UInt8(truncatingIfNeeded: base << 7) | (bytes[offset + 4] & 0x7E) | UInt8(ext >> 8)
        bytes[offset + 5] = UInt8(truncatingIfNeeded: ext)
    }

    /// The six field bytes for a 27 MHz value, reserved bits set to 1 as the
    /// standard asks of an encoder.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 0, 0, 0x7E, 0]
        write(value, into: &bytes, at: 0)
        return bytes
    }

    /// The 27 MHz value of six field bytes, or nil if fewer than six.
    public static func decode(_ bytes: [UInt8]) -> UInt64? {
        bytes.count >= fieldSize ? read(bytes, at: 0) : nil
    }
}
