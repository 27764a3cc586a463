import Testing
@testable import Streaming

@Suite struct TSPacketTests {
    /// A payload-only packet: header fields decoded bit by bit.
    @Test func headerFieldsOfAPayloadOnlyPacketAreDecoded() throws {
        var bytes = [UInt8](repeating: 0xAB, count: 188)
        bytes[0...3] = [0x47, 0xC1, 0x23, 0x5A]  // TEI=1, PUSI=1, PID 0x123, scrambling 01, AFC 01, CC 10
        let packet = try TSPacket(bytes)
        #expect(packet.transportError)
        #expect(packet.payloadUnitStart)
        #expect(packet.pid == 0x123)
        #expect(packet.scrambling == 1)
        #expect(packet.adaptationFieldControl == 1)
        #expect(packet.continuityCounter == 10)
        #expect(packet.adaptationField == nil)
        #expect(packet.payloadOffset == 4)
        #expect(packet.hasPayload)
        #expect(packet.pcr == nil)
    }

    /// Hand-built packet with adaptation field, discontinuity and PCR.
    @Test func adaptationFieldWithPCRAndDiscontinuityIsDecoded() throws {
        var bytes = [UInt8](repeating: 0xFF, count: 188)
        // PID 0x0100, AFC 11, CC 7; AF length 7: flags 0x90 (discontinuity + PCR), PCR base 1, ext 2.
        bytes[0...11] = [0x47, 0x01, 0x00, 0x37, 0x07, 0x90, 0x00, 0x00, 0x00, 0x00, 0xFE, 0x02]
        let packet = try TSPacket(bytes)
        #expect(packet.pid == 0x100)
        #expect(packet.continuityCounter == 7)
        #expect(packet.adaptationField?.length == 7)
        #expect(packet.discontinuity)
        #expect(packet.adaptationField?.randomAccess == false)
        #expect(packet.pcr == 1 * 300 + 2)
        #expect(packet.payloadOffset == 12)
        #expect(packet.payloadLength == 176)
    }

    @Test func aPacketAtAnOffsetInABufferIsParsed() throws {
        let buffer = [UInt8](repeating: 0, count: 10) + SyntheticTS.packet(pid: 0x44, cc: 2, payload: [UInt8](repeating: 1, count: 184))
        #expect(try TSPacket(buffer, at: 10).pid == 0x44)
        #expect(throws: TSPacketError.wrongSyncByte(0)) { try TSPacket(buffer, at: 0) }
    }

