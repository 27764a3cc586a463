import Foundation
import Glibc
import Testing
@testable import Audit

/// Opening the journal cuts only a true torn tail; damage in the middle of
/// the newest segment, with valid records after it, is quarantined (its bytes
/// copied beside the journal, a placeholder record in its place) and the
/// later records are kept.
@Suite struct JournalRecoveryTests {
    func folder() -> String { NSTemporaryDirectory() + "journal-recovery-" + UUID().uuidString.prefix(8) }

    func events(_ range: Range<Int>) -> [(acceptedMicros: Int64, text: String)] {
        range.map { (Int64($0), "<109>1 - h app - m - event \($0)") }
    }

    /// The byte offset of each record in a segment, by sequence.
    func offsets(_ bytes: [UInt8]) -> [UInt64: Int] {
        var result: [UInt64: Int] = [:]
        var offset = 0
        while case .record(let record, let size) = JournalRecordCodec.decode(bytes[offset...]) {
            result[record.sequence] = offset
            offset += size
        }
        return result
    }

    /// Writes 10 events, damages the segment with `damage`, and reopens.
    func reopenAfter(_ damage: (inout [UInt8], [UInt64: Int]) -> Void) throws -> (journal: AuditJournal, path: String, original: [UInt8]) {
        let path = folder()
        let segment: String
        do {
            let journal = try AuditJournal(folder: path)
            _ = try journal.append(events(0..<10))
            segment = path + "/" + (try FileManager.default.contentsOfDirectory(atPath: path).first { $0.hasSuffix(".seg") }!)
        }
        let original = [UInt8](try #require(FileManager.default.contents(atPath: segment)))
        var bytes = original
        damage(&bytes, offsets(original))
        try Data(bytes).write(to: URL(fileURLWithPath: segment))
        return (try AuditJournal(folder: path), path, original)
    }

    @Test func aBadChecksumInTheMiddleIsQuarantinedAndTheLaterRecordsAreKept() throws {
        let (journal, path, original) = try reopenAfter { bytes, offsets in bytes[offsets[4]! + 30] ^= 0xFF }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let records = journal.records(from: 1, limit: 100)
        #expect(records.map(\.sequence) == Array(1...10), "later records dropped: \(records.map(\.sequence))")
        #expect(journal.nextSequence == 11 && journal.recoveredTornBytes == 0)
        // 1-3 and 5-10 exactly as written; 4 is a placeholder that says where its bytes went.
        let expected = events(0..<10).map(\.text)
        for record in records where record.sequence != 4 { #expect(record.text == expected[Int(record.sequence) - 1]) }
        let placeholder = try #require(records.first { $0.sequence == 4 })
        #expect(placeholder.text.contains("journal-quarantine") && placeholder.text.contains("quarantine/"))
        // The damaged bytes are kept, unchanged, in the quarantine folder beside the segments.
        let quarantine = try #require(journal.quarantined.first)
        #expect(journal.quarantined.count == 1 && quarantine.sequences == 4...4)
        let offsets = offsets(original)
        var damaged = Array(original[offsets[4]!..<offsets[5]!])
        damaged[30] ^= 0xFF
        #expect([UInt8](FileManager.default.contents(atPath: quarantine.path) ?? Data()) == damaged)
        #expect(quarantine.path.hasPrefix(path + "/quarantine/"))
        // New events continue the sequence, and a second opening finds nothing more to do.
        #expect(try journal.append(events(10..<11)) == 11...11)
        let again = try AuditJournal(folder: path)
        #expect(again.quarantined.isEmpty && again.recoveredTornBytes == 0)
        #expect(again.records(from: 1, limit: 100).map(\.sequence) == Array(1...11))
    }

    @Test func aDamagedLengthInTheMiddleIsQuarantinedAndTheLaterRecordsAreKept() throws {
        // Record 7's length field says 70000 bytes: it would run past the end of the file.
        let (journal, path, _) = try reopenAfter { bytes, offsets in
            withUnsafeBytes(of: UInt32(70_000).littleEndian) { for index in 0..<4 { bytes[offsets[7]! + index] = $0[index] } }
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(journal.records(from: 1, limit: 100).map(\.sequence) == Array(1...10))
        #expect(journal.quarantined.map(\.sequences) == [7...7])
        #expect(journal.recoveredTornBytes == 0)
    }

    @Test func twoBadRecordsInARowBecomeTwoPlaceholdersInOneQuarantine() throws {
        let (journal, path, _) = try reopenAfter { bytes, offsets in
            bytes[offsets[2]! + 30] ^= 0x01
            bytes[offsets[3]! + 30] ^= 0x01
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(journal.records(from: 1, limit: 100).map(\.sequence) == Array(1...10))
        #expect(journal.quarantined.map(\.sequences) == [2...3])
    }

    /// A damaged last record has nothing valid after it: a torn tail, cut as before.
    @Test func aBadLastRecordIsStillCutAsATornTail() throws {
        let (journal, path, original) = try reopenAfter { bytes, offsets in bytes[offsets[10]! + 30] ^= 0xFF }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(journal.records(from: 1, limit: 100).map(\.sequence) == Array(1...9))
        #expect(journal.quarantined.isEmpty)
        #expect(journal.recoveredTornBytes == original.count - offsets(original)[10]!)
    }
}
