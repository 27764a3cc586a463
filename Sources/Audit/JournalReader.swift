import Glibc

/// Reads the journal forward from a sequence number, a chunk at a time with
/// `pread`: what a forwarder uses to follow the log without rereading segments.
///
/// It reads only what the journal has committed (synced), so a forwarder
/// never sends an event that a crash could still take back. When retention
/// has removed the segment holding the position, reading resumes at the
/// oldest event kept and `skipped` says which events were lost to retention.
/// Not thread-safe: one reader belongs to one forwarder.
final class JournalReader {
    private let journal: AuditJournal
    /// The sequence of the next record `next` returns.
    private(set) var position: UInt64
    private var segmentFirst: UInt64 = 0
    private var fd: Int32 = -1
    private var fileOffset = 0
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    static let chunk = 256 * 1024

    init(journal: AuditJournal, from sequence: UInt64) {
        self.journal = journal
        position = max(sequence, 1)
    }

    deinit { closeSegment() }

    /// Moves to `sequence` (a forwarder going back to resend).
    func seek(to sequence: UInt64) {
        guard sequence != position else { return }
        position = max(sequence, 1)
        closeSegment()
    }

    /// Up to `limit` records (and about `byteLimit` bytes of text) from the
    /// position on. `skipped` is the range retention removed before it was read.
    func next(limit: Int, byteLimit: Int) -> (records: [JournalRecord], skipped: Range<UInt64>?) {
        let (segments, nextSequence) = journal.committed()
        guard position < nextSequence, let firstKept = segments.first?.firstSequence else { return ([], nil) }
        var skipped: Range<UInt64>?
        if position < firstKept {
            skipped = position..<firstKept
            position = firstKept
            closeSegment()
        }
        guard let index = segments.lastIndex(where: { $0.firstSequence <= position }) else { return ([], skipped) }
        if fd < 0 || segmentFirst != segments[index].firstSequence {
            guard open(segments[index]) else { return ([], skipped) }
        }
        var records: [JournalRecord] = []
        var bytes = 0
        var segmentIndex = index
        while records.count < limit && bytes < byteLimit && position < nextSequence {
            let committedSize = segments[segmentIndex].size
            switch JournalRecordCodec.decode(buffer[bufferStart...]) {
            case .record(let record, let size):
                bufferStart += size
                guard record.sequence >= position else { continue }  // skipping to the position within a segment
                guard record.sequence == position else {
                    // The journal never has gaps; a mismatch means the file changed under us. Start the segment over.
                    closeSegment()
                    return (records, skipped)
                }
                records.append(record)
                bytes += record.text.utf8.count
                position += 1
            case .incomplete:
                if fileOffset < committedSize {
                    guard fill(upTo: committedSize) else { return (records, skipped) }
                } else if segmentIndex + 1 < segments.count {
                    segmentIndex += 1
                    guard open(segments[segmentIndex]) else { return (records, skipped) }
                } else {
                    return (records, skipped)
                }
            case .corrupt:
                closeSegment()
                return (records, skipped)
            }
        }
        return (records, skipped)
    }

    private func open(_ segment: AuditJournal.Segment) -> Bool {
        closeSegment()
        fd = Glibc.open(segment.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        segmentFirst = segment.firstSequence
        fileOffset = 0
        buffer = []
        bufferStart = 0
        return true
    }

    /// Appends the next chunk (never past `committedSize`) to what is unread.
    private func fill(upTo committedSize: Int) -> Bool {
        if bufferStart > 0 {
            buffer.removeFirst(bufferStart)
            bufferStart = 0
        }
        let want = min(Self.chunk, committedSize - fileOffset)
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: want))
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + old, want, off_t(fileOffset)) }
        guard n > 0 else {
            buffer.removeLast(want)
            closeSegment()
            return false
        }
        buffer.removeLast(want - n)
        fileOffset += n
        return true
    }

    private func closeSegment() {
        if fd >= 0 { close(fd) }
        fd = -1
        buffer = []
        bufferStart = 0
        fileOffset = 0
    }
}
