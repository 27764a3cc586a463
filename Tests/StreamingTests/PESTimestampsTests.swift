import Testing
@testable import Streaming

@Suite struct PESTimestampsTests {
    /// PTS 0x1_2345_6789 as ISO/IEC 13818-1 §2.4.3.7 lays it out, by hand:
    /// prefix, three bit groups, a marker after each.
    @Test func aHandEncodedPTSAndDTSAreLocated() throws {
        // PTS = 0x1_2345_6789: bits 32..30 = 100, 29..15 = 0x468A, 14..0 = 0x6789.
        let ptsField: [UInt8] = [0x39, 0x8D, 0x15, 0xCF, 0x13]
        // DTS = 0: '0001' 000 1, then markers only.
        let dtsField: [UInt8] = [0x11, 0x00, 0x01, 0x00, 0x01]
        let header: [UInt8] = [0, 0, 1, 0xE0, 0, 0, 0x80, 0xC0, 10] + ptsField + dtsField
        #expect(PESTimestamps.encodeField(0x1_2345_6789, prefix: 3) == ptsField)
        let packet = SyntheticTS.packet(pid: 0x100, cc: 0, pusi: true, payload: header + [UInt8](repeating: 0, count: 100))
        let found = try #require(try PESTimestamps.locate(in: packet))
        #expect(found.pts == 0x1_2345_6789)
        #expect(found.dts == 0)
    }

    @Test func shiftingWrapsAt33BitsAndKeepsPrefixAndMarkers() throws {
        var packet = SyntheticTS.packet(pid: 0x100, cc: 0, pusi: true,
                                        payload: SyntheticTS.pes(pts: MediaClock.timestampModulus - 10, dts: MediaClock.timestampModulus - 3610, payloadBytes: 20))
        let before = packet
        let shifted = try #require(try PESTimestamps.shift(by: 100, in: &packet))
        #expect(shifted.pts == 90)
        #expect(shifted.dts == MediaClock.timestampModulus - 3510)
        let again = try #require(try PESTimestamps.locate(in: packet))
        #expect(again.pts == 90 && again.dts == MediaClock.timestampModulus - 3510)
        let start = 188 - 20 - 19 + 9  // PTS field offset in the packet
        for field in [start, start + 5] {
            #expect(packet[field] & 0xF1 == before[field] & 0xF1)  // prefix and first marker
            #expect(packet[field + 2] & 0x01 == 1 && packet[field + 4] & 0x01 == 1)
        }
    }

    @Test func packetsWithoutPESTimestampsGiveNil() throws {
        #expect(try PESTimestamps.locate(in: PSITests.ffmpegPAT) == nil)  // PSI: no start code
        let continuation = SyntheticTS.packet(pid: 0x100, cc: 0, payload: SyntheticTS.pes(pts: 5))
        #expect(try PESTimestamps.locate(in: continuation) == nil)  // no PUSI
        let padding = SyntheticTS.packet(pid: 0x100, cc: 0, pusi: true, payload: [0, 0, 1, 0xBE, 0, 10] + [UInt8](repeating: 0xFF, count: 10))
        #expect(try PESTimestamps.locate(in: padding) == nil)  // padding stream: no optional header
        let noTimestamps = SyntheticTS.packet(pid: 0x100, cc: 0, pusi: true, payload: [0, 0, 1, 0xE0, 0, 0, 0x80, 0x00, 0])
        #expect(try PESTimestamps.locate(in: noTimestamps) == nil)
    }

    @Test func malformedPESHeadersGiveTypedErrors() {
        let forbidden = SyntheticTS.packet(pid: 0x100, cc: 0, pusi: true, payload: [0, 0, 1, 0xE0, 0, 0, 0x80, 0x40, 5, 0, 0, 0, 0, 0])
        #expect(throws: PESError.forbiddenPTSDTSFlags) { try PESTimestamps.locate(in: forbidden) }
        let cut = SyntheticTS.packet(pid: 0x100, cc: 0, pusi: true, payload: [0, 0, 1, 0xE0, 0, 0, 0x80, 0xC0, 10, 0x31, 0, 1])
        #expect(throws: PESError.headerTruncated(needed: 19, available: 12)) { try PESTimestamps.locate(in: cut) }
        let badMarker = SyntheticTS.packet(pid: 0x100, cc: 0, pusi: true, payload: [0, 0, 1, 0xE0, 0, 0, 0x40, 0x80, 5, 0x21, 0, 1, 0, 1])
        #expect(throws: PESError.badOptionalHeaderMarker(0x40)) { try PESTimestamps.locate(in: badMarker) }
    }
}
