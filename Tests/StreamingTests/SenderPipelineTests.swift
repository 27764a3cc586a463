import TestSupport
import Testing
@testable import Streaming

/// The pure parts of the sender added for sessmgrd: resynchronisation of a
/// damaged byte stream, the RFC 4445 MDI, the pacing-error histogram, the
/// bitrate meter and the stream lifecycle table.
@Suite struct TSResynchronizerTests {
    static let clean = SyntheticTS.cbrProgram(packets: 40, startPCR: 0, ticksPerPacket: 40_500).flatMap { $0 }

    @Test func cleanInputPassesWhole() {
        var reader = TSResynchronizer()
        var out: [UInt8] = []
        reader.accept(Self.clean, into: &out)
        reader.finish()
        #expect(out == Self.clean)
        #expect(reader.counters.packets == 40 && reader.counters.syncLosses == 0 && reader.counters.skippedBytes == 0)
    }

    @Test func oneByteAtATimeGivesTheSamePackets() {
        var reader = TSResynchronizer()
        var out: [UInt8] = []
        for byte in Self.clean { reader.accept([byte], into: &out) }
        reader.finish()
        #expect(out == Self.clean)
    }

    /// Garbage in front and in the middle is skipped and counted; the packets around it survive.
    @Test func garbageIsSkippedAndSyncRetaken() {
        let garbage: [UInt8] = [1, 2, 3, 0x47, 5, 6, 7]
        let input = garbage + Self.clean[0..<(188 * 10)] + garbage + Self.clean[(188 * 10)...]
        var reader = TSResynchronizer()
        var out: [UInt8] = []
        reader.accept(input, into: &out)
        reader.finish()
        #expect(out == Self.clean)
        #expect(reader.counters.syncLosses == 1)
        #expect(reader.counters.skippedBytes == UInt64(2 * garbage.count))
    }

    /// A file cut mid-packet: the whole packets pass, the tail is counted as truncated.
    @Test func truncatedTailIsCounted() {
        var reader = TSResynchronizer()
        var out: [UInt8] = []
        reader.accept(Self.clean[0..<(188 * 5 + 100)], into: &out)
        reader.finish()
        #expect(out.count == 188 * 5)
        #expect(reader.counters.truncatedBytes == 100)
    }

    /// A packet in sync whose adaptation_field_control is reserved ('00') is dropped and counted.
    @Test func invalidPacketIsDropped() {
        var input = Self.clean
        input[188 * 3 + 3] &= 0xCF
        var reader = TSResynchronizer()
        var out: [UInt8] = []
        reader.accept(input, into: &out)
        #expect(reader.counters.invalidPackets == 1)
        #expect(out.count == Self.clean.count - 188)
    }

    /// 204-byte packets (Reed-Solomon) never line up at 188: nothing is passed on, all skipped.
    @Test func wrongPacketSizeNeverLocks() {
        var input: [UInt8] = []
        for packet in SyntheticTS.cbrProgram(packets: 30, startPCR: 0, ticksPerPacket: 40_500) {
            input += packet + [UInt8](repeating: 0, count: 16)
        }
        var reader = TSResynchronizer()
        var out: [UInt8] = []
        reader.accept(input, into: &out)
        reader.finish()
        #expect(out.isEmpty)
        #expect(reader.counters.skippedBytes == UInt64(input.count))
    }

