import Configuration
import Glibc
import Streaming
import Synchronization

/// What a stream reads its TS packets from.
protocol PacketSource {
    /// Appends up to `limit` packets (188 bytes each, in sync, rewritten as
    /// they must be sent) to `window`; `.idle` when nothing came in time.
    mutating func read(into window: inout [UInt8], limit: Int) -> SourceRead
    /// Where the next packet comes from (file: offset and pass).
    var position: (offset: UInt64, loop: UInt64) { get }
    /// Bad input counted so far.
    var inputCounters: TSResynchronizer.Counters { get }
}

enum SourceRead: Equatable {
    case packets(Int)
    case idle
    /// A file played once has ended.
    case end
}

/// Why a source cannot be played.
struct SourceFailure: Error, CustomStringConvertible {
    var description: String
}

/// An MPEG-TS file as loaded: its packets in sync (bad bytes counted and
/// dropped by `TSResynchronizer`), its loop splice and mean bitrate. Immutable,
/// so the streams playing the same file share one copy (`TSFileCache`).
final class LoadedTSFile: Sendable {
    /// Files above this are refused (the file is held in memory).
    static let maximumBytes = 1 << 30
    let packets: [UInt8]
    let packetCount: UInt64
    let continuity: LoopContinuity
    /// The file's mean bitrate, bit/s, from its PCR span.
    let bitrate: UInt64
    let inputCounters: TSResynchronizer.Counters

    init(path: String) throws(SourceFailure) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SourceFailure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var reader = TSResynchronizer()
        var packets: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw SourceFailure(description: "cannot read \(path): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            total += count
            guard total <= Self.maximumBytes else { throw SourceFailure(description: "\(path) is larger than 1 GiB") }
            reader.accept(chunk[0..<count], into: &packets)
        }
        reader.finish()
        inputCounters = reader.counters
        guard !packets.isEmpty else {
            throw SourceFailure(description: "\(path) holds no MPEG-TS packets (no sync found in \(total) bytes)")
        }
        var analyzer = LoopAnalyzer()
        for offset in stride(from: 0, to: packets.count, by: TSPacket.size) { try? analyzer.observe(packets, at: offset) }
        do { continuity = try analyzer.finish() } catch { throw SourceFailure(description: "\(path): \(error.description)") }
        self.packets = packets
        packetCount = UInt64(packets.count / TSPacket.size)
        bitrate = MediaClock.scale(packetCount * UInt64(TSPacket.size * 8), by: MediaClock.systemClockHz,
                                   over: continuity.loopDuration) ?? 0
    }
}

/// The files being played, by path, size and modification time, held weakly:
/// a file is loaded once however many streams play it, and freed when the last
/// one stops. A changed file (new size or mtime) is loaded again.
final class TSFileCache: Sendable {
    static let shared = TSFileCache()
    private struct Entry: @unchecked Sendable {
        var size: Int
        var modified: timespec
        weak var file: LoadedTSFile?
    }
    private let entries = Mutex<[String: Entry]>([:])

    func file(_ path: String) throws(SourceFailure) -> LoadedTSFile {
        var info = stat()
        guard stat(path, &info) == 0 else { throw SourceFailure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        let size = Int(info.st_size), modified = info.st_mtim
        // Loaded under the lock: streams starting together on one file wait
        // for one load instead of each loading it (loads are rare and short).
        let result = entries.withLock { table -> Result<LoadedTSFile, SourceFailure> in
            if let entry = table[path], entry.size == size, entry.modified.tv_sec == modified.tv_sec,
               entry.modified.tv_nsec == modified.tv_nsec, let file = entry.file {
                return .success(file)
            }
            do {
                let loaded = try LoadedTSFile(path: path)
                table = table.filter { $0.value.file != nil }
                table[path] = Entry(size: size, modified: modified, file: loaded)
                return .success(loaded)
            } catch {
                return .failure(error as? SourceFailure ?? SourceFailure(description: "\(error)"))
            }
        }
        return try result.get()
    }
}

/// A file played in passes: pass n is rewritten by `LoopContinuity` so CC,
/// PCR, PTS and DTS continue across the loop point.
struct FileSource: PacketSource {
    let file: LoadedTSFile
    let loops: Bool
    private var next: UInt64
    private var loop: UInt64
    private(set) var pesErrors: UInt64 = 0

