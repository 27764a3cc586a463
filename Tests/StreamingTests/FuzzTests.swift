import TestSupport
import Testing
@testable import Streaming

/// Seeded random and mutated input into every parser: nothing traps, failures
/// come back as the parser's typed error, and what parses is self-consistent.
@Suite struct FuzzTests {
    static let rounds = 20_000

    /// A valid packet with a few random bytes changed, or wholly random bytes.
    static func mutatedPacket(_ generator: inout SeededGenerator, seeds: [[UInt8]]) -> [UInt8] {
        if Int.random(in: 0..<10, using: &generator) == 0 {
            return (0..<Int.random(in: 0...200, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        var bytes = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            // Mostly the header and adaptation field, where the structure is.
            let index = Int.random(in: 0..<(Bool.random(using: &generator) ? 24 : bytes.count), using: &generator)
            bytes[index] = UInt8.random(in: 0...255, using: &generator)
        }
        if Int.random(in: 0..<20, using: &generator) == 0 { bytes.removeLast(Int.random(in: 1...bytes.count, using: &generator)) }
        return bytes
    }

    static var seedPackets: [[UInt8]] {
        SyntheticTS.cbrProgram(packets: 60, startPCR: 0, ticksPerPacket: 40_500) + [PSITests.ffmpegPAT]
    }

    @Test func mutatedPacketsIntoTheTSParsersAndRewriters() throws {
        var generator = SeededGenerator(seed: 188)
        let seeds = Self.seedPackets
        let splice = LoopContinuity(loopDuration: 27_000_000, continuityShifts: [0x101: 3, 0: 1])
        var parsed = 0
        for _ in 0..<Self.rounds {
            var bytes = Self.mutatedPacket(&generator, seeds: seeds)
            do {
                let packet = try TSPacket(bytes)
                parsed += 1
                #expect((4...188).contains(packet.payloadOffset))
                #expect(packet.pid <= 0x1FFF && packet.continuityCounter <= 15)
                var copy = bytes
                try TSPacket.rewriteContinuityCounter(packet.continuityCounter &+ 1, in: &copy)
                var expected = packet
                expected.continuityCounter = (packet.continuityCounter + 1) & 0x0F
                #expect(try TSPacket(copy) == expected)
                if let pcr = packet.pcr {
                    try TSPacket.rewritePCR(pcr &+ 27_000_000, in: &copy)
                    #expect(try TSPacket(copy).pcr == (pcr + 27_000_000) % MediaClock.pcrModulus)
                }
            } catch {
                #expect(!error.description.isEmpty)
            }
            do { _ = try PESTimestamps.shift(by: 12_345, in: &bytes) } catch { #expect(!error.description.isEmpty) }
            do { _ = try splice.rewrite(&bytes, loop: UInt64.random(in: 0...5, using: &generator)) } catch {
                #expect(!error.description.isEmpty)
            }
            do { _ = try ProgramAssociationTable(packet: bytes) } catch { #expect(!error.description.isEmpty) }
            do { _ = try ProgramMapTable(packet: bytes) } catch { #expect(!error.description.isEmpty) }
        }
        #expect(parsed > Self.rounds / 4)  // the mutations still reach past the header
    }

    @Test func mutatedPSISectionsWithValidCRCsIntoThePMTParser() {
        // A CRC over mutated bytes gets the garbage past the CRC check and into the loops.
        var generator = SeededGenerator(seed: 2)
        let pmt = ProgramMapTable(programNumber: 1, pcrPID: 0x100, programInfo: [1, 2, 3],
                                  streams: [.init(streamType: 0x1B, pid: 0x100, descriptors: [5, 1, 0]), .init(streamType: 0x0F, pid: 0x101)])
        let section = pmt.encoded()
        var parsed = 0
        for _ in 0..<Self.rounds {
            var body = Array(section[8..<(section.count - 4)])
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                body[Int.random(in: 0..<body.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if Bool.random(using: &generator) { body.removeLast(Int.random(in: 0..<body.count, using: &generator)) }
            let mutated = PSISection(tableID: 2, tableIDExtension: 1, body: body).encoded()
            let packet = SyntheticTS.packet(pid: 0x1000, cc: 0, pusi: true, payload: SyntheticTS.psi(mutated))
            do { _ = try ProgramMapTable(packet: packet); parsed += 1 } catch {
                guard case .malformedBody = error else { Issue.record("unexpected \(error)"); continue }
            }
        }
        #expect(parsed > 0)
    }

    @Test func randomAndMutatedDatagramsIntoRTPRTCPAndTheReassembler() {
        var generator = SeededGenerator(seed: 3550)
        let sr = RTCPCompoundPacket.senderReport(RTCPTests.report, cname: "sessmgrd@host")
        var rr: [UInt8] = []
        RTCPReceiverReport(ssrc: 1, reports: [RTCPReportBlock(ssrc: 2)]).encode(into: &rr)
        RTCPSourceDescription(ssrc: 1, cname: "probe").encode(into: &rr)
        let seeds = [sr, rr, UDPTSReassemblerTests.rtp(7), UDPTSReassemblerTests.tsPayload(7)]
        var reassembler = UDPTSReassembler()
        for _ in 0..<Self.rounds {
            var bytes = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
            if Int.random(in: 0..<8, using: &generator) == 0 {
                bytes = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            } else {
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let index = Int.random(in: 0..<min(bytes.count, 64), using: &generator)
                    bytes[index] = UInt8.random(in: 0...255, using: &generator)
                }
                if Int.random(in: 0..<4, using: &generator) == 0 { bytes.removeLast(Int.random(in: 0..<bytes.count, using: &generator)) }
            }
            do { _ = try RTCPCompoundPacket.decode(bytes) } catch { #expect(!error.description.isEmpty) }
            do {
                let (_, payload) = try RTPHeader.parse(bytes)
                #expect(payload.lowerBound >= 12 && payload.upperBound <= bytes.count && payload.lowerBound <= payload.upperBound)
            } catch { #expect(!error.description.isEmpty) }
            if case .packets(let payload, _) = reassembler.accept(bytes) {
                #expect(payload.count % 188 == 0 && payload.upperBound <= bytes.count)
            }
        }
        let c = reassembler.counters
        #expect(c.datagrams == Self.rounds)
        #expect(c.rawTSDatagrams + c.rtpDatagrams + c.malformedDatagrams + c.lateDatagrams <= c.datagrams)
        #expect(c.malformedDatagrams > 0 && c.rtpDatagrams + c.rawTSDatagrams > 0)
    }

    @Test func mutatedCheckpointsDecodeOrFailTyped() throws {
        var generator = SeededGenerator(seed: 9)
        let json = try CheckpointTests.checkpoint.encodedJSON()
        for _ in 0..<2_000 {  // JSONDecoder is slow in debug builds; 2 000 is enough to cover the shapes
            var bytes = json
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0x20...0x7E, using: &generator)
            }
            do {
                let checkpoint = try StreamCheckpoint.decode(json: bytes)
                #expect(checkpoint.sourceOffset % 188 == 0 && checkpoint.version == 1)
                _ = StreamResume(from: checkpoint, now: UInt64.random(in: 0...UInt64.max, using: &generator), fileSize: 188 * 777)
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    @Test func randomPCRSequencesNeverTrapTheClock() {
        var generator = SeededGenerator(seed: 27)
        var clock = PCRClock(capacity: 16)
        var index: UInt64 = 0
        for _ in 0..<Self.rounds {
            index += UInt64.random(in: 0...30, using: &generator)
            clock.observe(packetIndex: index, pcr: UInt64.random(in: 0...UInt64.max, using: &generator),
                          discontinuity: Int.random(in: 0..<50, using: &generator) == 0)
            _ = clock.sendTime(ofPacket: index &+ UInt64.random(in: 0...100, using: &generator) &- 50)
            _ = clock.bitrate
            if index % 97 == 0 { clock.forget(before: index) }
        }
        #expect(clock.observations.count <= 16)
    }
}
