/// Where a forwarder resumes: persisted per destination so a restarted
/// auditd resends from the last confirmed event, never from the start.
struct ForwardCursor: Codable, Equatable {
    /// The newest event confirmed delivered.
    var confirmed: UInt64
    /// The newest event ever written to the collector (to count resends).
    var highestSent: UInt64
}

/// A forwarder's delivery bookkeeping, without a socket or a clock: the
/// batches written and not yet confirmed, where each one's ciphertext ends in
/// the connection's byte stream, how much of that stream the collector's TCP
/// has acknowledged (from `SIOCOUTQ`), the grace period before an
/// acknowledged batch is confirmed, and the cursor to persist. Times are
/// monotonic nanoseconds the caller reads.
struct DeliveryWindow: Equatable {
    /// A batch written and not yet confirmed.
    struct Batch: Equatable {
        var last: UInt64
        var count: Int
        /// Where its ciphertext ends in the connection's byte stream.
        var cipherEnd: UInt64
        var ackedAt: UInt64?
    }

    /// How long an acknowledged batch waits before it is confirmed (the
    /// collector may still lose what sits in its socket buffer or queue).
    let grace: UInt64
    /// Most ciphertext written and not acknowledged.
    let limit: UInt64
    /// The least time between two cursor writes unless forced.
    let saveInterval: UInt64

    private(set) var cursor: ForwardCursor
    /// What the cursor file holds; nil when it has not been written yet.
    private(set) var cursorSaved: ForwardCursor?
    private var lastCursorWrite: UInt64
    private(set) var inFlight: [Batch] = []
    /// The ciphertext offset the collector's TCP has acknowledged on this connection.
    private(set) var acknowledged: UInt64 = 0
    /// The ciphertext the handshake took; data acknowledged beyond it means the collector took events.
    private(set) var handshakeBytes: UInt64 = .max

    init(cursor: ForwardCursor, saved: ForwardCursor?, grace: UInt64, limit: UInt64, saveInterval: UInt64 = 1_000_000_000, now: UInt64) {
        self.cursor = cursor
        cursorSaved = saved
        self.grace = grace
        self.limit = limit
        self.saveInterval = saveInterval
        lastCursorWrite = now
    }

    /// The first sequence a (re)started connection sends.
    var resumeSequence: UInt64 { cursor.confirmed + 1 }

    /// A new connection: nothing of its stream is acknowledged yet.
    mutating func connectionOpened() {
        acknowledged = 0
        handshakeBytes = .max
    }

    /// Its TLS handshake took `bytes` of ciphertext.
    mutating func handshakeCompleted(bytes: UInt64) {
        handshakeBytes = bytes
    }

    /// Whether another batch may be written when `enqueued` bytes of
    /// ciphertext have entered the connection.
    func hasRoom(enqueued: UInt64) -> Bool {
        enqueued - acknowledged < limit
    }

    /// A batch from `first` to `last` was written and its ciphertext ends at
    /// `cipherEnd`. Returns how many of its events were sent before (resends).
    mutating func wrote(first: UInt64, last: UInt64, count: Int, cipherEnd: UInt64) -> UInt64 {
        inFlight.append(Batch(last: last, count: count, cipherEnd: cipherEnd))
        let resent = first <= cursor.highestSent ? min(UInt64(count), cursor.highestSent - first + 1) : 0
        cursor.highestSent = max(cursor.highestSent, last)
        return resent
    }

    /// Retention removed `skipped` before it was sent: nothing there is left to deliver.
    mutating func skipped(_ skipped: Range<UInt64>) {
        cursor.confirmed = max(cursor.confirmed, skipped.upperBound - 1)
    }

    /// The kernel has taken `written` bytes of ciphertext and `SIOCOUTQ`
    /// reports `unacknowledged` of them not yet acknowledged: batches ending
    /// within the acknowledged part are stamped `now`.
    mutating func kernelReported(written: UInt64, unacknowledged: Int32, now: UInt64) {
        acknowledged = written - min(written, UInt64(max(0, unacknowledged)))
        for index in inFlight.indices where inFlight[index].ackedAt == nil {
            guard inFlight[index].cipherEnd <= acknowledged else { break }
            inFlight[index].ackedAt = now
        }
    }

    /// Confirms, in order, the batches acknowledged at least `grace` ago.
    mutating func confirm(now: UInt64) {
        while let first = inFlight.first, let acked = first.ackedAt, acked + grace <= now {
            cursor.confirmed = max(cursor.confirmed, first.last)
            inFlight.removeFirst()
        }
    }

    /// The connection ended: what passed the grace period counts, the rest
    /// is sent again from `resumeSequence`. Returns whether the collector
    /// took data on it (beyond the handshake).
    mutating func connectionLost(now: UInt64) -> Bool {
        confirm(now: now)
        inFlight.removeAll()
        let tookData = acknowledged > handshakeBytes
        acknowledged = 0
        handshakeBytes = .max
        return tookData
    }

    /// The cursor to write now, if any: it changed, and it is forced or a
    /// write is at least `saveInterval` old.
    func cursorToSave(force: Bool, now: UInt64) -> ForwardCursor? {
        guard cursor != cursorSaved, force || lastCursorWrite + saveInterval <= now else { return nil }
        return cursor
    }

    /// `cursor` is on disk.
    mutating func cursorWritten(_ cursor: ForwardCursor, now: UInt64) {
        cursorSaved = cursor
        lastCursorWrite = now
    }
}
