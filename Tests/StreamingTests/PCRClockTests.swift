import Testing
@testable import Streaming

@Suite struct PCRClockTests {
    /// 7 Mbit/s: 1504 × 27e6 / 7e6 = 5801.142857... ticks per packet, so the
    /// interpolation has a fractional rate to get right.
    static let bitrate: UInt64 = 7_000_000
    static func idealTime(_ index: UInt64) -> UInt64 { index * 1504 * 27_000_000 / bitrate }

    /// A CBR stream with a PCR every 13 packets starting at packet 3.
    func cbrClock(pcrs: Int, start: UInt64 = 500_000, origin: UInt64 = 0) -> PCRClock {
        var clock = PCRClock(capacity: 1000, origin: origin)
        for n in 0..<pcrs {
            let index = UInt64(3 + 13 * n)
            let observed1 = clock.observe(packetIndex: index, pcr: start + Self.idealTime(index))
            #expect(observed1 == nil)
        }
        return clock
    }

    @Test func cbrSendTimesAreEvenlySpacedWithinOneTick() throws {
        // The first PCR at 1 s leaves room for the 3 packets before it.
        let clock = cbrClock(pcrs: 200, origin: 27_000_000)
        let offset = Int64(27_000_000) - Int64(Self.idealTime(3))
        for index in UInt64(0)..<(3 + 13 * 199 + 50) {  // before, between and after the PCRs
            let time = try #require(clock.sendTime(ofPacket: index))
            let expected = Int64(Self.idealTime(index)) + offset
            #expect(abs(Int64(time) - expected) <= 1, "packet \(index): \(time) vs \(expected)")
        }
        // Datagrams of 7: each due at its first packet, 40 608 ticks apart (± 1).
        var previous: UInt64?
        for datagram in UInt64(0)..<300 {
            let time = try #require(clock.sendTime(ofPacket: datagram * 7))
            if let previous { #expect(abs(Int64(time - previous) - 40_608) <= 1) }
            previous = time
        }
    }

    @Test func bitrateIsMeasuredFromThePCRs() throws {
        let clock = cbrClock(pcrs: 50)
        let measured = try #require(clock.bitrate)
        #expect(abs(Int64(measured) - Int64(Self.bitrate)) <= 1)
        #expect(PCRClock().bitrate == nil)
    }

    @Test func noSendTimeUntilTwoPCRs() {
        var clock = PCRClock()
        #expect(clock.sendTime(ofPacket: 0) == nil)
        clock.observe(packetIndex: 0, pcr: 100)
        #expect(clock.sendTime(ofPacket: 5) == nil)
        clock.observe(packetIndex: 10, pcr: 1100)
        #expect(clock.sendTime(ofPacket: 5) == 500)
        #expect(clock.sendTime(ofPacket: 20) == 2000)
        var late = PCRClock()  // first PCR at packet 10, time 0: packets before it are due at 0
        late.observe(packetIndex: 10, pcr: 0)
        late.observe(packetIndex: 20, pcr: 1000)
        #expect(late.sendTime(ofPacket: 5) == 0)
    }

    @Test func aRepeatedOrOutOfOrderPCRIsIgnored() {
        var clock = PCRClock()
        clock.observe(packetIndex: 0, pcr: 0)
        clock.observe(packetIndex: 10, pcr: 1000)
        let repeated = clock.observe(packetIndex: 10, pcr: 99_999_999)
        #expect(repeated == nil)
        let next = clock.observe(packetIndex: 20, pcr: 2000)  // judged against the PCR kept, not the ignored one
        #expect(next == nil)
        #expect(clock.sendTime(ofPacket: 15) == 1500)
    }

    @Test func thePCRWrapIsNotAJump() {
        var clock = PCRClock()
        let start = MediaClock.pcrModulus - 3 * 58_011
        for n in UInt64(0)..<10 {
            let observed2 = clock.observe(packetIndex: n * 10, pcr: (start + n * 58_011) % MediaClock.pcrModulus)
            #expect(observed2 == nil)
        }
        #expect(clock.sendTime(ofPacket: 90) == 9 * 58_011)
    }

    @Test func aBackwardsPCRIsAJumpAndTheTimelineContinues() throws {
        var clock = cbrClock(pcrs: 10)
        let index = UInt64(3 + 13 * 10)
        let observed3 = clock.observe(packetIndex: index, pcr: 1000)
        let jump = try #require(observed3)
        #expect(jump.kind == .backwards)
        #expect(jump.packetIndex == index)
        #expect(jump.error < 0)
        // Time still advances at the old rate through and after the jump.
        let after = try #require(clock.sendTime(ofPacket: index + 13))
        #expect(abs(Int64(after) - Int64(Self.idealTime(index + 13) - Self.idealTime(3))) <= 1)
        // And PCRs following on from the new value are normal again.
        let observed4 = clock.observe(packetIndex: index + 13, pcr: 1000 + Self.idealTime(13))
        #expect(observed4 == nil)
    }

    @Test func aForwardJumpBeyondToleranceIsReportedButSmallDriftIsNot() throws {
        var clock = cbrClock(pcrs: 10, start: 0)
        var index = UInt64(3 + 13 * 10)
        // 50 ms ahead of prediction: within the 100 ms tolerance.
        let observed5 = clock.observe(packetIndex: index, pcr: Self.idealTime(index) + 1_350_000)
        #expect(observed5 == nil)
        index += 13
        let observed6 = clock.observe(packetIndex: index, pcr: Self.idealTime(index) + 1_350_000 + 5_400_000)
        let jump = try #require(observed6)
        #expect(jump.kind == .forward)
        // Judged by the mean rate, the earlier 50 ms step hardly moves the prediction.
        #expect((5_000_000...5_400_000).contains(jump.error))
    }

    @Test func aSignalledDiscontinuityIsReportedEvenWithoutAStep() throws {
        var clock = cbrClock(pcrs: 5, start: 0)
        let index = UInt64(3 + 13 * 5)
        let observed7 = clock.observe(packetIndex: index, pcr: 500_000 + Self.idealTime(index), discontinuity: true)
        let jump = try #require(observed7)
        #expect(jump.kind == .signalled)
    }

    @Test func aHugeFirstStepBeforeAnyRateIsAJump() throws {
        var clock = PCRClock()
        clock.observe(packetIndex: 0, pcr: 0)
        let observed8 = clock.observe(packetIndex: 10, pcr: 27_000_000)
        let jump = try #require(observed8)
        #expect(jump.kind == .forward)
        let observed9 = clock.observe(packetIndex: 20, pcr: 27_000_000 + 1_000_000)
        #expect(observed9 == nil)  // 37 ms: fine
    }

    @Test func forgettingKeepsThePairAroundThePacket() throws {
        var clock = cbrClock(pcrs: 100)
        let before = try #require(clock.sendTime(ofPacket: 700))
        clock.forget(before: 700)
        #expect(clock.observations.count < 100)
        #expect(clock.observations[0].packetIndex <= 700)
        #expect(clock.sendTime(ofPacket: 700) == before)
    }

    @Test func ticksConvertToNanosecondsExactlyOverLongRuns() {
        #expect(MediaClock.nanoseconds(fromTicks: 27_000_000) == 1_000_000_000)
        #expect(MediaClock.nanoseconds(fromTicks: 27) == 1000)
        #expect(MediaClock.nanoseconds(fromTicks: 1) == 37)  // 37.037 rounded down
        // Ten days of 27 MHz: 2.3328e13 ticks, exactly 864 000 s.
        #expect(MediaClock.nanoseconds(fromTicks: 27_000_000 * 864_000) == 864_000 * 1_000_000_000)
        #expect(MediaClock.nanoseconds(fromTicks: 27_000_000 * 864_000 + 26) == 864_000 * 1_000_000_000 + 962)
        #expect(MediaClock.ticks(fromNanoseconds: 1_000_000_000) == 27_000_000)
        #expect(MediaClock.ticks(fromNanoseconds: 999) == 26)
        _ = MediaClock.nanoseconds(fromTicks: .max)  // no overflow trap
    }

    @Test func thePacingScheduleMapsStreamTimeToHostTimeAndBack() {
        let schedule = PacingSchedule(anchorNanoseconds: 5_000_000_000, anchorStreamTime: 270_000)
        #expect(schedule.deadline(forStreamTime: 270_000 + 27_000_000 * 3600) == 5_000_000_000 + 3_600_000_000_000)
        #expect(schedule.deadline(forStreamTime: 0) == 5_000_000_000)
        #expect(schedule.streamTime(atNanoseconds: 6_000_000_000) == 270_000 + 27_000_000)
        #expect(PacingSchedule.isDue(deadline: 10, now: 10))
        #expect(!PacingSchedule.isDue(deadline: 10, now: 9))
    }

    @Test func sourceLossIsReportedOnceAndRecoveryWithTheOutage() {
        var detector = SourceLossDetector(timeout: 1_000)
        #expect(detector.check(at: 5_000) == nil)  // nothing received yet
        #expect(detector.received(at: 10_000) == nil)
        #expect(detector.check(at: 10_999) == nil)
        #expect(detector.check(at: 11_000) == .lost(lastReceived: 10_000))
        #expect(detector.check(at: 12_000) == nil)
        #expect(detector.received(at: 13_500) == .recovered(outage: 3_500))
        #expect(detector.lossCount == 1 && !detector.isLost)
    }
}
