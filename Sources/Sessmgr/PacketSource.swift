import ApplianceProtocol
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
    var inputCounters: StreamInputCounters { get }
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
    let inputCounters: StreamInputCounters

    /// Reads the open regular file `fd` (`name` for messages) to its end.
    init(fd: Int32, name path: String) throws(SourceFailure) {
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
        inputCounters = StreamInputCounters(reader.counters)
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

/// The files being played, by device, inode, size and modification time,
/// held weakly: a file is loaded once however many streams play it, and freed
/// when the last one stops. A changed file (new size or mtime) is loaded again.
///
/// The table's lock is held only to find or make a file's slot; the load
/// itself runs under that slot's own lock, so streams starting together on
/// one file wait for one load, and a load never holds up a stream of another
/// file (nor `status`). Only regular files reach it (`MediaFolder.open`).
final class TSFileCache: Sendable {
    static let shared = TSFileCache()

    private struct Key: Hashable {
        var device: UInt64
        var inode: UInt64
        var size: Int
        var seconds: Int
        var nanoseconds: Int
    }

    private struct Weak: @unchecked Sendable {
        weak var file: LoadedTSFile?
    }

    private final class Slot: Sendable {
        let file = Mutex(Weak())

        func load(_ make: () throws(SourceFailure) -> LoadedTSFile) throws(SourceFailure) -> LoadedTSFile {
            try file.withLock { held throws(SourceFailure) -> LoadedTSFile in
                if let loaded = held.file { return loaded }
                let loaded = try make()
                held.file = loaded
                return loaded
            }
        }

        /// Nothing loaded and no load under way.
        var isIdle: Bool { file.withLockIfAvailable { $0.file == nil } ?? false }
    }

    private let slots = Mutex<[Key: Slot]>([:])

    /// The file `configured` names in `media`, loaded or shared.
    func file(_ configured: String, in media: MediaFolder) throws(SourceFailure) -> LoadedTSFile {
        let fd = try media.open(configured)
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SourceFailure(description: "cannot read \(configured): \(String(cString: strerror(errno)))") }
        guard Int(info.st_size) <= LoadedTSFile.maximumBytes else { throw SourceFailure(description: "\(configured) is larger than 1 GiB") }
        let key = Key(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int(info.st_size),
                      seconds: Int(info.st_mtim.tv_sec), nanoseconds: Int(info.st_mtim.tv_nsec))
        let slot = slots.withLock { table -> Slot in
            if let slot = table[key] { return slot }
            table = table.filter { !$0.value.isIdle }
            let slot = Slot()
            table[key] = slot
            return slot
        }
        return try slot.load { () throws(SourceFailure) -> LoadedTSFile in try LoadedTSFile(fd: fd, name: configured) }
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
    var inputCounters: StreamInputCounters { file.inputCounters }

    /// The file `path` (as configured) names in `media`.
    init(path: String, media: MediaFolder, loops: Bool, startOffset: UInt64 = 0, startLoop: UInt64 = 0) throws(SourceFailure) {
        file = try TSFileCache.shared.file(path, in: media)
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

    var inputCounters: StreamInputCounters {
        var counters = StreamInputCounters()
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