    @Test(arguments: [
        (UInt64(0), [UInt8]([0x00, 0x00, 0x00, 0x00, 0x7E, 0x00])),
        (UInt64(299), [0x00, 0x00, 0x00, 0x00, 0x7F, 0x2B]),                        // ext 299 = 0x12B
        (UInt64(0x1_FFFF_FFFF) * 300 + 299, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x2B]),  // largest PCR
        (UInt64(0x1_0000_0000) * 300, [0x80, 0x00, 0x00, 0x00, 0x7E, 0x00]),        // base bit 32 only
        (UInt64(27_000_000), [0x00, 0x00, 0xAF, 0xC8, 0x00 | 0x7E, 0x00]),          // 1 s: base 90000 = 0x15F90
    ] as [(UInt64, [UInt8])])
    func pcrFieldEncodesAndDecodesKnownValues(value: UInt64, field: [UInt8]) {
        #expect(ProgramClockReference.encode(value) == field)
        #expect(ProgramClockReference.decode(field) == value)
    }

    /// Base 0x1_FFFF_FFFF is the last before the 33-bit wrap; one more tick wraps to 0.
    @Test func pcrWrapsAtTwoToThe33TimesThreeHundred() {
        let last = UInt64(0x1_FFFF_FFFF) * 300 + 299
        #expect(ProgramClockReference.decode(ProgramClockReference.encode(last + 1)) == 0)
        #expect(ProgramClockReference.decode(ProgramClockReference.encode(last + 301)) == 300)
        #expect(MediaClock.forwardDistance(from: last, to: 5, modulus: MediaClock.pcrModulus) == 6)
    }

    @Test func shortWrongSyncAndOverflowingInputGiveTypedErrors() {
        #expect(throws: TSPacketError.truncated(available: 187)) { try TSPacket([UInt8](repeating: 0x47, count: 187)) }
        #expect(throws: TSPacketError.truncated(available: 0)) { try TSPacket([], at: 0) }
        #expect(throws: TSPacketError.truncated(available: 0)) { try TSPacket([UInt8](repeating: 0x47, count: 188), at: -1) }
        var bytes = SyntheticTS.packet(pid: 1, cc: 0, payload: [UInt8](repeating: 0, count: 184))
        bytes[0] = 0x48
        #expect(throws: TSPacketError.wrongSyncByte(0x48)) { try TSPacket(bytes) }
        bytes[0] = 0x47
        bytes[3] = 0x30; bytes[4] = 183  // AF + payload, but a 183-byte field leaves no payload
        #expect(throws: TSPacketError.adaptationFieldOverflow(length: 183)) { try TSPacket(bytes) }
        bytes[3] = 0x20; bytes[4] = 184
        #expect(throws: TSPacketError.adaptationFieldOverflow(length: 184)) { try TSPacket(bytes) }
        bytes[3] = 0x00
        #expect(throws: TSPacketError.reservedAdaptationFieldControl) { try TSPacket(bytes) }
        bytes[3] = 0x30; bytes[4] = 3; bytes[5] = 0x10  // PCR flagged in a 3-byte field
        #expect(throws: TSPacketError.adaptationFieldTooShort(length: 3, needed: 7)) { try TSPacket(bytes) }
    }

    @Test func rewritingTheContinuityCounterChangesOnlyItsFourBits() throws {
        var bytes = SyntheticTS.packet(pid: 0x1ABC & 0x1FFF, cc: 9, pusi: true, payload: [UInt8](repeating: 7, count: 184))
        let before = bytes
        try TSPacket.rewriteContinuityCounter(0x1F, in: &bytes)
        #expect(try TSPacket(bytes).continuityCounter == 0x0F)
        #expect(Array(bytes[0..<3]) == Array(before[0..<3]))
        #expect(bytes[3] & 0xF0 == before[3] & 0xF0)
        #expect(Array(bytes[4...]) == Array(before[4...]))
    }

    @Test func rewritingThePCRKeepsReservedBitsAndTheRestOfThePacket() throws {
        var bytes = SyntheticTS.packet(pid: 0x100, cc: 1, pcr: 12_345, payload: [UInt8](repeating: 3, count: 100))
        bytes[10] &= 0x81  // reserved bits cleared by some muxer: must stay cleared
        let before = bytes
        let target = MediaClock.pcrModulus - 1
        try TSPacket.rewritePCR(target, in: &bytes)
        #expect(try TSPacket(bytes).pcr == target)
        #expect(bytes[10] & 0x7E == 0)
        #expect(Array(bytes[12...]) == Array(before[12...]))
        var noPCR = SyntheticTS.packet(pid: 0x100, cc: 1, payload: [UInt8](repeating: 3, count: 184))
        #expect(throws: TSPacketError.noPCR) { try TSPacket.rewritePCR(1, in: &noPCR) }
    }

    @Test func theDiscontinuityIndicatorIsSetAndClearedWhereAnAdaptationFieldExists() throws {
        var bytes = SyntheticTS.packet(pid: 0x100, cc: 1, pcr: 99, payload: [UInt8](repeating: 3, count: 100))
        try TSPacket.setDiscontinuityIndicator(true, in: &bytes)
        #expect(try TSPacket(bytes).discontinuity)
        #expect(try TSPacket(bytes).pcr == 99)
        try TSPacket.setDiscontinuityIndicator(false, in: &bytes)
        #expect(try TSPacket(bytes).discontinuity == false)
        var plain = SyntheticTS.packet(pid: 0x100, cc: 1, payload: [UInt8](repeating: 3, count: 184))
        #expect(throws: TSPacketError.noAdaptationField) { try TSPacket.setDiscontinuityIndicator(true, in: &plain) }
    }
}
