/// Cuts a byte stream (a file read in chunks, or received datagrams) into
/// 188-byte TS packets, finding and keeping sync (ISO/IEC 13818-1 §2.4.3.3):
/// sync is taken where three sync bytes lie 188 bytes apart, and lost when a
/// packet does not start with 0x47; everything between is skipped and
/// counted. A packet whose header does not parse is dropped and counted; it
/// never stops the stream.
///
/// Output is appended to the caller's buffer, whole packets only, so the
/// reader allocates once per chunk at most.
public struct TSResynchronizer: Sendable {
    /// What the input held, named for what is counted.
    public struct Counters: Equatable, Sendable, Codable {
        /// Packets passed on.
        public var packets: UInt64 = 0
        /// Times sync was lost after being held.
        public var syncLosses: UInt64 = 0
        /// Bytes skipped while looking for sync.
        public var skippedBytes: UInt64 = 0
        /// Packets in sync whose header does not parse (reserved adaptation_field_control,
        /// adaptation field past the packet): dropped.
        public var invalidPackets: UInt64 = 0
        /// Packets with transport_error_indicator set (passed on, counted).
        public var transportErrors: UInt64 = 0
        /// Bytes of a last, incomplete packet at the end of the input.
        public var truncatedBytes: UInt64 = 0
        public init() {}
    }

    /// Sync bytes 188 apart needed to (re)take sync.
    public static let confirmations = 3

    public private(set) var counters = Counters()
    /// Whether sync is held.
    public private(set) var locked = false
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    /// Takes the next bytes of the input; appends each complete valid packet to `output`.
    public mutating func accept(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) {
        buffer.append(contentsOf: bytes)
        drain(into: &output)
        if start > 0 && (start >= 65_536 || start == buffer.count) {
            buffer.removeFirst(start)
            start = 0
        }
    }

    /// The input ended: a held partial packet is counted as truncated, unsynced bytes as skipped.
    public mutating func finish() {
        let rest = UInt64(buffer.count - start)
        if locked { counters.truncatedBytes += rest } else { counters.skippedBytes += rest }
        buffer.removeAll(keepingCapacity: true)
        start = 0
    }

    /// Forgets a held partial packet and sync (after a gap in the input, e.g. a lost datagram).
    public mutating func reset() {
        counters.skippedBytes += UInt64(buffer.count - start)
        buffer.removeAll(keepingCapacity: true)
        start = 0
        locked = false
    }

    private mutating func drain(into output: inout [UInt8]) {
        let size = TSPacket.size
        while true {
            if locked {
                guard buffer.count - start >= size else { return }
                guard buffer[start] == TSPacket.syncByte else {
                    locked = false
                    counters.syncLosses += 1
                    continue
                }
                do {
                    let packet = try TSPacket(buffer, at: start)
                    if packet.transportError { counters.transportErrors += 1 }
                    output.append(contentsOf: buffer[start..<(start + size)])
                    counters.packets += 1
                } catch {
                    counters.invalidPackets += 1
                }
                start += size
            } else {
                let span = size * (Self.confirmations - 1)
                var position = start
                var found = false
                while position + span < buffer.count {
                    if buffer[position] == TSPacket.syncByte && buffer[position + size] == TSPacket.syncByte
                        && buffer[position + span] == TSPacket.syncByte {
                        found = true
                        break
                    }
                    position += 1
                }
                counters.skippedBytes += UInt64(position - start)
                start = position
                guard found else { return }
                locked = true
            }
        }
    }
}
