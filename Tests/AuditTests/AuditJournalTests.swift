import Foundation
import Glibc
import Testing
@testable import Audit

@Suite struct AuditJournalTests {
    func folder() -> String { NSTemporaryDirectory() + "journal-" + UUID().uuidString.prefix(8) }

    func events(_ range: Range<Int>) -> [(acceptedMicros: Int64, text: String)] {
        range.map { (Int64($0), "<109>1 - h app - m - event \($0)") }
    }

    @Test func recordsComeBackInOrderAcrossSegmentsAndReopening() throws {
        let path = folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let journal = try AuditJournal(folder: path, segmentBytes: 2000)
            #expect(try journal.append(events(0..<50)) == 1...50)
            #expect(try journal.append(events(50..<120)) == 51...120)
            #expect(journal.segmentCount >= 2)
        }
        let reopened = try AuditJournal(folder: path, segmentBytes: 2000)
        #expect(reopened.nextSequence == 121 && reopened.recoveredTornBytes == 0)
        let all = reopened.records(from: 1, limit: 1000)
        #expect(all.map(\.sequence) == Array(1...120))
        #expect(all.map(\.text) == events(0..<120).map(\.text))
        #expect(reopened.records(from: 100, limit: 5).map(\.sequence) == [100, 101, 102, 103, 104])
    }

    /// A crash in the middle of a write leaves part of a record: opening the
    /// journal cuts it, and the next append continues the sequence.
    @Test func aTornTailIsCutAtOpening() throws {
        let path = folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let segment: String
        do {
            let journal = try AuditJournal(folder: path)
            _ = try journal.append(events(0..<10))
            segment = path + "/" + (try FileManager.default.contentsOfDirectory(atPath: path).first!)
        }
        var whole: [UInt8] = []
        JournalRecordCodec.encode(JournalRecord(sequence: 11, acceptedMicros: 1, text: "<109>1 - h a - m - torn"), into: &whole)
        let handle = try #require(FileHandle(forWritingAtPath: segment))
        handle.seekToEndOfFile()
        handle.write(Data(whole.prefix(whole.count - 5)))
        handle.closeFile()
        let journal = try AuditJournal(folder: path)
        #expect(journal.recoveredTornBytes == whole.count - 5)
        #expect(journal.nextSequence == 11)
        #expect(try journal.append(events(10..<11)) == 11...11)
        #expect(journal.records(from: 1, limit: 100).map(\.sequence) == Array(1...11))
    }

    /// A record whose checksum fails ends the valid journal there.
    @Test func aCorruptRecordEndsTheValidJournal() throws {
        let path = folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let segment: String
        do {
            let journal = try AuditJournal(folder: path)
            _ = try journal.append(events(0..<3))
            segment = path + "/" + (try FileManager.default.contentsOfDirectory(atPath: path).first!)
        }
        var bytes = try #require(FileManager.default.contents(atPath: segment))
        bytes[bytes.count - 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: segment))
        let journal = try AuditJournal(folder: path)
        #expect(journal.nextSequence == 3)
        #expect(journal.records(from: 1, limit: 10).map(\.sequence) == [1, 2])
    }

    @Test func retentionDeletesTheOldestSegmentsButNeverTheCurrentOne() throws {
        let path = folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try AuditJournal(folder: path, segmentBytes: 1000)
        for chunk in 0..<10 { _ = try journal.append(events(chunk * 20..<(chunk + 1) * 20)) }
        let before = journal.segmentCount
        let removed = journal.enforceRetention(maximumBytes: 3000, maximumAgeSeconds: 86_400, now: Int64(time(nil)))
        #expect(removed?.lowerBound == 1)
        #expect(journal.segmentCount < before && journal.totalBytes <= 3000 + 1200)
        #expect(journal.records(from: 1, limit: 1000).first?.sequence == journal.firstSequence)
        #expect(journal.records(from: 1, limit: 1000).last?.sequence == 200)
        journal.enforceRetention(maximumBytes: 0, maximumAgeSeconds: 0, now: Int64(time(nil)) + 10)
        #expect(journal.segmentCount == 1)
    }

    @Test func recordCodecRoundTripsAndRejectsDamage() {
        var buffer: [UInt8] = []
        let record = JournalRecord(sequence: 7, acceptedMicros: -5, text: "é ü")
        JournalRecordCodec.encode(record, into: &buffer)
        #expect(JournalRecordCodec.decode(buffer[...]) == .record(record, size: buffer.count))
        #expect(JournalRecordCodec.decode(buffer.dropLast()) == .incomplete)
        var damaged = buffer
        damaged[10] ^= 1
        #expect(JournalRecordCodec.decode(damaged[...]) == .corrupt("checksum mismatch"))
    }

    /// zlib's check value for "123456789".
    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

