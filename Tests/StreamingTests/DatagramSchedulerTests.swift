import Testing
@testable import Streaming

/// The sending thread's timing decisions, driven by a synthetic clock: no
/// sleeping, no sockets. Stream times are 27 MHz ticks (27 000 = 1 ms).
@Suite struct DatagramSchedulerTests {
    static let ms: UInt64 = 1_000_000
    static let tick1ms: UInt64 = 27_000

    @Test func theFirstDatagramAnchorsTheScheduleAfterTheStartDelay() {
        var scheduler = DatagramScheduler(startDelay: 20 * Self.ms, now: 1_000 * Self.ms)
        #expect(scheduler.schedule == nil)
        let first = scheduler.due(streamTime: 5 * Self.tick1ms, now: 1_000 * Self.ms)
        #expect(first == .init(deadline: 1_020 * Self.ms, reanchored: false))
        #expect(scheduler.schedule == PacingSchedule(anchorNanoseconds: 1_020 * Self.ms, anchorStreamTime: 5 * Self.tick1ms))
    }

    @Test func laterDatagramsAreDueAtTheirStreamTimeOnTheSameAnchor() {
        var scheduler = DatagramScheduler(startDelay: 20 * Self.ms, now: 0)
        _ = scheduler.due(streamTime: 0, now: 0)
        // Asked early (the thread ran ahead), the deadline still follows the stream clock.
        let early = scheduler.due(streamTime: 30 * Self.tick1ms, now: 5 * Self.ms)
        #expect(early == .init(deadline: 50 * Self.ms, reanchored: false))
        // A little late (up to 100 ms): sent at once on the old deadline, no re-anchor.
        let slightlyLate = scheduler.due(streamTime: 40 * Self.tick1ms, now: 160 * Self.ms)
        #expect(slightlyLate == .init(deadline: 60 * Self.ms, reanchored: false))
    }

    @Test func aDatagramMoreThan100MillisecondsLateReanchorsAtNowInsteadOfBursting() {
        var scheduler = DatagramScheduler(startDelay: 20 * Self.ms, now: 0)
        _ = scheduler.due(streamTime: 0, now: 0)
        // Due at 60 ms; the thread was held until 161 ms.
        let late = scheduler.due(streamTime: 40 * Self.tick1ms, now: 161 * Self.ms)
        #expect(late == .init(deadline: 161 * Self.ms, reanchored: true))
        // The next datagram follows from the new anchor, 1 ms of stream later.
        let next = scheduler.due(streamTime: 41 * Self.tick1ms, now: 161 * Self.ms)
        #expect(next == .init(deadline: 162 * Self.ms, reanchored: false))
    }

    @Test func aDeadlineMoreThanTwoSecondsAheadReanchors() {
        var scheduler = DatagramScheduler(startDelay: 0, now: 0)
        _ = scheduler.due(streamTime: 0, now: 0)
        let twoSecondsAhead = scheduler.due(streamTime: 2_000 * Self.tick1ms, now: 0)
        #expect(twoSecondsAhead == .init(deadline: 2_000 * Self.ms, reanchored: false))
        let jumped = scheduler.due(streamTime: 2_001 * Self.tick1ms, now: 0)
        #expect(jumped == .init(deadline: 0, reanchored: true))
    }

    @Test func aRestartAnchorsTheNextDatagramAfterTheStartDelayAgain() {
        var scheduler = DatagramScheduler(startDelay: 150 * Self.ms, now: 0)
        _ = scheduler.due(streamTime: 0, now: 0)
        scheduler.restart()
        #expect(scheduler.schedule == nil)
        let due = scheduler.due(streamTime: 90_000 * Self.tick1ms, now: 5_000 * Self.ms)
        #expect(due == .init(deadline: 5_150 * Self.ms, reanchored: false), "a new anchor is not a reset")
    }

