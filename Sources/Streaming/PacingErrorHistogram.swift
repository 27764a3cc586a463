/// How late each datagram left against its deadline, in microseconds, kept
/// as a histogram so quantiles cost no sorting and no allocation per datagram:
/// 1 µs buckets up to 10 ms, then one bucket for everything later.
public struct PacingErrorHistogram: Sendable, Equatable {
    /// Buckets of 1 µs below this bound.
    public static let resolvedMicroseconds = 10_000
    private var buckets: [UInt32]
    /// Samples recorded.
    public private(set) var count: UInt64 = 0
    /// The largest error seen, µs.
    public private(set) var maximumMicroseconds: UInt64 = 0

    public init() { buckets = [UInt32](repeating: 0, count: Self.resolvedMicroseconds + 1) }

    /// One datagram sent `nanoseconds` after its deadline.
    public mutating func record(lateByNanoseconds nanoseconds: UInt64) {
        let micros = nanoseconds / 1000
        buckets[Int(min(micros, UInt64(Self.resolvedMicroseconds)))] &+= 1
        count += 1
        maximumMicroseconds = max(maximumMicroseconds, micros)
    }

    /// The `q` quantile (0…1) in µs; `resolvedMicroseconds` means "at least that"; nil when empty.
    public func quantile(_ q: Double) -> UInt64? {
        guard count > 0 else { return nil }
        let rank = UInt64((Double(count) * min(max(q, 0), 1)).rounded(.up))
        var seen: UInt64 = 0
        for (micros, n) in buckets.enumerated() {
            seen += UInt64(n)
            if seen >= max(rank, 1) { return UInt64(micros) }
        }
        return UInt64(Self.resolvedMicroseconds)
    }

    public mutating func reset() { self = PacingErrorHistogram() }
}
