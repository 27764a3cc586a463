import Testing
@testable import Streaming

@Suite struct UDPTSReassemblerTests {
    static func tsPayload(_ count: Int, firstCC: UInt8 = 0) -> [UInt8] {
        (0..<count).flatMap { SyntheticTS.packet(pid: 0x100, cc: firstCC &+ UInt8($0), payload: [UInt8](repeating: 5, count: 184)) }
    }

    static func rtp(_ sequence: UInt16, ssrc: UInt32 = 9, packets: Int = 7, payloadType: UInt8 = 33) -> [UInt8] {
        RTPHeader(payloadType: payloadType, sequenceNumber: sequence, timestamp: 0, ssrc: ssrc).encoded() + tsPayload(packets)
    }

    @Test func rawTSDatagramsYieldTheirPackets() {
        var reassembler = UDPTSReassembler()
        let datagram = Self.tsPayload(7)
        let outcome1 = reassembler.accept(datagram)
        #expect(outcome1 == .packets(payload: 0..<1316, framing: .rawTS))
        #expect(reassembler.counters.rawTSDatagrams == 1 && reassembler.counters.tsPackets == 7)
    }

    @Test func rtpDatagramsAreDetectedAndYieldTheirPayload() throws {
        var reassembler = UDPTSReassembler()
        guard case .packets(let payload, .rtp(let header)) = reassembler.accept(Self.rtp(100)) else {
            Issue.record("RTP datagram not accepted")
            return
        }
        #expect(payload == 12..<1328)
        #expect(header.sequenceNumber == 100 && header.ssrc == 9)
        #expect(reassembler.counters.rtpDatagrams == 1)
    }

    @Test func sequenceGapsCountAsLossAndLateDatagramsAreDropped() {
        var reassembler = UDPTSReassembler()
        for sequence: UInt16 in [65_534, 65_535, 2, 3] { _ = reassembler.accept(Self.rtp(sequence)) }  // 0 and 1 lost across the wrap
        #expect(reassembler.counters.lostDatagrams == 2)
        let outcome2 = reassembler.accept(Self.rtp(1))
        #expect(outcome2 == .refused(.late(sequence: 1)))
        let duplicate = reassembler.accept(Self.rtp(3))
        #expect(duplicate == .refused(.late(sequence: 3)))
        #expect(reassembler.counters.lateDatagrams == 2)
        #expect(reassembler.counters.rtpDatagrams == 4)
    }

    @Test func aLargeJumpIsBelievedOnlyWhenTheNextDatagramConfirmsIt() {
        var reassembler = UDPTSReassembler()
        _ = reassembler.accept(Self.rtp(10))
        let outcome3 = reassembler.accept(Self.rtp(30_000))
        #expect(outcome3 == .refused(.unconfirmedJump(sequence: 30_000)))
        if case .refused = reassembler.accept(Self.rtp(30_001)) { Issue.record("confirmed jump refused") }
        #expect(reassembler.counters.sequenceResets == 1)
        #expect(reassembler.counters.lostDatagrams == 0)
        // A new SSRC starts a new sequence at once.
        if case .refused = reassembler.accept(Self.rtp(5, ssrc: 77)) { Issue.record("new SSRC refused") }
        #expect(reassembler.counters.ssrcChanges == 1)
    }

    @Test func malformedDatagramsAreCountedAndSkipped() {
        var reassembler = UDPTSReassembler()
        let cases: [[UInt8]] = [
            [],
            Array(Self.tsPayload(2)[0..<300]),                       // raw, not a multiple of 188
            Self.tsPayload(1) + [0x00] + Array(Self.tsPayload(1)[1...]),  // raw, second packet out of sync
            Self.rtp(1, payloadType: 96),                            // not MP2T
            RTPHeader(payloadType: 33, sequenceNumber: 1, timestamp: 0, ssrc: 1).encoded(),  // no payload
            RTPHeader(payloadType: 33, sequenceNumber: 1, timestamp: 0, ssrc: 1).encoded() + [UInt8](repeating: 0, count: 188),
            [0x00, 0x01, 0x02],                                       // neither
        ]
        for datagram in cases {
            guard case .refused(.malformed(let why)) = reassembler.accept(datagram) else {
                Issue.record("accepted \(datagram.prefix(16))")
                continue
            }
            #expect(!why.isEmpty)
        }
        #expect(reassembler.counters.malformedDatagrams == cases.count)
        #expect(reassembler.counters.tsPackets == 0)
    }
}