    @Test func theWaitIsCutInto50MillisecondSleepsSoAStopIsSeen() {
        let scheduler = DatagramScheduler(startDelay: 0, now: 0)
        var now: UInt64 = 0
        var wakes: [UInt64] = []
        while let wake = scheduler.wake(before: 120 * Self.ms, now: now) {
            wakes.append(wake)
            now = wake + Self.ms  // each wake-up 1 ms late
        }
        #expect(wakes == [50 * Self.ms, 101 * Self.ms])
        #expect(scheduler.wake(before: 50 * Self.ms, now: 0) == nil, "50 ms or less: straight to the deadline")
    }

    @Test func pacingErrorCountsOnlyLatenessNeverEarliness() {
        var scheduler = DatagramScheduler(startDelay: 0, now: 0)
        scheduler.sent(deadline: 10 * Self.ms, at: 10 * Self.ms + 30_000)
        scheduler.sent(deadline: 10 * Self.ms, at: 9 * Self.ms)
        scheduler.sent(deadline: 10 * Self.ms, at: 10 * Self.ms + 2_000_000)
        #expect(scheduler.pacingError.count == 3)
        #expect(scheduler.pacingError.maximumMicroseconds == 2_000)
        #expect(scheduler.pacingError.quantile(0.5) == 30)
    }

    @Test func statusCheckpointAndMDIComeDueOnTheirOwnIntervals() {
        var scheduler = DatagramScheduler(startDelay: 20 * Self.ms, now: 0)
        _ = scheduler.due(streamTime: 0, now: 0)  // due at 20 ms
        // Each next one is an interval after the last one was made, not after the last due time.
        let publishes = [0, 99, 105, 204, 205].map { scheduler.publishDue(at: $0 * Self.ms) }
        #expect(publishes == [true, false, true, false, true])
        let intervals = [999, 1_000, 1_999, 2_000].map { scheduler.mdiDue(at: $0 * Self.ms) }
        #expect(intervals == [false, true, false, true])
        // A checkpoint gives how long until the next datagram is due (for its wall-clock time).
        let checkpoints = [5, 204, 205].map { scheduler.checkpointDue(at: $0 * Self.ms, nextStreamTime: 10 * Self.tick1ms) }
        #expect(checkpoints == [25 * Self.ms, nil, 0])
    }

    @Test func rtcpFirstDrawsAnIntervalThenReportsTheStreamTimeDueNow() {
        var scheduler = DatagramScheduler(startDelay: 20 * Self.ms, now: 0)
        _ = scheduler.due(streamTime: 1_000 * Self.tick1ms, now: 0)  // stream 1 s is due at 20 ms
        #expect(scheduler.rtcpTurn(at: 20 * Self.ms) == .first)
        scheduler.rtcpScheduled(at: 2_520 * Self.ms)
        #expect(scheduler.rtcpTurn(at: 2_519 * Self.ms) == nil)
        #expect(scheduler.rtcpTurn(at: 2_520 * Self.ms) == .report(streamTime: 3_500 * Self.tick1ms))
    }

    @Test func readingAheadStopsAtADatagramWithAPCRAtOrAfterIt() {
        var clock = PCRClock()
        let look = { (packets: Int, clock: PCRClock?, first: UInt64) in
            DatagramScheduler.lookahead(packets: packets, perDatagram: 7, clock: clock, firstPacket: first, limit: 100)
        }
        #expect(look(7, nil, 0) == .read, "no PCR yet")
        clock.observe(packetIndex: 0, pcr: 0)
        #expect(look(7, clock, 0) == .read, "one PCR gives no rate")
        clock.observe(packetIndex: 10, pcr: 27_000)
        #expect(look(7, clock, 0) == .cut)
        #expect(look(6, clock, 0) == .read, "less than a datagram")
        #expect(look(12, clock, 11) == .read, "the datagram starts after the last PCR: read on to the next")
        #expect(look(100, clock, 11) == .cut, "past the limit: extrapolate from the last two")
        #expect(look(100, nil, 0) == .unpaceable)
    }
}
