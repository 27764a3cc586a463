/// The bitrate of what was sent over the last second (current) and since
/// the start (average), from byte counts and a monotonic clock.
public struct BitrateMeter: Sendable, Equatable {
    /// The window of the current bitrate.
    public static let windowNanoseconds: UInt64 = 1_000_000_000
    private var startTime: UInt64?
    private var windowStart: UInt64 = 0
    private var windowBytes: UInt64 = 0
    /// Bytes since the start.
    public private(set) var totalBytes: UInt64 = 0
    /// The bitrate of the last full window, bit/s.
    public private(set) var current: UInt64 = 0

    public init() {}

    public mutating func record(bytes: Int, atNanoseconds now: UInt64) {
        if startTime == nil {
            startTime = now
            windowStart = now
        }
        if now >= windowStart + Self.windowNanoseconds {
            current = windowBytes * 8 * 1_000_000_000 / max(1, now - windowStart)
            windowStart = now
            windowBytes = 0
        }
        windowBytes += UInt64(bytes)
        totalBytes += UInt64(bytes)
    }

    /// Bits per second since the first record, at `now`.
    public func average(atNanoseconds now: UInt64) -> UInt64 {
        guard let startTime, now > startTime else { return 0 }
        let product = (totalBytes * 8).multipliedFullWidth(by: 1_000_000_000)
        let elapsed = now - startTime
        guard product.high < elapsed else { return .max }
        return elapsed.dividingFullWidth(product).quotient
    }
}
