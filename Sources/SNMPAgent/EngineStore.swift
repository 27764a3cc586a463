import ApplianceCore
import Configuration
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SNMP

/// The engine's persistent identity in snmpd's state folder:
/// `engine-id` (hex, generated once, format 5 with 12 random octets under
/// enterprise 32473) and `boots.json` (an EngineBootRecord per engine ID
/// ever started here, never evicted). Both are written with AtomicFile
/// (write, fsync, rename, fsync of the folder), so a power cut leaves either the old or the new file, never a
/// torn one, and engineBoots never goes back (RFC 3414 §2.2.2).
public struct EngineStore: Sendable {
    public let folder: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public init(folder: String) { self.folder = folder }

    /// The largest boots.json read.
    static let readLimit = 16 << 20

    var generatedIDPath: String { folder + "/engine-id" }
    var bootsPath: String { folder + "/boots.json" }

    /// This agent's own engine ID: read, or generated and stored on the first start.
    public func generatedEngineID() throws(Failure) -> [UInt8] {
        do {
            if let bytes = try AtomicFile.read(generatedIDPath, limit: 256) {
                let text = String(decoding: bytes, as: UTF8.self).trimmingSpace
                if let octets = Hex.decode(text), (5...32).contains(octets.count) { return octets }
                throw Failure(description: "\(generatedIDPath) does not hold an engine ID (5-32 octets in hex); remove it to generate a new one")
            }
            var generator = SystemRandomNumberGenerator()
            let octets = try EngineIDFormat.random(using: &generator)
            try AtomicFile.write(Hex.encode(octets) + "\n", to: generatedIDPath, mode: 0o600)
            return octets
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "cannot keep the engine ID: \(error)")
        }
    }

    /// Counts a start for `engineID` (boots + 1, or 1 for an engine ID never
    /// started here) and stores it before the agent answers anything. Boots
    /// are kept per engine ID for good: no record is ever dropped, so
    /// cycling through any number of engine IDs and back never starts a
    /// count again at 1 (which would accept replays of messages recorded
    /// under that engine ID before). The file grows only when an
    /// administrator configures an engine ID never used here (under 100
    /// bytes each; `readLimit`, 16 MiB, holds over 150,000).
    public func start(engineID: [UInt8], atSeconds seconds: UInt64) throws(Failure) -> EngineState {
        var records: [EngineBootRecord] = []
        do {
            if let bytes = try AtomicFile.read(bootsPath, limit: Self.readLimit) {
                // An unreadable record would restart boots at 1 and reopen
                // the replay window: refuse rather than guess.
                guard let decoded = try? JSONDecoder().decode([EngineBootRecord].self, from: Data(bytes)) else {
                    throw Failure(description: "\(bootsPath) is not a list of engine boot records; restore it from a backup")
                }
                records = decoded
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "cannot read \(bootsPath): \(error)")
        }
        let hex = Hex.encode(engineID)
        let previous = records.first { $0.engineIDHex.lowercased() == hex }
        let (state, record) = EngineState.starting(engineID: engineID, after: previous, startSeconds: seconds)
        records.removeAll { $0.engineIDHex.lowercased() == hex }
        records.append(record)
        do {
            let encoded = try JSONEncoder().encode(records)
            try AtomicFile.write(Array(encoded), to: bootsPath, mode: 0o600)
        } catch {
            throw Failure(description: "cannot store engineBoots in \(bootsPath): \(error)")
        }
        return state
    }
}
