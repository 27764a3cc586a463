import TestSupport
import Testing
@testable import Streaming

@Suite struct RTCPTests {
    @Test func ntpTimestampsOfKnownInstants() {
        // The Unix epoch is 2 208 988 800 s after the NTP epoch (RFC 868, RFC 5905 Figure 4).
        #expect(NTPTimestamp(unixNanoseconds: 0) == NTPTimestamp(seconds: 0x83AA_7E80, fraction: 0))
        // 2023-11-14 22:13:20.5 UTC = Unix 1 700 000 000.5.
        let instant = NTPTimestamp(unixNanoseconds: 1_700_000_000_500_000_000)
        #expect(instant == NTPTimestamp(seconds: 0xE8FE_6F80, fraction: 0x8000_0000))
        #expect(instant.compact == 0x6F80_8000)
        #expect(NTPTimestamp(unixNanoseconds: 250_000_000).fraction == 0x4000_0000)
        #expect(NTPTimestamp(unixNanoseconds: 1).fraction == 4)  // 2^32 / 1e9 = 4.29 rounded down
        #expect(instant.unixNanoseconds == 1_700_000_000_500_000_000)
    }

    @Test func ntpConversionRoundTripsEveryNanosecondValue() {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<5000 {
            let ns = UInt64.random(in: 0..<(2_085_978_496 * 1_000_000_000), using: &generator)  // until 2036
            #expect(NTPTimestamp(unixNanoseconds: ns).unixNanoseconds == ns)
        }
    }

    static let report = RTCPSenderReport(ssrc: 0xCAFE_F00D, ntpTimestamp: NTPTimestamp(seconds: 0xE8FE_6F80, fraction: 0x8000_0000),
                                         rtpTimestamp: 0x1234_5678, packetCount: 1000, octetCount: 1_316_000)

    @Test func aSenderReportWithCNAMERoundTripsFieldByField() throws {
        let bytes = RTCPCompoundPacket.senderReport(Self.report, cname: "sessmgrd@encoder-1")
        // SR: V=2 RC=0, PT 200, length 6 words-1 (28 bytes) (RFC 3550 §6.4.1).
        #expect(Array(bytes[0..<8]) == [0x80, 200, 0x00, 0x06, 0xCA, 0xFE, 0xF0, 0x0D])
        #expect(Array(bytes[8..<16]) == [0xE8, 0xFE, 0x6F, 0x80, 0x80, 0x00, 0x00, 0x00])
        // SDES: V=2 SC=1, PT 202; 4 header + 4 SSRC + 2 + 18 + END = 29, padded to 32 → length 7.
        #expect(Array(bytes[28..<32]) == [0x81, 202, 0x00, 0x07])
        #expect(Array(bytes[36..<38]) == [1, 18])
        #expect(bytes.count == 28 + 32)
        #expect(bytes.count % 4 == 0)
        let (packets, skipped) = try RTCPCompoundPacket.decode(bytes)
        #expect(skipped == 0)
        #expect(packets.count == 2)
        guard case .senderReport(let sr) = packets.first, case .sourceDescription(let sdes) = packets.last else {
            Issue.record("expected SR then SDES, got \(packets)")
            return
        }
        #expect(sr.ssrc == 0xCAFE_F00D)
        #expect(sr.ntpTimestamp == Self.report.ntpTimestamp)
        #expect(sr.rtpTimestamp == 0x1234_5678)
        #expect(sr.packetCount == 1000)
        #expect(sr.octetCount == 1_316_000)
        #expect(sr.reports.isEmpty)
        #expect(sdes.chunks.count == 1)
        #expect(sdes.chunks[0].ssrc == 0xCAFE_F00D)
        #expect(sdes.chunks[0].cname == "sessmgrd@encoder-1")
    }

