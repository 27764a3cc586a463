import ApplianceCore
import Configuration
import Glibc
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Streaming
import Synchronization

/// What is kept per running stream under `var/lib/appliance/sessmgrd/streams/`:
/// the stream's configuration as it ran (so a restarted sessmgrd resumes at
/// once, before configd answers) and its position (`StreamCheckpoint`).
public struct SessionCheckpoint: Codable, Sendable, Equatable {
    public var config: StreamConfig
    public var checkpoint: StreamCheckpoint
    public init(config: StreamConfig, checkpoint: StreamCheckpoint) {
        self.config = config
        self.checkpoint = checkpoint
    }
}

/// Reads and writes checkpoints atomically (temporary file and rename; see
/// `replace` for why without fsync); one lock orders writes against deletions, so
/// a stream stopped on purpose never gets its file back from a late write.
public final class CheckpointStore: Sendable {
    public let folder: String
    private let lock = Mutex<Void>(())

    public init(folder: String) throws {
        self.folder = folder
        try AtomicFile.makeFolders(folder, mode: 0o700)
    }

    func path(_ name: String) -> String { folder + "/" + name + ".json" }

    /// Writes `entry` unless `stillWanted` says the stream stopped meanwhile.
    public func write(_ entry: SessionCheckpoint, if stillWanted: () -> Bool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = Array(try encoder.encode(entry))
        try lock.withLock { _ in
            guard stillWanted() else { return }
            try Self.replace(path(entry.config.name), with: bytes)
        }
    }

    /// Temporary file, write, rename: atomic against a crash of the process
    /// (what a checkpoint is for; the page cache outlives the process). No
    /// fsync: five per second per stream cost more than they give, since after
    /// a power loss an old checkpoint only means a stream resumes further
    /// back in its file, and a torn one is discarded when loaded.
    static func replace(_ path: String, with bytes: [UInt8]) throws(SocketError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw SocketError("create \(temporary)") }
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let code = errno
        close(fd)
        guard written == bytes.count else {
            unlink(temporary)
            throw SocketError("write \(temporary)", code: written < 0 ? code : EIO)
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw SocketError("rename to \(path)", code: code)
        }
    }

    public func remove(_ name: String) {
        lock.withLock { _ in _ = unlink(path(name)) }
    }

    /// Every readable checkpoint; unreadable or invalid ones are removed and reported.
    public func loadAll(problem: (String, String) -> Void) -> [String: SessionCheckpoint] {
        var found: [String: SessionCheckpoint] = [:]
        for file in (try? AtomicFile.entries(in: folder)) ?? [] where file.hasSuffix(".json") {
            let name = String(file.dropLast(5))
            do {
                guard let bytes = try AtomicFile.read(folder + "/" + file, limit: 1 << 20) else { continue }
                let entry = try JSONDecoder().decode(SessionCheckpoint.self, from: Data(bytes))
                try entry.checkpoint.validate()
                guard entry.config.name == name, entry.checkpoint.stream == name else {
                    throw CheckpointError.invalid("names a different stream")
                }
                found[name] = entry
            } catch {
                problem(name, "\(error)")
                remove(name)
            }
        }
        return found
    }
}
