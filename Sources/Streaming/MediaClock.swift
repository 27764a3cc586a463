/// The clocks of an MPEG-TS stream and their exact conversions.
///
/// ISO/IEC 13818-1 §2.4.2.1: the system clock runs at 27 MHz; the PCR carries
/// it as a 33-bit base in 90 kHz units plus a 9-bit extension (0–299), so the
/// 27 MHz value wraps at 2^33 × 300. PTS/DTS (§2.4.3.7) are 33-bit 90 kHz
/// values. Everything here is integer arithmetic: a stream runs for days and a
/// `Double` would drift.
public enum MediaClock {
    /// System clock frequency (ISO/IEC 13818-1 §2.4.2.1).
    public static let systemClockHz: UInt64 = 27_000_000
    /// PTS/DTS and RTP (RFC 2250 §2) clock frequency.
    public static let timestampClockHz: UInt64 = 90_000
    /// 27 MHz ticks per 90 kHz tick.
    public static let ticksPerTimestampUnit: UInt64 = 300
    /// PTS/DTS and PCR base wrap at 2^33 (ISO/IEC 13818-1 §2.4.3.7).
    public static let timestampModulus: UInt64 = 1 << 33
    /// The 27 MHz PCR value (base × 300 + extension) wraps here, every ~26.5 hours.
    public static let pcrModulus: UInt64 = (1 << 33) * 300

    /// 27 MHz ticks to nanoseconds, rounded down, exact for any `UInt64` tick
    /// count (1 tick = 1000/27 ns, so split to stay in range).
    public static func nanoseconds(fromTicks ticks: UInt64) -> UInt64 {
        (ticks / 27) &* 1000 &+ (ticks % 27) * 1000 / 27
    }

    /// Nanoseconds to 27 MHz ticks, rounded down (1 ns = 0.027 ticks).
    public static func ticks(fromNanoseconds ns: UInt64) -> UInt64 {
        (ns / 1000) &* 27 &+ (ns % 1000) * 27 / 1000
    }

    /// How far `later` is ahead of `earlier` on a clock that wraps at `modulus`.
    public static func forwardDistance(from earlier: UInt64, to later: UInt64, modulus: UInt64) -> UInt64 {
        later >= earlier ? later - earlier : modulus - earlier + later
    }

    /// `(a × b) mod m` without overflow.
    static func multiplyModulo(_ a: UInt64, _ b: UInt64, _ m: UInt64) -> UInt64 {
        let product = (a % m).multipliedFullWidth(by: b % m)
        return m.dividingFullWidth(product).remainder
    }

    /// `a × b / c` rounded down, or nil when the quotient exceeds 64 bits or `c` is 0.
    public static func scale(_ a: UInt64, by b: UInt64, over c: UInt64) -> UInt64? {
        guard c > 0 else { return nil }
        let product = a.multipliedFullWidth(by: b)
        guard product.high < c else { return nil }
        return c.dividingFullWidth(product).quotient
    }
}
