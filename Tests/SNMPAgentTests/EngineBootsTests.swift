import Foundation
import SNMP
import Testing
@testable import SNMPAgent

/// snmpEngineBoots per engine ID never goes back (RFC 3414 §2.2.2): however
/// many other engine IDs were started in between, an engine ID started
/// again continues its own count, so messages recorded under it before
/// cannot be replayed inside a fresh time window.
@Suite("snmpd engine boots: monotonic per engine ID for good")
struct EngineBootsTests {
    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "engine-boots-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func engineID(_ n: Int) -> [UInt8] { [0x80, 0, 0x7E, 0xD9, 5, UInt8(n >> 8), UInt8(n & 0xFF)] }

    @Test("cycling through 40 other engine IDs and back continues the first one's boots instead of restarting at 1")
    func cyclingEngineIDsNeverRestartsBoots() throws {
        let path = try folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let store = EngineStore(folder: path)
        let first = engineID(0)
        for expected in Int32(1)...3 { #expect(try store.start(engineID: first, atSeconds: 0).boots == expected) }
        for n in 1...40 { #expect(try store.start(engineID: engineID(n), atSeconds: 0).boots == 1) }
        #expect(try store.start(engineID: first, atSeconds: 0).boots == 4, "the first engine ID's boots went back")
        for n in 1...40 { #expect(try store.start(engineID: engineID(n), atSeconds: 0).boots == 2, "engine ID \(n)") }
    }

    @Test("a store holding thousands of engine IDs still starts and keeps each count")
    func manyEngineIDsAreKept() throws {
        let path = try folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Written directly: 5000 engine IDs, each started 7 times before.
        let records = (0..<5000).map { EngineBootRecord(engineIDHex: engineID($0).map { String(format: "%02x", $0) }.joined(), boots: 7) }
        try JSONEncoder().encode(records).write(to: URL(fileURLWithPath: path + "/boots.json"))
        let store = EngineStore(folder: path)
        #expect(try store.start(engineID: engineID(0), atSeconds: 0).boots == 8)
        #expect(try store.start(engineID: engineID(4999), atSeconds: 0).boots == 8)
        #expect(try store.start(engineID: engineID(5000), atSeconds: 0).boots == 1)
        #expect(try store.start(engineID: engineID(2500), atSeconds: 0).boots == 8)
    }
}
