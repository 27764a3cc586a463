/// Ties the stream's PCR timeline to a host clock (CLOCK_MONOTONIC for
/// sending, nanoseconds): the deadline of a datagram is the anchor instant
/// plus its stream time since the anchor, converted exactly (integer 27 MHz →
/// ns, no drift over hours).
public struct PacingSchedule: Equatable, Sendable {
    /// Host-clock nanoseconds at which `anchorStreamTime` is due.
    public var anchorNanoseconds: UInt64
    /// Stream time (27 MHz, `PCRClock` timeline) of the anchor.
    public var anchorStreamTime: UInt64

    public init(anchorNanoseconds: UInt64, anchorStreamTime: UInt64) {
        self.anchorNanoseconds = anchorNanoseconds
        self.anchorStreamTime = anchorStreamTime
    }

    /// The host-clock instant a packet or datagram with this stream time is due.
    /// Stream times before the anchor are due at the anchor.
    public func deadline(forStreamTime time: UInt64) -> UInt64 {
        guard time > anchorStreamTime else { return anchorNanoseconds }
        return anchorNanoseconds &+ MediaClock.nanoseconds(fromTicks: time - anchorStreamTime)
    }

    /// The stream time due at a host-clock instant (for the RTP timestamp of
    /// an RTCP sender report, RFC 3550 §6.4.1).
    public func streamTime(atNanoseconds ns: UInt64) -> UInt64 {
        guard ns > anchorNanoseconds else { return anchorStreamTime }
        return anchorStreamTime &+ MediaClock.ticks(fromNanoseconds: ns - anchorNanoseconds)
    }

    /// Whether a datagram due at `deadline` may go at `now`: the sender never
    /// sends before the deadline, so it is never more than one datagram early
    /// (a late datagram goes at once; catching up is the shaper's concern).
    public static func isDue(deadline: UInt64, now: UInt64) -> Bool { now >= deadline }
}
