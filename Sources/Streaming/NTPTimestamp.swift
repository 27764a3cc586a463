/// A 64-bit NTP timestamp (RFC 5905 §6; used by RTCP sender reports, RFC 3550
/// §4 and §6.4.1): seconds since 1900-01-01 and a binary fraction of a second.
public struct NTPTimestamp: Equatable, Hashable, Sendable {
    /// Seconds from 1900-01-01 to 1970-01-01.
    public static let unixEpochOffset: UInt64 = 2_208_988_800

    /// Seconds since 1900 (era 0; wraps in 2036, RFC 5905 §6).
    public var seconds: UInt32
    /// Fraction of a second in units of 2^-32 s.
    public var fraction: UInt32

    public init(seconds: UInt32, fraction: UInt32) {
        self.seconds = seconds
        self.fraction = fraction
    }

    /// The timestamp of a CLOCK_REALTIME instant (ns since 1970), exact to the
    /// fraction's resolution (rounded down).
    public init(unixNanoseconds ns: UInt64) {
        seconds = UInt32(truncatingIfNeeded: ns / 1_000_000_000 + NTPTimestamp.unixEpochOffset)
        fraction = UInt32((ns % 1_000_000_000) << 32 / 1_000_000_000)
    }

    /// The CLOCK_REALTIME instant (ns since 1970, rounded to nearest). Seconds
    /// below the 1970 offset are read as NTP era 1 (after 2036-02-07).
    public var unixNanoseconds: UInt64 {
        let secs = UInt64(seconds)
        let unix = secs >= NTPTimestamp.unixEpochOffset ? secs - NTPTimestamp.unixEpochOffset
            : secs + (1 << 32) - NTPTimestamp.unixEpochOffset
        return unix * 1_000_000_000 + (UInt64(fraction) * 1_000_000_000 + (1 << 31)) >> 32
    }

    /// The middle 32 bits: what receivers echo as LSR (RFC 3550 §6.4.1).
    public var compact: UInt32 { seconds << 16 | fraction >> 16 }
}
