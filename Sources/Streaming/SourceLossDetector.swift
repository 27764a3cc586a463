/// Notices when a source stops delivering (a relay's multicast dries up, a
/// file read stalls) and when it comes back, so the daemon can report both.
/// Pure: the caller passes the monotonic time with each event.
public struct SourceLossDetector: Equatable, Sendable {
    /// What changed.
    public enum Event: Equatable, Sendable {
        /// Nothing arrived for `timeout` nanoseconds since `lastReceived`.
        case lost(lastReceived: UInt64)
        /// Data arrived again after an outage of `outage` nanoseconds.
        case recovered(outage: UInt64)
    }

    /// Silence (ns) that counts as loss.
    public let timeout: UInt64
    /// Monotonic ns of the last data received, nil before the first.
    public private(set) var lastReceived: UInt64?
    /// Whether the source is currently considered lost.
    public private(set) var isLost = false
    /// Outages seen so far.
    public private(set) var lossCount = 0

    /// - Parameter timeout: silence in ns before the source counts as lost (default 1 s).
    public init(timeout: UInt64 = 1_000_000_000) { self.timeout = timeout }

    /// Data arrived at `now`.
    public mutating func received(at now: UInt64) -> Event? {
        defer { lastReceived = now }
        guard isLost else { return nil }
        isLost = false
        return .recovered(outage: now - min(now, lastReceived ?? now))
    }

    /// Checks for loss at `now` (call from the daemon's timer). Reports once per outage.
    public mutating func check(at now: UInt64) -> Event? {
        guard !isLost, let last = lastReceived, now > last, now - last >= timeout else { return nil }
        isLost = true
        lossCount += 1
        return .lost(lastReceived: last)
    }
}
