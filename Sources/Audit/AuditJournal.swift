import ApplianceCore
import Glibc
import Synchronization

/// The durable local audit log: append-only segment files
/// (`<first sequence>.seg`, 20 digits) of `JournalRecordCodec` records.
///
/// An append writes a whole batch with one `write` and one `fdatasync`
/// (group commit): only then are its events accepted. Opening the journal
/// scans the newest segment and cuts a torn tail (a crash or power loss in the
/// middle of a write: a bad record with nothing valid after it) back to the
/// last whole record, so no torn record is ever read; damage with valid
/// records after it is quarantined, never cut (`recover`). Retention deletes
/// whole segments, oldest first, by total size and by age.
///
/// Why files rather than SQLite (GRDB was the obvious choice): the workload
/// is append, read in order from a cursor (forwarders), and an occasional
/// scan (queries); a segment log does each with one system call per batch and
/// no write amplification, and its crash rule is one line: a record is whole
/// and its checksum holds, or the log ends before it.
public final class AuditJournal: Sendable {
    public struct JournalError: Error, CustomStringConvertible {
        public var description: String
    }

    struct Segment: Sendable {
        var firstSequence: UInt64
        var path: String
        var size: Int
    }

    struct State: Sendable {
        var segments: [Segment] = []
        var fd: Int32 = -1
        var nextSequence: UInt64 = 1
    }

    public let folder: String
    public let segmentBytes: Int
    private let state = Mutex(State())
    /// Bytes cut from a torn tail when the journal was opened.
    public let recoveredTornBytes: Int

    /// Damaged bytes found in the middle of the newest segment when the
    /// journal was opened, with valid records after them: copied to `path`,
    /// and the sequences they held replaced by placeholder records.
    public struct Quarantine: Sendable, Equatable {
        public var path: String
        public var segment: String
        public var offset: Int
        public var bytes: Int
        public var sequences: ClosedRange<UInt64>?
    }

    /// What opening the journal quarantined.
    public let quarantined: [Quarantine]

