import Testing
@testable import Streaming

@Suite struct LoopContinuityTests {
    /// 40 500 ticks per packet (a multiple of 300: ~1.0027 Mbit/s) so the loop
    /// duration is exact; 437 packets so the file does not end on a PCR.
    static let ticksPerPacket: UInt64 = 40_500
    static let packetCount = 437

    func analyse(_ file: [[UInt8]]) throws -> LoopContinuity {
        var analyzer = LoopAnalyzer()
        for packet in file { try analyzer.observe(packet) }
        #expect(analyzer.pcrPID == SyntheticTS.videoPID)
        return try analyzer.finish()
    }

    func play(_ file: [[UInt8]], loops: UInt64, splice: LoopContinuity) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for loop in 0..<loops {
            for var packet in file {
                #expect(try splice.rewrite(&packet, loop: loop) == nil)
                out.append(packet)
            }
        }
        return out
    }

    @Test func theLoopDurationIsTheFilesPacketCountAtItsPCRRate() throws {
        let file = SyntheticTS.cbrProgram(packets: Self.packetCount, startPCR: 1_000_000, ticksPerPacket: Self.ticksPerPacket)
        let splice = try analyse(file)
        // PCR span (packets 2..432) plus the 5 packets beyond the last PCR and the 2 before the first.
        #expect(splice.loopDuration == UInt64(Self.packetCount) * Self.ticksPerPacket)
    }

    @Test func threeLoopsKeepCountersContinuousAndClocksIncreasing() throws {
        let file = SyntheticTS.cbrProgram(packets: Self.packetCount, startPCR: 1_000_000, ticksPerPacket: Self.ticksPerPacket)
        var plainChecker = ContinuityChecker()
        for packet in file { plainChecker.check(try TSPacket(packet)) }
        #expect(plainChecker.errors.isEmpty, "the synthetic file itself must be continuous")

        // Played without splicing, the loop point is a CC error: the test can fail.
        var naive = ContinuityChecker()
        for packet in file + file { naive.check(try TSPacket(packet)) }
        #expect(!naive.errors.isEmpty)

        let splice = try analyse(file)
        let output = try play(file, loops: 3, splice: splice)
        var checker = ContinuityChecker()
        var lastPCR: (index: Int, value: UInt64)?
        for (index, bytes) in output.enumerated() {
            let packet = try TSPacket(bytes)
            checker.check(packet)
            if let pcr = packet.pcr {
                if let last = lastPCR {
                    #expect(pcr > last.value)
                    #expect(pcr - last.value == UInt64(index - last.index) * Self.ticksPerPacket)
                }
                lastPCR = (index, pcr)
            }
        }
        #expect(checker.errors.isEmpty, "CC errors: \(checker.errors.prefix(5))")
        // Null packets pass unchanged.
        for (index, bytes) in output.enumerated() where bytes[1] & 0x1F == 0x1F && bytes[2] == 0xFF {
            #expect(bytes == file[index % Self.packetCount])
        }
    }

    @Test func ptsAndDTSMoveByTheLoopDurationEachPass() throws {
        let file = SyntheticTS.cbrProgram(packets: Self.packetCount, startPCR: 1_000_000, ticksPerPacket: Self.ticksPerPacket)
        let splice = try analyse(file)
        let output = try play(file, loops: 3, splice: splice)
        var previousVideoPTS: UInt64?
        for (index, bytes) in output.enumerated() {
            guard let original = try PESTimestamps.locate(in: file[index % Self.packetCount]) else { continue }
            let rewritten = try #require(try PESTimestamps.locate(in: bytes))
            let loop = UInt64(index / Self.packetCount)
            #expect(rewritten.pts == original.pts + loop * splice.loopDuration / 300)
            if let dts = original.dts { #expect(rewritten.dts == dts + loop * splice.loopDuration / 300) }
            if try TSPacket(bytes).pid == SyntheticTS.videoPID {
                if let previous = previousVideoPTS { #expect(rewritten.pts > previous) }
                previousVideoPTS = rewritten.pts
            }
        }
    }

    /// Start 1.5 loops before the 2^33 × 300 wrap: PCR and PTS wrap inside pass 1
    /// and still advance by exactly the byte-rate time from PCR to PCR.
    @Test func clocksWrapAt33BitsAcrossLoops() throws {
        let duration = UInt64(Self.packetCount) * Self.ticksPerPacket
        let start = MediaClock.pcrModulus - duration * 3 / 2 / 300 * 300
        let file = SyntheticTS.cbrProgram(packets: Self.packetCount, startPCR: start, ticksPerPacket: Self.ticksPerPacket)
        let splice = try analyse(file)
        #expect(splice.loopDuration == duration)
        let output = try play(file, loops: 3, splice: splice)
        var lastPCR: (index: Int, value: UInt64)?
        var wrapped = false
        for (index, bytes) in output.enumerated() {
            guard let pcr = try TSPacket(bytes).pcr else { continue }
            if let last = lastPCR {
                if pcr < last.value { wrapped = true }
                #expect(MediaClock.forwardDistance(from: last.value, to: pcr, modulus: MediaClock.pcrModulus)
                        == UInt64(index - last.index) * Self.ticksPerPacket)
            }
            lastPCR = (index, pcr)
        }
        #expect(wrapped)
        var checker = ContinuityChecker()
        for bytes in output { checker.check(try TSPacket(bytes)) }
        #expect(checker.errors.isEmpty)
    }

    /// The splice is a function of the loop number: pass 1000 computed directly
    /// equals what continuity demands after pass 999.
    @Test func aLatePassIsComputedDirectlyFromItsNumber() throws {
        let file = SyntheticTS.cbrProgram(packets: Self.packetCount, startPCR: 0, ticksPerPacket: Self.ticksPerPacket)
        let splice = try analyse(file)
        var head = try #require(file.first)
        try splice.rewrite(&head, loop: 1000)
        var checker = ContinuityChecker()
        // The PAT (PID 0) first packet of pass 1000 follows its last packet of pass 999.
        let lastPAT = try file.lastIndex { try TSPacket($0).pid == 0 }.map { index -> [UInt8] in
            var packet = file[index]
            try splice.rewrite(&packet, loop: 999)
            return packet
        }
        checker.check(try TSPacket(try #require(lastPAT)))
        checker.check(try TSPacket(head))
        #expect(checker.errors.isEmpty)
        let rebuilt = LoopContinuity(loopDuration: splice.loopDuration, continuityShifts: splice.continuityShifts)
        #expect(rebuilt == splice)
        #expect(splice.pcrOffset(loop: 1000) == 1000 * splice.loopDuration % MediaClock.pcrModulus)
    }

    @Test func filesWithoutTwoPCRsCannotBeLooped() throws {
        #expect(throws: LoopError.empty) { try LoopAnalyzer().finish() }
        var analyzer = LoopAnalyzer()
        try analyzer.observe(SyntheticTS.packet(pid: 0x100, cc: 0, pcr: 5, payload: []))
        try analyzer.observe(SyntheticTS.packet(pid: 0x100, cc: 0, payload: []))
        #expect(throws: LoopError.notEnoughPCRs(found: 1)) { try analyzer.finish() }
        #expect(throws: TSPacketError.wrongSyncByte(0)) { try analyzer.observe([UInt8](repeating: 0, count: 188)) }
    }
}
