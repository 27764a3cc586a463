/// The sending thread's timing decisions, from the clock readings it is
/// given: when to stop reading ahead and cut a datagram, when each datagram
/// is due, when a stall or a clock jump re-anchors the schedule, how late
/// each send was, and when the RTCP report, the checkpoint, the MDI interval
/// and the status are next due. The thread reads the clock, asks, sleeps and
/// sends; nothing here sleeps or reads a clock. Times are CLOCK_MONOTONIC
/// nanoseconds; stream times are 27 MHz ticks.
public struct DatagramScheduler: Sendable {
    /// A datagram this late means the thread was held (stopped, starved): the
    /// schedule is re-anchored instead of bursting to catch up.
    public static let maximumLateness: UInt64 = 100_000_000
    /// A deadline this far ahead means the clock jumped: re-anchor.
    public static let maximumLead: UInt64 = 2_000_000_000
    /// The longest single sleep, so a stop request is seen within it.
    public static let wakeInterval: UInt64 = 50_000_000
    public static let checkpointInterval: UInt64 = 200_000_000
    public static let publishInterval: UInt64 = 100_000_000
    public static let mdiInterval: UInt64 = 1_000_000_000

    /// How long after a (re)start the first datagram is due.
    public let startDelay: UInt64
    /// Nil until the first datagram, and again after `restart()`.
    public private(set) var schedule: PacingSchedule?
    /// The lateness of every send.
    public private(set) var pacingError = PacingErrorHistogram()
    private var nextPublish: UInt64
    private var nextCheckpoint: UInt64
    private var nextMDI: UInt64
    /// 0 until the first RTCP interval is drawn.
    private var nextRTCP: UInt64 = 0

    /// Status and checkpoint are due at once, the first MDI interval closes a second in.
    public init(startDelay: UInt64, now: UInt64) {
        self.startDelay = startDelay
        nextPublish = now
        nextCheckpoint = now
        nextMDI = now + Self.mdiInterval
    }

    // MARK: Reading ahead

    public enum Lookahead: Equatable, Sendable {
        /// Read more of the source.
        case read
        /// Cut the next datagram.
        case cut
        /// `limit` packets without two PCRs: the source cannot be paced.
        case unpaceable
    }

    /// Whether the window holds enough to cut the datagram starting at
    /// `firstPacket`: a datagram's worth, with a PCR at or after it so its
    /// time is interpolated; past `limit` packets, extrapolated from the last two PCRs.
    public static func lookahead(packets: Int, perDatagram: Int, clock: PCRClock?, firstPacket: UInt64, limit: Int) -> Lookahead {
        let observed = clock?.observations.count ?? 0
        let covered = observed >= 2 && clock!.observations.last!.packetIndex >= firstPacket
        if packets >= perDatagram && covered { return .cut }
        if packets >= limit { return observed >= 2 ? .cut : .unpaceable }
        return .read
    }

    // MARK: Pacing

    public struct Due: Equatable, Sendable {
        public var deadline: UInt64
        /// The schedule was re-anchored at `now` (a stall or a clock jump).
        public var reanchored: Bool

        public init(deadline: UInt64, reanchored: Bool) {
            self.deadline = deadline
            self.reanchored = reanchored
        }
    }

    /// When the datagram of `streamTime` is due. The first one after a
    /// (re)start anchors the schedule `startDelay` ahead; one more than
    /// `maximumLateness` late or `maximumLead` early re-anchors it at `now`.
    public mutating func due(streamTime: UInt64, now: UInt64) -> Due {
        if schedule == nil {
            schedule = PacingSchedule(anchorNanoseconds: now + startDelay, anchorStreamTime: streamTime)
        }
        let deadline = schedule!.deadline(forStreamTime: streamTime)
        if now > deadline + Self.maximumLateness || deadline > now + Self.maximumLead {
            schedule = PacingSchedule(anchorNanoseconds: now, anchorStreamTime: streamTime)
            return Due(deadline: now, reanchored: true)
        }
        return Due(deadline: deadline, reanchored: false)
    }

    /// Where to sleep to on the way to `deadline`: a wake-up at most
    /// `wakeInterval` away while it is further, nil once the last sleep can
    /// go straight to it.
    public func wake(before deadline: UInt64, now: UInt64) -> UInt64? {
        deadline > now + Self.wakeInterval ? now + Self.wakeInterval : nil
    }

    /// The datagram due at `deadline` left at `now`.
    public mutating func sent(deadline: UInt64, at now: UInt64) {
        pacingError.record(lateByNanoseconds: now > deadline ? now - deadline : 0)
    }

    /// The source was lost or came back: the next datagram anchors a new schedule.
    public mutating func restart() {
        schedule = nil
    }

    // MARK: Periodic work

    /// Whether the status is due; if so, the next one is `publishInterval` away.
    public mutating func publishDue(at now: UInt64) -> Bool {
        guard now >= nextPublish else { return false }
        nextPublish = now + Self.publishInterval
        return true
    }

    /// Whether the MDI interval closes; if so, the next one is `mdiInterval` away.
    public mutating func mdiDue(at now: UInt64) -> Bool {
        guard now >= nextMDI else { return false }
        nextMDI = now + Self.mdiInterval
        return true
    }

    /// When a checkpoint is due: how long until the datagram of
    /// `nextStreamTime` is due (0 when it already is), for its wall-clock time.
    public mutating func checkpointDue(at now: UInt64, nextStreamTime: UInt64) -> UInt64? {
        guard now >= nextCheckpoint, let schedule else { return nil }
        nextCheckpoint = now + Self.checkpointInterval
        let due = schedule.deadline(forStreamTime: nextStreamTime)
        return due > now ? due - now : 0
    }

    public enum RTCPTurn: Equatable, Sendable {
        /// Draw the first interval (RFC 3550 §6.2, halved); no report yet.
        case first
        /// Send a sender report stamped with the stream time due now, then draw the next interval.
        case report(streamTime: UInt64)
    }

    /// What RTCP does at `now`, nil when nothing is due.
    public func rtcpTurn(at now: UInt64) -> RTCPTurn? {
        guard now >= nextRTCP else { return nil }
        if nextRTCP == 0 { return .first }
        return .report(streamTime: schedule?.streamTime(atNanoseconds: now) ?? 0)
    }

    /// The next RTCP report is due at `instant`.
    public mutating func rtcpScheduled(at instant: UInt64) {
        nextRTCP = instant
    }
}
