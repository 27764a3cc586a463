import Testing
@testable import Streaming

@Suite struct PSITests {
    /// The catalogue check value of CRC-32/MPEG-2.
    @Test func crcOfTheStandardCheckStringIs0376E6E7() {
        #expect(MPEG2CRC32.checksum(Array("123456789".utf8)) == 0x0376_E6E7)
    }

    /// The PAT that ffmpeg's mpegts muxer writes by default (transport_stream_id 1,
    /// program 1 → PMT PID 0x1000), CRC 0x2AB104B2 as it appears on the wire.
    static let ffmpegPAT: [UInt8] = [0x47, 0x40, 0x00, 0x10, 0x00,
                                     0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xF0, 0x00,
                                     0x2A, 0xB1, 0x04, 0xB2] + [UInt8](repeating: 0xFF, count: 167)

    @Test func ffmpegsDefaultPATParsesWithItsCRC() throws {
        let pat = try ProgramAssociationTable(packet: Self.ffmpegPAT)
        #expect(pat.transportStreamID == 1)
        #expect(pat.version == 0)
        #expect(pat.programs == [.init(programNumber: 1, pmtPID: 0x1000)])
        #expect(pat.networkPID == nil)
        // And the encoder reproduces the same section bytes.
        #expect(pat.encoded() == Array(Self.ffmpegPAT[5..<21]))
    }

    @Test func aPATWithACorruptedCRCIsRefused() {
        var bytes = Self.ffmpegPAT
        bytes[20] ^= 0x01
        #expect(throws: PSIError.crcMismatch(stored: 0x2AB1_04B3, computed: 0x2AB1_04B2)) {
            try ProgramAssociationTable(packet: bytes)
        }
        var body = Self.ffmpegPAT
        body[15] = 0xE0  // PMT PID changed, CRC left: the CRC catches it
        #expect(throws: PSIError.self) { try ProgramAssociationTable(packet: body) }
    }

    @Test func aPMTRoundTripsWithPCRPIDStreamsAndDescriptors() throws {
        let pmt = ProgramMapTable(programNumber: 1, version: 3, pcrPID: 0x100, programInfo: [0x05, 0x04, 0x43, 0x55, 0x45, 0x49],
                                  streams: [.init(streamType: 0x1B, pid: 0x100),
                                            .init(streamType: 0x0F, pid: 0x101, descriptors: [0x0A, 0x04, 0x65, 0x6E, 0x67, 0x00])])
        let packet = SyntheticTS.packet(pid: 0x1000, cc: 0, pusi: true, payload: SyntheticTS.psi(pmt.encoded()))
        let parsed = try ProgramMapTable(packet: packet)
        #expect(parsed == pmt)
        #expect(parsed.pcrPID == 0x100)
        #expect(parsed.streams.map(\.streamType) == [0x1B, 0x0F])
    }

    @Test func aPMTWithACorruptedCRCIsRefused() {
        let pmt = ProgramMapTable(programNumber: 1, pcrPID: 0x100, streams: [.init(streamType: 0x1B, pid: 0x100)])
        var packet = SyntheticTS.packet(pid: 0x1000, cc: 0, pusi: true, payload: SyntheticTS.psi(pmt.encoded()))
        packet[5 + 1 + 9] ^= 0x10  // flip a bit of PCR_PID
        #expect(throws: PSIError.self) { try ProgramMapTable(packet: packet) }
        do {
            _ = try ProgramMapTable(packet: packet)
        } catch {
            guard case .crcMismatch = error else { Issue.record("expected crcMismatch, got \(error)"); return }
        }
    }

    @Test func aSectionLongerThanItsPacketFailsAsSpanningPackets() {
        var bytes = Self.ffmpegPAT
        bytes[6] = 0xB1; bytes[7] = 0x00  // section_length 256: cannot fit in 183 bytes
        #expect(throws: PSIError.sectionSpansPackets(sectionLength: 256, available: 180)) {
            try ProgramAssociationTable(packet: bytes)
        }
    }

    @Test func wrongTableIDPointerOverflowAndMissingStartAreTypedErrors() {
        #expect(throws: PSIError.unexpectedTableID(expected: 0x02, found: 0x00)) { try ProgramMapTable(packet: Self.ffmpegPAT) }
        var bytes = Self.ffmpegPAT
        bytes[4] = 182
        #expect(throws: PSIError.pointerFieldOverflow(182)) { try ProgramAssociationTable(packet: bytes) }
        bytes = Self.ffmpegPAT
        bytes[1] = 0x00  // payload_unit_start_indicator cleared
        #expect(throws: PSIError.notSectionStart) { try ProgramAssociationTable(packet: bytes) }
        bytes = Self.ffmpegPAT
        bytes[0] = 0x00
        #expect(throws: PSIError.packet(.wrongSyncByte(0))) { try ProgramAssociationTable(packet: bytes) }
        bytes = Self.ffmpegPAT
        bytes[6] = 0x30  // section_syntax_indicator 0
        #expect(throws: PSIError.notLongSection) { try ProgramAssociationTable(packet: bytes) }
    }

    @Test func aPMTWhoseESInfoRunsPastTheSectionIsMalformed() {
        // One ES entry claiming 200 bytes of descriptors, valid CRC over the lie.
        let section = PSISection(tableID: 0x02, tableIDExtension: 1,
                                 body: [0xE1, 0x00, 0xF0, 0x00, 0x1B, 0xE1, 0x00, 0xF0, 0xC8])
        let packet = SyntheticTS.packet(pid: 0x1000, cc: 0, pusi: true, payload: SyntheticTS.psi(section.encoded()))
        #expect(throws: PSIError.malformedBody("ES_info_length 200 runs past the section")) { try ProgramMapTable(packet: packet) }
    }
}