    public init(folder: String, segmentBytes: Int = 16 << 20) throws {
        self.folder = folder
        self.segmentBytes = segmentBytes
        try AtomicFile.makeFolders(folder, mode: 0o700)
        var opened = State()
        var torn = 0
        var quarantined: [Quarantine] = []
        opened.segments = try Self.listSegments(folder)
        if let last = opened.segments.last {
            let recovery = try Self.recover(last.path, firstSequence: last.firstSequence, folder: folder)
            torn = recovery.tornBytes
            quarantined = recovery.quarantined
            opened.segments[opened.segments.count - 1].size = recovery.size
            opened.nextSequence = (recovery.lastSequence ?? (last.firstSequence - 1)) + 1
            opened.fd = open(last.path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard opened.fd >= 0 else { throw JournalError(description: "cannot open \(last.path): \(errnoText())") }
            fsync(opened.fd)
        } else {
            try Self.startSegment(&opened, folder: folder)
        }
        recoveredTornBytes = torn
        self.quarantined = quarantined
        state.withLock { $0 = opened }
    }

    deinit {
        state.withLock { if $0.fd >= 0 { close($0.fd) } }
    }

    /// The sequence number the next accepted event will get.
    public var nextSequence: UInt64 { state.withLock { $0.nextSequence } }
    public var totalBytes: Int { state.withLock { $0.segments.reduce(0) { $0 + $1.size } } }
    public var segmentCount: Int { state.withLock { $0.segments.count } }
    /// The oldest sequence still kept (retention may have removed older ones).
    public var firstSequence: UInt64 { state.withLock { $0.segments.first?.firstSequence ?? $0.nextSequence } }

    /// Appends events durably and returns their sequence numbers. On failure
    /// (a full disk) nothing of the batch is kept and the error is thrown.
    public func append(_ events: [(acceptedMicros: Int64, text: String)]) throws(JournalError) -> ClosedRange<UInt64>? {
        guard !events.isEmpty else { return nil }
        return try state.withLock { state throws(JournalError) -> ClosedRange<UInt64> in
            if let last = state.segments.last, last.size >= segmentBytes {
                try Self.startSegment(&state, folder: folder)
            }
            var buffer: [UInt8] = []
            buffer.reserveCapacity(events.reduce(0) { $0 + JournalRecordCodec.headerSize + $1.text.utf8.count })
            let first = state.nextSequence
            for (offset, event) in events.enumerated() {
                JournalRecordCodec.encode(JournalRecord(sequence: first + UInt64(offset), acceptedMicros: event.acceptedMicros, text: event.text), into: &buffer)
            }
            let fd = state.fd
            let sizeBefore = state.segments[state.segments.count - 1].size
            var written = 0
            while written < buffer.count {
                let n = buffer[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    let reason = errnoText()
                    _ = ftruncate(fd, off_t(sizeBefore))  // never leave part of a batch behind
                    throw JournalError(description: "cannot write the audit journal: \(reason)")
                }
                written += n
            }
            guard fdatasync(fd) == 0 else {
                let reason = errnoText()
                _ = ftruncate(fd, off_t(sizeBefore))
                throw JournalError(description: "cannot sync the audit journal: \(reason)")
            }
            state.segments[state.segments.count - 1].size += buffer.count
            state.nextSequence = first + UInt64(events.count)
            return first...(state.nextSequence - 1)
        }
    }

    /// The segments as committed now (sizes never include an unsynced write)
    /// and the next sequence; what `JournalReader` follows.
    func committed() -> (segments: [Segment], nextSequence: UInt64) {
        state.withLock { ($0.segments, $0.nextSequence) }
    }

    /// Records from `sequence` on, in order, at most `limit` (from the oldest
    /// kept when retention has removed `sequence`).
    public func records(from sequence: UInt64, limit: Int) -> [JournalRecord] {
        let reader = JournalReader(journal: self, from: sequence)
        var result: [JournalRecord] = []
        while result.count < limit, case let batch = reader.next(limit: limit - result.count, byteLimit: 1 << 20).records, !batch.isEmpty {
            result += batch
        }
        return result
    }

    /// Every record, oldest first, while `body` returns true.
    public func scan(_ body: (JournalRecord) -> Bool) {
        let reader = JournalReader(journal: self, from: firstSequence)
        while case let batch = reader.next(limit: 1024, byteLimit: 1 << 20).records, !batch.isEmpty {
            for record in batch where !body(record) { return }
        }
    }

    /// Deletes the oldest segments (never the one being written) while the
    /// journal is over `maximumBytes` or a segment's newest write is older than
    /// `maximumAgeSeconds`. Returns the sequences removed.
    @discardableResult
    public func enforceRetention(maximumBytes: Int, maximumAgeSeconds: Int64, now: Int64) -> Range<UInt64>? {
        state.withLock { state -> Range<UInt64>? in
            var removedUpTo: UInt64?
            let from = state.segments.first?.firstSequence
            while state.segments.count > 1 {
                let total = state.segments.reduce(0) { $0 + $1.size }
                let oldest = state.segments[0]
                var info = stat()
                let age = stat(oldest.path, &info) == 0 ? now - Int64(info.st_mtim.tv_sec) : 0
                guard total > maximumBytes || age > maximumAgeSeconds else { break }
                unlink(oldest.path)
                state.segments.removeFirst()
                removedUpTo = state.segments[0].firstSequence
            }
            guard let from, let removedUpTo else { return nil }
            return from..<removedUpTo
        }
    }

    static func listSegments(_ folder: String) throws(JournalError) -> [Segment] {
        let names: [String]
        do {
            names = try AtomicFile.entries(in: folder)
        } catch {
            throw JournalError(description: "\(error)")
        }
        var segments: [Segment] = []
        for name in names {
            guard name.hasSuffix(".seg"), let first = UInt64(name.dropLast(4)) else { continue }
            var info = stat()
            let path = folder + "/" + name
            guard stat(path, &info) == 0 else { continue }
            segments.append(Segment(firstSequence: first, path: path, size: Int(info.st_size)))
        }
        return segments.sorted { $0.firstSequence < $1.firstSequence }
    }

    /// What opening found in the newest segment.
    struct Recovery {
        /// The segment's size now, and its last sequence.
        var size: Int
        var lastSequence: UInt64?
        var tornBytes = 0
        var quarantined: [Quarantine] = []
    }

    /// The quarantine folder beside the segments.
    static func quarantineFolder(_ folder: String) -> String { folder + "/quarantine" }

    /// Checks the newest segment record by record. A bad record (checksum,
    /// length, sequence) with no valid record after it is a torn tail (a
    /// crash in the middle of a write): it is cut. A bad stretch with valid
    /// records after it is damage, not a torn write: its bytes are copied to
    /// `quarantine/`, each sequence it held becomes a placeholder record
    /// saying so (the journal keeps its one-sequence-per-record rule, and
    /// forwarders pass the placeholder on), and the later records are kept.
    /// The segment is replaced atomically.
    static func recover(_ path: String, firstSequence: UInt64, folder: String) throws(JournalError) -> Recovery {
        let bytes: [UInt8]
        do {
            bytes = try AtomicFile.read(path, limit: 1 << 30) ?? []
        } catch {
            throw JournalError(description: "\(error)")
        }
        var rebuilt: [UInt8] = []
        var recovery = Recovery(size: 0, lastSequence: nil)
        var offset = 0
        var expected = firstSequence
        let name = path.split(separator: "/").last.map(String.init) ?? path
        while offset < bytes.count {
            if case .record(let record, let size) = JournalRecordCodec.decode(bytes[offset...]), record.sequence == expected {
                rebuilt += bytes[offset..<(offset + size)]
                recovery.lastSequence = record.sequence
                expected += 1
                offset += size
                continue
            }
            guard let (resume, next) = nextValidRecord(bytes, after: offset, expected: expected) else {
                recovery.tornBytes = bytes.count - offset
                break
            }
            // Damage with valid records after it: quarantined, never cut.
            let quarantine = quarantineFolder(folder)
            let saved = quarantine + "/\(name)@\(offset).bad"
            do {
                try AtomicFile.makeFolders(quarantine, mode: 0o700)
                try AtomicFile.write(Array(bytes[offset..<resume]), to: saved, mode: 0o600)
            } catch {
                throw JournalError(description: "cannot quarantine the damaged bytes \(offset)-\(resume) of \(path): \(error)")
            }
            if next.sequence > expected {
                for sequence in expected..<next.sequence {
                    JournalRecordCodec.encode(placeholder(sequence: sequence, acceptedMicros: next.acceptedMicros, segment: name,
                                                          offset: offset, bytes: resume - offset, saved: "quarantine/\(name)@\(offset).bad"),
                                              into: &rebuilt)
                }
                recovery.quarantined.append(Quarantine(path: saved, segment: name, offset: offset, bytes: resume - offset,
                                                       sequences: expected...(next.sequence - 1)))
            } else {
                recovery.quarantined.append(Quarantine(path: saved, segment: name, offset: offset, bytes: resume - offset, sequences: nil))
            }
            expected = next.sequence
            offset = resume
        }
        recovery.size = rebuilt.count
        if recovery.quarantined.isEmpty {
            if recovery.tornBytes > 0, truncate(path, off_t(rebuilt.count)) != 0 {
                throw JournalError(description: "cannot cut the torn tail of \(path): \(errnoText())")
            }
        } else {
            do { try AtomicFile.write(rebuilt, to: path, mode: 0o600) } catch {
                throw JournalError(description: "cannot rewrite \(path) without its damaged bytes: \(error)")
            }
        }
        return recovery
    }

    /// The first whole, valid record after the bad byte at `offset` whose
    /// sequence could follow: at least `expected`, and at most one more per
    /// 24 bytes skipped (the smallest record). The sequence is checked before
    /// the checksum, so a long damaged stretch is crossed quickly.
    static func nextValidRecord(_ bytes: [UInt8], after offset: Int, expected: UInt64) -> (Int, JournalRecord)? {
        var candidate = offset + 1
        while candidate + JournalRecordCodec.headerSize <= bytes.count {
            let sequence = JournalRecordCodec.read64(bytes[...], candidate + 8)
            let room = UInt64((candidate - offset) / JournalRecordCodec.headerSize)
            if sequence >= expected, sequence - expected <= room,
               case .record(let record, _) = JournalRecordCodec.decode(bytes[candidate...]) {
                return (candidate, record)
            }
            candidate += 1
        }
        return nil
    }

    /// The record standing in for a sequence lost to damage: an auditd
    /// message (RFC 5424, facility log audit, warning) naming the file the
    /// damaged bytes were copied to.
    static func placeholder(sequence: UInt64, acceptedMicros: Int64, segment: String, offset: Int, bytes: Int, saved: String) -> JournalRecord {
        let time = (seconds: acceptedMicros / 1_000_000, microseconds: Int32(acceptedMicros % 1_000_000))
        let message = SyslogMessage(facility: .logAudit, severity: .warning, time: time, hostname: "-", appName: "auditd", processID: "-",
                                    messageID: "journal-quarantine",
                                    structuredData: [.init(id: AuditClient.structuredDataID,
                                                           parameters: [("sequence", String(sequence)), ("segment", segment),
                                                                        ("offset", String(offset)), ("bytes", String(bytes)), ("file", saved)])],
                                    message: "audit record \(sequence) was damaged on disk; its bytes are kept in \(saved)")
        return JournalRecord(sequence: sequence, acceptedMicros: acceptedMicros, text: message.encoded)
    }

    static func startSegment(_ state: inout State, folder: String) throws(JournalError) {
        if state.fd >= 0 {
            fsync(state.fd)
            close(state.fd)
        }
        let digits = String(state.nextSequence)
        let path = folder + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".seg"
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError(description: "cannot create \(path): \(errnoText())") }
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 {
            fsync(folderFD)
            close(folderFD)
        }
        state.fd = fd
        state.segments.append(Segment(firstSequence: state.nextSequence, path: path, size: 0))
    }
}