    /// Bounded randomised fuzz of the reader path: random bytes, mutated and
    /// spliced streams in random chunk sizes. Nothing traps, every byte is
    /// accounted for (passed, skipped, invalid, truncated) and all output is in sync.
    @Test func fuzzedInputIsAccountedForByteByByte() throws {
        var generator = SeededGenerator(seed: 4445)
        for _ in 0..<3000 {
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: input += (0..<Int.random(in: 0...600, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                case 1:
                    let start = Int.random(in: 0..<(Self.clean.count - 188), using: &generator)
                    input += Self.clean[start..<min(Self.clean.count, start + Int.random(in: 1...4000, using: &generator))]
                default:
                    var slice = Array(Self.clean[0..<(188 * 8)])
                    for _ in 0..<4 { slice[Int.random(in: 0..<slice.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
                    input += slice
                }
            }
            var reader = TSResynchronizer()
            var out: [UInt8] = []
            var cursor = 0
            while cursor < input.count {
                let size = Int.random(in: 1...700, using: &generator)
                reader.accept(input[cursor..<min(input.count, cursor + size)], into: &out)
                cursor += size
            }
            reader.finish()
            let c = reader.counters
            #expect(out.count % 188 == 0)
            #expect(UInt64(out.count) == c.packets * 188)
            #expect(c.packets * 188 + c.skippedBytes + c.invalidPackets * 188 + c.truncatedBytes == UInt64(input.count))
            for offset in stride(from: 0, to: out.count, by: 188) {
                #expect(out[offset] == 0x47)
                _ = try TSPacket(out, at: offset)
            }
        }
    }
}

@Suite struct MediaDeliveryIndexTests {
    /// RFC 4445 §3.1: a stream sent exactly at its media rate keeps the virtual
    /// buffer at one packet, so DF is one packet's time (1316 B at 10.528 Mbit/s = 1 ms).
    @Test func evenStreamHasADelayFactorOfOnePacket() throws {
        var mdi = MediaDeliveryIndex(mediaRate: 10_528_000)
        for i in 0..<1000 { mdi.record(bytes: 1316, atNanoseconds: UInt64(i) * 1_000_000) }
        let closed = mdi.closeInterval(atNanoseconds: 1_000_000_000)
        let reading = try #require(closed)
        #expect(abs(reading.delayFactorMilliseconds - 1.0) < 0.01)
        #expect(reading.mediaLossRate == 0)
    }

    /// Ten packets in one burst every 10 ms need ten packets of buffer: DF 10 ms.
    @Test func burstsRaiseTheDelayFactor() throws {
        var mdi = MediaDeliveryIndex(mediaRate: 10_528_000)
        for burst in 0..<100 {
            for _ in 0..<10 { mdi.record(bytes: 1316, atNanoseconds: UInt64(burst) * 10_000_000) }
        }
        let closed = mdi.closeInterval(atNanoseconds: 1_000_000_000)
        let reading = try #require(closed)
        #expect(abs(reading.delayFactorMilliseconds - 10.0) < 0.05)
    }

    /// §3.2: a continuity counter that skips counts as lost media packets per second.
    @Test func continuityGapsAreTheLossRate() throws {
        var mdi = MediaDeliveryIndex(mediaRate: 1_000_000)
        for cc: UInt8 in [0, 1, 2, 5, 6, 6, 7, 9] {
            mdi.observe(try TSPacket(SyntheticTS.packet(pid: 0x101, cc: cc, payload: [UInt8](repeating: 0, count: 184))))
        }
        mdi.observe(try TSPacket(SyntheticTS.packet(pid: TSPacket.nullPID, cc: 3, payload: [UInt8](repeating: 0xFF, count: 184))))
        mdi.record(bytes: 188, atNanoseconds: 0)
        let closed = mdi.closeInterval(atNanoseconds: 2_000_000_000)
        let reading = try #require(closed)
        #expect(reading.mediaLossRate == 1.0)  // two gaps (2→5, 7→9; 6,6 is a duplicate) over 2 s
        #expect(mdi.totalLost == 2)
    }
}

@Suite struct PacingErrorHistogramTests {
    @Test func quantilesOfKnownSamples() {
        var histogram = PacingErrorHistogram()
        #expect(histogram.quantile(0.5) == nil)
        for micros in 1...100 { histogram.record(lateByNanoseconds: UInt64(micros) * 1000 + 999) }
        #expect(histogram.quantile(0.5) == 50)
        #expect(histogram.quantile(0.99) == 99)
        #expect(histogram.maximumMicroseconds == 100)
        histogram.record(lateByNanoseconds: 5_000_000_000)
        #expect(histogram.quantile(1.0) == UInt64(PacingErrorHistogram.resolvedMicroseconds))
        #expect(histogram.maximumMicroseconds == 5_000_000)
    }
}

@Suite struct BitrateMeterTests {
    @Test func currentAndAverage() {
        var meter = BitrateMeter()
        // 1316 bytes every ms = 10.528 Mbit/s for 3 s.
        for i in 0...3000 { meter.record(bytes: 1316, atNanoseconds: UInt64(i) * 1_000_000) }
        #expect(meter.current == 10_528_000)
        #expect(meter.average(atNanoseconds: 3_000_000_000) == 10_531_509)  // 3001 datagrams over 3 s
    }
}

@Suite struct StreamLifecycleTests {
    typealias L = StreamLifecycle

    @Test func startSendStop() {
        var lifecycle = L()
        #expect(lifecycle.handle(.startRequested) == [.launch, .audit("stream-start")])
        #expect(lifecycle.state == .starting)
        #expect(lifecycle.handle(.sending) == [])
        #expect(lifecycle.state == .streaming)
        #expect(lifecycle.handle(.startRequested) == [], "a running stream is not launched twice")
        #expect(lifecycle.handle(.stopRequested) == [.halt])
        #expect(lifecycle.handle(.stopRequested) == [], "one halt per stop")
        #expect(lifecycle.state == .streaming)
        #expect(lifecycle.handle(.ended) == [.audit("stream-stop")])
        #expect(lifecycle.state == .stopped)
    }

    @Test func sourceLossAndRecovery() {
        var lifecycle = L()
        _ = lifecycle.handle(.startRequested)
        _ = lifecycle.handle(.sending)
        #expect(lifecycle.handle(.sourceLost) == [.audit("stream-source-lost")])
        #expect(lifecycle.state == .sourceLost && lifecycle.state.word == "source-lost")
        #expect(lifecycle.handle(.sending) == [.audit("stream-source-recovered")])
        #expect(lifecycle.state == .streaming)
    }

    @Test func failureKeepsTheReasonAndAllowsARestart() {
        var lifecycle = L()
        _ = lifecycle.handle(.startRequested)
        #expect(lifecycle.handle(.failed("no PCR")) == [.audit("stream-error")])
        #expect(lifecycle.state == .error("no PCR") && lifecycle.state.reason == "no PCR")
        #expect(lifecycle.handle(.ended) == [], "the thread ending after a failure changes nothing")
        #expect(lifecycle.handle(.startRequested) == [.launch, .audit("stream-start")])
        _ = lifecycle.handle(.failed("again"))
        #expect(lifecycle.handle(.stopRequested) == [.audit("stream-stop")])
        #expect(lifecycle.state == .stopped)
    }

    @Test func aFailureWhileStoppingIsAStop() {
        var lifecycle = L()
        _ = lifecycle.handle(.startRequested)
        _ = lifecycle.handle(.stopRequested)
        #expect(lifecycle.handle(.failed("socket closed")) == [])
        #expect(lifecycle.handle(.ended) == [.audit("stream-stop")])
        #expect(lifecycle.state == .stopped)
    }

    @Test func aThreadEndingUnaskedIsAnError() {
        var lifecycle = L()
        _ = lifecycle.handle(.startRequested)
        #expect(lifecycle.handle(.ended) == [.audit("stream-error")])
        #expect(lifecycle.state.word == "error")
    }

    @Test func stoppedIgnoresEverythingButStart() {
        var lifecycle = L()
        for event: L.Event in [.sending, .sourceLost, .failed("x"), .stopRequested, .ended] {
            #expect(lifecycle.handle(event) == [])
            #expect(lifecycle.state == .stopped)
        }
    }
}