@Suite struct OriginStampTests {
    let sender = SenderCredentials(pid: 4242, uid: 1001, gid: 1001, user: "alice")

    func stamp(_ text: String) -> (text: String, verdict: OriginStamp.Verdict) {
        let bytes = Array(text.utf8)
        return OriginStamp.stamp(bytes[...], length: bytes.count, sender: sender, hostname: "enc-1", now: "2026-11-21T00:00:00.000000Z", auditdPID: 7)
    }

    /// A process claiming another pid and host gets its real pid recorded; the claims are kept beside it.
    @Test func theKernelsPidReplacesTheClaimedOne() throws {
        let (text, verdict) = stamp(#"<109>1 2026-11-21T00:00:00Z spoofed configd 1 login-success [audit@32473 account="admin"] ok"#)
        #expect(verdict == .accepted)
        #expect(text == #"<109>1 2026-11-21T00:00:00Z enc-1 configd 4242 login-success [audit@32473 account="admin"]"#
            + #"[origin@32473 pid="4242" uid="1001" gid="1001" user="alice" claimed-procid="1" claimed-hostname="spoofed"] ok"#)
        let message = try RFC5424Parser.parse(Array(text.utf8))
        #expect(message.processID == "4242" && message.hostname == "enc-1")
        #expect(message.parameter("pid", in: "origin@32473") == "4242")
        #expect(message.parameter("user", in: "origin@32473") == "alice")
        #expect(message.parameter("claimed-procid", in: "origin@32473") == "1")
        #expect(message.parameter("claimed-hostname", in: "origin@32473") == "spoofed")
    }

    @Test func aForgedOriginElementIsRemovedAndFlagged() throws {
        let (text, verdict) = stamp(#"<109>1 - - x 4242 m [origin@32473 pid="1" uid="0"] hi"#)
        #expect(verdict == .forged)
        let message = try RFC5424Parser.parse(Array(text.utf8))
        #expect(message.structuredData.filter { $0.id == "origin@32473" }.count == 1)
        #expect(message.parameter("uid", in: "origin@32473") == "1001")
        #expect(message.parameter("forged-origin", in: "origin@32473") == "true")
    }

    @Test func aMalformedMessageBecomesAnErrorRecordWithItsPrefix() throws {
        let (text, verdict) = stamp("not syslog\u{1}")
        #expect(verdict == .malformed)
        let message = try RFC5424Parser.parse(Array(text.utf8))
        #expect(message.appName == "auditd" && message.messageID == "intake-malformed" && message.processID == "7")
        #expect(message.parameter("prefix", in: "intake@32473") == #"not syslog\x01"#)
        #expect(message.parameter("detail", in: "intake@32473") == "byte 0: expected \"<\" opening the PRI")
        #expect(message.parameter("pid", in: "origin@32473") == "4242")
    }

    @Test func anOversizedMessageBecomesAnErrorRecord() throws {
        let bytes = [UInt8](repeating: 65, count: 100)
        let (text, verdict) = OriginStamp.stamp(bytes[...], length: 70_000, sender: sender, hostname: "h", now: "2026-11-21T00:00:00Z", auditdPID: 7)
        #expect(verdict == .oversized)
        #expect(try RFC5424Parser.parse(Array(text.utf8)).parameter("detail", in: "intake@32473") == "70000 bytes, more than 65536")
    }

    @Test func withoutKernelCredentialsTheOriginSaysUnverified() throws {
        let bytes = Array(#"<109>1 - - x 99 m - hi"#.utf8)
        let (text, _) = OriginStamp.stamp(bytes[...], length: bytes.count, sender: SenderCredentials(pid: 0, uid: 65534, gid: 65534, user: "nobody"),
                                          hostname: "h", now: "2026-11-21T00:00:00Z", auditdPID: 7)
        let message = try RFC5424Parser.parse(Array(text.utf8))
        #expect(message.parameter("verified", in: "origin@32473") == "false" && message.parameter("user", in: "origin@32473") == nil)
        #expect(message.processID == nil && message.parameter("claimed-procid", in: "origin@32473") == "99")
    }
}