    /// The file's buffers, shared (copy on write; never written).
    let packets: [UInt8]
    let packetCount: UInt64
    let continuity: LoopContinuity
    var bitrate: UInt64 { file.bitrate }
    var inputCounters: TSResynchronizer.Counters { file.inputCounters }

    init(path: String, loops: Bool, startOffset: UInt64 = 0, startLoop: UInt64 = 0) throws(SourceFailure) {
        file = try TSFileCache.shared.file(path)
        packets = file.packets
        packetCount = file.packetCount
        continuity = file.continuity
        self.loops = loops
        next = startOffset / UInt64(TSPacket.size) % file.packetCount
        loop = startLoop
    }

    var position: (offset: UInt64, loop: UInt64) { (next * UInt64(TSPacket.size), loop) }

    mutating func read(into window: inout [UInt8], limit: Int) -> SourceRead {
        var added = 0
        while added < limit {
            if next == packetCount {
                guard loops else { return added > 0 ? .packets(added) : .end }
                next = 0
                loop += 1
            }
            let start = window.count
            let offset = Int(next) * TSPacket.size
            window.append(contentsOf: packets[offset..<(offset + TSPacket.size)])
            do {
                if try continuity.rewrite(&window, at: start, loop: loop) != nil { pesErrors += 1 }
            } catch {
                // The file's packets were checked when loaded; cannot happen.
            }
            next += 1
            added += 1
        }
        return .packets(added)
    }
}

/// MPEG-TS received on UDP or RTP: RTP sequence gaps and garbage counted by
/// `UDPTSReassembler`, the packets passed on as they came.
struct NetworkSource: PacketSource {
    let input: UDPInput
    var reassembler = UDPTSReassembler()
    private var buffer = [UInt8](repeating: 0, count: 65_536)
    private(set) var lastArrival: UInt64?
    var invalidPackets: UInt64 = 0
    var packets: UInt64 = 0

    init(_ address: MediaAddress, interface: String?) throws(SourceFailure) {
        do { input = try UDPInput(address, interface: interface) } catch { throw SourceFailure(description: "input \(address): \(error)") }
    }

    var position: (offset: UInt64, loop: UInt64) { (0, 0) }

    var inputCounters: TSResynchronizer.Counters {
        var counters = TSResynchronizer.Counters()
        counters.packets = packets
        counters.invalidPackets = invalidPackets
        return counters
    }

    mutating func read(into window: inout [UInt8], limit: Int) -> SourceRead {
        let count = input.receive(into: &buffer, timeoutMilliseconds: 50)
        guard count > 0 else { return .idle }
        lastArrival = SenderClock.now()
        let datagram = Array(buffer[0..<count])
        guard case .packets(let payload, _) = reassembler.accept(datagram) else { return .packets(0) }
        var added = 0
        for offset in stride(from: payload.lowerBound, to: payload.upperBound, by: TSPacket.size) {
            guard (try? TSPacket(datagram, at: offset)) != nil else {
                invalidPackets += 1
                continue
            }
            window.append(contentsOf: datagram[offset..<(offset + TSPacket.size)])
            added += 1
        }
        packets += UInt64(added)
        return .packets(added)
    }
}

extension FileSource {
    /// Continues from `offset` (bytes, a multiple of 188) in pass `loop`.
    mutating func seek(offset: UInt64, loop: UInt64) {
        next = offset / UInt64(TSPacket.size) % packetCount
        self.loop = loop
    }
}
