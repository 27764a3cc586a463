import Configuration
import ApplianceProtocol
/// A reading of a monotonic clock, in nanoseconds from an arbitrary origin
/// (configd takes it from `ContinuousClock`, i.e. CLOCK_BOOTTIME, as the
/// time elapsed since it started). Setting the wall clock does not move it,
/// so timeouts measured with it can neither be cut short nor stretched.
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin.
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// An instant `seconds` after the origin.
    public static func seconds(_ seconds: UInt64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: seconds * 1_000_000_000)
    }

    /// This instant moved `seconds` later (saturating).
    public func advanced(bySeconds seconds: Int) -> MonotonicInstant {
        let (sum, overflow) = nanoseconds.addingReportingOverflow(UInt64(max(0, seconds)) * 1_000_000_000)
        return MonotonicInstant(nanoseconds: overflow ? .max : sum)
    }

    /// Nanoseconds from `earlier` to `self`, 0 if `earlier` is later.
    public func nanoseconds(since earlier: MonotonicInstant) -> UInt64 {
        nanoseconds >= earlier.nanoseconds ? nanoseconds - earlier.nanoseconds : 0
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public var description: String { "\(nanoseconds)ns" }
}
