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

/// Reads and writes checkpoints atomically (temp file, fsync, rename, fsync
/// of the folder: `AtomicFile`); one lock orders writes against deletions, so
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
            try AtomicFile.write(bytes, to: path(entry.config.name), mode: 0o600)
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
