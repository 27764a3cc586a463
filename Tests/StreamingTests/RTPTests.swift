import TestSupport
import Testing
@testable import Streaming

@Suite struct RTPTests {
    /// RFC 3550 §5.1 by hand: V=2 P=0 X=0 CC=0 → 0x80; M=0 PT=33 → 0x21;
    /// then sequence, timestamp and SSRC big-endian.
    @Test func theHeaderBytesMatchAHandComputedVector() {
        let header = RTPHeader(payloadType: 33, sequenceNumber: 0x1234, timestamp: 0xDEAD_BEEF, ssrc: 0x0102_0304)
        #expect(header.encoded() == [0x80, 0x21, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04])
    }

    @Test func parsingSkipsCSRCsAndTheExtensionAndDropsPadding() throws {
        // CC=1, X=1, P=1: 12 + 4 (CSRC) + 4 + 4 (extension of one word) header, 3 bytes padding.
        let bytes: [UInt8] = [0xB1, 0xA1, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xAA, 0xAA, 0xAA, 0xAA,
                              0xBE, 0xDE, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44, 0x47, 0x00, 0x00, 0x03]
        let (header, payload) = try RTPHeader.parse(bytes)
        #expect(header.marker && header.payloadType == 33 && header.sequenceNumber == 1)
        #expect(header.csrcCount == 1 && header.extensionPresent && header.padding)
        #expect(payload == 24..<25)
        #expect(throws: RTPError.unsupportedVersion(1)) { try RTPHeader.parse([0x47] + [UInt8](repeating: 0, count: 20)) }
        #expect(throws: RTPError.truncated(needed: 12, available: 5)) { try RTPHeader.parse([0x80, 0, 0, 0, 0]) }
        #expect(throws: RTPError.badPadding(200)) { try RTPHeader.parse([0xA0] + [UInt8](repeating: 0, count: 11) + [200]) }
    }

    @Test func aNewStreamDrawsSSRCSequenceAndBaseFromTheInjectedGenerator() {
        var first = SeededGenerator(seed: 42), second = SeededGenerator(seed: 42), other = SeededGenerator(seed: 43)
        let a = RTPPacketizer(using: &first), b = RTPPacketizer(using: &second), c = RTPPacketizer(using: &other)
        #expect(a == b)
        #expect(a.ssrc != c.ssrc)
        #expect(a.packetCount == 0 && a.octetCount == 0)
    }

    @Test func sequenceAndTimestampWrapAndFollowTheFirstPacketsStreamTime() {
        var packetizer = RTPPacketizer(ssrc: 7, nextSequence: 0xFFFE, timestampBase: 0xFFFF_FF00)
        let first = packetizer.nextHeader(streamTime: 300 * 0x80, payloadSize: 1316)
        #expect(first.sequenceNumber == 0xFFFE && first.timestamp == 0xFFFF_FF80)
        #expect(first.payloadType == 33 && first.ssrc == 7 && !first.marker)
        let second = packetizer.nextHeader(streamTime: 300 * 0x100 + 299, payloadSize: 1316)
        #expect(second.sequenceNumber == 0xFFFF && second.timestamp == 0)
        let third = packetizer.nextHeader(streamTime: 300 * 0x101, payloadSize: 376)
        #expect(third.sequenceNumber == 0 && third.timestamp == 1)
        #expect(packetizer.packetCount == 3 && packetizer.octetCount == 1316 * 2 + 376)
        packetizer.skip(datagrams: 10)
        #expect(packetizer.nextSequence == 11)
    }

    @Test func stampingWritesTheHeaderIntoTheDatagramsRoom() throws {
        var assembler = DatagramAssembler(packetsPerDatagram: 7, headerRoom: RTPHeader.size)
        var datagram: Datagram?
        for index in UInt64(0)..<7 {
            datagram = try assembler.append(SyntheticTS.packet(pid: 0x100, cc: UInt8(index), payload: [UInt8](repeating: 1, count: 184)),
                                            index: index, sendTime: 27_000_000)
        }
        var stamped = try #require(datagram)
        var packetizer = RTPPacketizer(ssrc: 0x0102_0304, nextSequence: 0x1234, timestampBase: 0xDEAD_BEEF &- 90_000)
        let stampedHeader = packetizer.stamp(&stamped)
        let header = try #require(stampedHeader)
        #expect(header.timestamp == 0xDEAD_BEEF)
        #expect(Array(stamped.bytes[0..<12]) == [0x80, 0x21, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x02, 0x03, 0x04])
        #expect(stamped.bytes.count == 12 + 1316 && stamped.bytes[12] == 0x47)
        var bare = Datagram(bytes: [UInt8](repeating: 0, count: 188), headerRoom: 0, firstPacketIndex: 0, sendTime: 0)
        let refused = packetizer.stamp(&bare)
        #expect(refused == nil)
    }

    @Test func aResumedBaseContinuesTheTimestampOnANewClock() {
        let base = RTPPacketizer.timestampBase(continuing: 1000, atStreamTime: 300 * 5000)
        let packetizer = RTPPacketizer(ssrc: 1, nextSequence: 0, timestampBase: base)
        #expect(packetizer.timestamp(forStreamTime: 300 * 5000) == 1000)
        #expect(packetizer.timestamp(forStreamTime: 300 * 5090) == 1090)
    }
}
