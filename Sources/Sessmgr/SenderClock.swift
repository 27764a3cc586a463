import Glibc

/// The clocks the sender paces by. Deadlines are absolute CLOCK_MONOTONIC
/// nanoseconds and the thread sleeps with `clock_nanosleep(TIMER_ABSTIME)`:
/// no drift accumulates from the time spent between sleeps, and a wake-up
/// costs one system call. Why not SO_TXTIME/etf or fq pacing: docs/DESIGN.md.
public enum SenderClock {
    /// CLOCK_MONOTONIC now, ns.
    @inline(__always)
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// CLOCK_REALTIME now, ns since 1970 (RTCP's NTP timestamp, checkpoints across restarts).
    public static func realtime() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    /// Sleeps until the monotonic clock reads `deadline` (returns at once if it has passed).
    @inline(__always)
    public static func sleep(until deadline: UInt64) {
        var spec = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &spec, nil) == EINTR {}
    }
}
