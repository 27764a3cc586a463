import Foundation
import Testing
@testable import Streaming

@Suite struct CheckpointTests {
    static let checkpoint = StreamCheckpoint(
        stream: "cam1", ssrc: 0xCAFE_F00D, nextSequence: 65_500, rtpTimestampBase: 0xFFFF_0000,
        senderPacketCount: 123, senderOctetCount: 161_868, sourceOffset: 188 * 1000, loopCount: 4,
        wallClockNanoseconds: 1_700_000_000_000_000_000, streamTime: 27_000_000 * 60, bitrate: 1_000_000,
        packetsPerDatagram: 7, continuityShifts: [.init(pid: 0x100, shift: 5), .init(pid: 0, shift: 1)],
        loopDuration: 437 * 40_500)

    @Test func aCheckpointRoundTripsThroughJSON() throws {
        let json = try Self.checkpoint.encodedJSON()
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"version\":1"))
        #expect(text.contains("\"stream\":\"cam1\""))
        #expect(try StreamCheckpoint.decode(json: json) == Self.checkpoint)
    }

    @Test func unknownVersionsGarbageAndInconsistentRecordsAreTypedErrors() throws {
        var future = Self.checkpoint
        future.version = 2
        #expect(throws: CheckpointError.unsupportedVersion(2)) { try StreamCheckpoint.decode(json: try future.encodedJSON()) }
        #expect(throws: CheckpointError.unreadable("no version field in valid JSON")) {
            try StreamCheckpoint.decode(json: Array("not json at all".utf8))
        }
        #expect(throws: CheckpointError.unreadable("no version field in valid JSON")) { try StreamCheckpoint.decode(json: []) }
        #expect(throws: CheckpointError.unreadable("missing field ssrc")) {
            try StreamCheckpoint.decode(json: Array(#"{"version":1,"stream":"x"}"#.utf8))
        }
        var misaligned = Self.checkpoint
        misaligned.sourceOffset = 1000
        #expect(throws: CheckpointError.invalid("source offset 1000 is not a multiple of 188")) {
            try StreamCheckpoint.decode(json: try misaligned.encodedJSON())
        }
        var badShift = Self.checkpoint
        badShift.continuityShifts = [.init(pid: 0x1FFF, shift: 1)]
        #expect(throws: CheckpointError.self) { try StreamCheckpoint.decode(json: try badShift.encodedJSON()) }
        // A field of the wrong type is named; a number too large for its field is refused.
        let text = String(decoding: try Self.checkpoint.encodedJSON(), as: UTF8.self)
        let mistyped = text.replacingOccurrences(of: "\"nextSequence\":65500", with: "\"nextSequence\":\"x\"")
        #expect(throws: CheckpointError.unreadable("bad value at nextSequence")) { try StreamCheckpoint.decode(json: Array(mistyped.utf8)) }
        let overflowing = text.replacingOccurrences(of: "\"nextSequence\":65500", with: "\"nextSequence\":70000")
        #expect(overflowing != text)
        #expect(throws: CheckpointError.self) { try StreamCheckpoint.decode(json: Array(overflowing.utf8)) }
    }

    /// 2 s at 1 Mbit/s is 1329.8 packets: 189 whole datagrams of 7 were due, so
    /// receivers see 189 sequence numbers missing, and everything moves by their
    /// 1323 packets (1.98979 s of stream time).
    @Test func aTwoSecondOutageSkipsTheDatagramsThatWereDue() {
        let now = Self.checkpoint.wallClockNanoseconds + 2_000_000_000
        let resume = StreamResume(from: Self.checkpoint, now: now, fileSize: nil)
        #expect(resume.skippedDatagrams == 189)
        #expect(resume.nextSequence == UInt16((65_500 + 189) % 65_536))
        #expect(resume.ssrc == 0xCAFE_F00D)
        let skippedTicks: UInt64 = 1323 * 1504 * 27  // × 27e6 / 1e6
        #expect(resume.streamTime == 27_000_000 * 60 + skippedTicks)
        #expect(resume.rtpTimestamp == 0xFFFF_0000 &+ UInt32((27_000_000 * 60 + skippedTicks) / 300))
        #expect(resume.dueWallClockNanoseconds == Self.checkpoint.wallClockNanoseconds + 1_989_792_000)
        #expect(resume.dueWallClockNanoseconds <= now)
        #expect(now - resume.dueWallClockNanoseconds < 7 * 1504 * 1000)  // less than one datagram (10.5 ms) late
        #expect(resume.senderPacketCount == 123)
        #expect(resume.sourceOffset == 188 * 1000 && resume.loopCount == 4)  // network source: no position
    }

    @Test func theFilePositionAdvancesAndWrapsOverLoops() {
        // A 500-packet file (plus a partial packet, ignored): packet 300 + 1323 = 1623 = 3 × 500 + 123.
        var checkpoint = Self.checkpoint
        checkpoint.sourceOffset = 188 * 300
        let resume = StreamResume(from: checkpoint, now: checkpoint.wallClockNanoseconds + 2_000_000_000, fileSize: 188 * 500 + 100)
        #expect(resume.sourceOffset == 188 * 123)
        #expect(resume.loopCount == 4 + 3)
    }

    @Test func noTimeOrABackwardsClockResumesWhereItStopped() {
        for now in [Self.checkpoint.wallClockNanoseconds, Self.checkpoint.wallClockNanoseconds - 5_000_000_000] {
            let resume = StreamResume(from: Self.checkpoint, now: now, fileSize: 188 * 5000)
            #expect(resume.skippedDatagrams == 0 && resume.nextSequence == 65_500)
            #expect(resume.sourceOffset == 188 * 1000 && resume.loopCount == 4)
            #expect(resume.rtpTimestamp == 0xFFFF_0000 &+ UInt32(27_000_000 * 60 / 300))
        }
    }

    @Test func absurdCheckpointValuesDoNotTrap() {
        var checkpoint = Self.checkpoint
        checkpoint.bitrate = .max
        checkpoint.streamTime = .max
        checkpoint.wallClockNanoseconds = 0
        _ = StreamResume(from: checkpoint, now: .max, fileSize: 188)
        checkpoint.bitrate = 0
        #expect(StreamResume(from: checkpoint, now: .max, fileSize: .max).skippedDatagrams == 0)
    }
}