    /// What a receiver such as ffmpeg sends back: RR with one block, SDES, and a
    /// BYE, hand-assembled; the BYE is skipped.
    @Test func aReceiverReportCompoundIsDecodedAndUnknownTypesSkipped() throws {
        let block = RTCPReportBlock(ssrc: 0xCAFE_F00D, fractionLost: 0x40, cumulativeLost: -2, highestSequence: 0x0001_FFFF,
                                    jitter: 120, lastSenderReport: 0x6F80_8000, delaySinceLastSenderReport: 0x0001_8000)
        var bytes: [UInt8] = []
        RTCPReceiverReport(ssrc: 0x1111_2222, reports: [block]).encode(into: &bytes)
        #expect(Array(bytes[0..<4]) == [0x81, 201, 0x00, 0x07])
        #expect(Array(bytes[12..<16]) == [0x40, 0xFF, 0xFF, 0xFE])  // fraction, 24-bit -2
        RTCPSourceDescription(ssrc: 0x1111_2222, cname: "ffprobe").encode(into: &bytes)
        bytes += [0x81, 203, 0x00, 0x01, 0x11, 0x11, 0x22, 0x22]  // BYE
        let (packets, skipped) = try RTCPCompoundPacket.decode(bytes)
        #expect(skipped == 1)
        #expect(packets == [.receiverReport(RTCPReceiverReport(ssrc: 0x1111_2222, reports: [block])),
                            .sourceDescription(RTCPSourceDescription(ssrc: 0x1111_2222, cname: "ffprobe"))])
    }

    @Test func badLengthsAndVersionsGiveTypedErrors() {
        let good = RTCPCompoundPacket.senderReport(Self.report, cname: "x")
        #expect(throws: RTCPError.empty) { try RTCPCompoundPacket.decode([]) }
        #expect(throws: RTCPError.truncatedHeader(offset: 28)) { try RTCPCompoundPacket.decode(Array(good[0..<30])) }
        #expect(throws: RTCPError.lengthOverflow(offset: 0, length: 28, available: 20)) { try RTCPCompoundPacket.decode(Array(good[0..<20])) }
        var wrongVersion = good
        wrongVersion[0] = 0x40
        #expect(throws: RTCPError.unsupportedVersion(1, offset: 0)) { try RTCPCompoundPacket.decode(wrongVersion) }
        var tooManyBlocks = good
        tooManyBlocks[0] = 0x82  // two report blocks announced in a 28-byte SR
        #expect(throws: RTCPError.bodyTooShort(packetType: 200, needed: 76, length: 28)) { try RTCPCompoundPacket.decode(tooManyBlocks) }
        var badItem = good
        badItem[37] = 200  // CNAME item length past the packet
        #expect(throws: RTCPError.self) { try RTCPCompoundPacket.decode(badItem) }
        var badPadding = good
        badPadding[0] |= 0x20
        badPadding[27] = 0
        #expect(throws: RTCPError.badPadding(offset: 0)) { try RTCPCompoundPacket.decode(badPadding) }
    }

    /// RFC 3550 A.7 for a 1 Mbit/s unicast stream: bandwidth would allow far more
    /// than one report per 5 s, so the minimum rules, then the randomisation
    /// over [0.5, 1.5) and the e − 3/2 compensation: [2.05 s, 6.16 s), mean 4.10 s.
    @Test func theSenderIntervalIsTheRandomisedCompensatedFiveSecondMinimum() {
        #expect(RTCPInterval.deterministicSeconds(sessionBandwidth: 1_000_000, averageRTCPSize: 100) == 5)
        #expect(RTCPInterval.deterministicSeconds(sessionBandwidth: 1_000_000, averageRTCPSize: 100, initial: true) == 2.5)
        var generator = SeededGenerator(seed: 3550)
        var total: UInt64 = 0
        let samples: UInt64 = 10_000
        for _ in 0..<samples {
            let ns = RTCPInterval.nanoseconds(sessionBandwidth: 1_000_000, averageRTCPSize: 100, using: &generator)
            #expect(ns >= 2_052_000_000 && ns < 6_157_000_000)
            total += ns
        }
        let mean = Double(total / samples) / 1e9
        #expect(abs(mean - 5 / (2.71828 - 1.5)) < 0.03)
    }

    @Test func lowBandwidthAndManyMembersLengthenTheInterval() {
        // 2 kbit/s: RTCP gets 12.5 octets/s; 2 members × 100 octets → 16 s.
        #expect(RTCPInterval.deterministicSeconds(sessionBandwidth: 2000, averageRTCPSize: 100) == 16)
        // 10 members, 1 sender ≤ 25 %: the sender shares a quarter among senders → 32 s.
        #expect(RTCPInterval.deterministicSeconds(sessionBandwidth: 2000, members: 10, averageRTCPSize: 100) == 32)
        // A receiver in the same session shares three quarters among 9 receivers → 96 s.
        #expect(RTCPInterval.deterministicSeconds(sessionBandwidth: 2000, members: 10, weSent: false, averageRTCPSize: 100) == 96)
        #expect(RTCPInterval.updatedAverageSize(100, packetSize: 260) == 110)
    }
}
