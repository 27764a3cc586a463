import TestSupport
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
@testable import SNMP

@Suite("Engine ID and boots")
struct EngineStateTests {
    @Test("format 4 engine ID: enterprise 32473 with the top bit, then 4 and the text (RFC 3411 §5)")
    func textEngineID() throws {
        #expect(HexOctets.text(try EngineIDFormat.text("appliance")) == "80007ed9046170706c69616e6365")
        #expect(try EngineIDFormat.text("appliance") == NetSNMPCaptures.engineID)
    }

    @Test("format 5 and random engine IDs; out-of-range inputs are refused")
    func octetAndRandomEngineIDs() throws {
        #expect(HexOctets.text(try EngineIDFormat.octets([0xDE, 0xAD])) == "80007ed905dead")
        var generator = SeededGenerator(seed: 3)
        let random = try EngineIDFormat.random(using: &generator)
        #expect(random.count == 17 && Array(random.prefix(5)) == [0x80, 0x00, 0x7E, 0xD9, 0x05])
        #expect(try EngineIDFormat.random(using: &generator) != random)
        #expect(throws: EngineIDFormat.Problem.followingOctets(0)) { try EngineIDFormat.text("") }
        #expect(throws: EngineIDFormat.Problem.followingOctets(28)) { try EngineIDFormat.octets(.init(repeating: 1, count: 28)) }
        #expect(throws: EngineIDFormat.Problem.enterpriseTooLarge(0x8000_0000)) { try EngineIDFormat.text("x", enterprise: 0x8000_0000) }
    }

    @Test("boots start at 1, go up by one per start, and restart at 1 for a new engine ID")
    func bootsIncrement() {
        let engineID = NetSNMPCaptures.engineID
        let first = EngineState.starting(engineID: engineID, after: nil, startSeconds: 0)
        #expect(first.state.boots == 1 && first.record.boots == 1)
        let second = EngineState.starting(engineID: engineID, after: first.record, startSeconds: 100)
        #expect(second.state.boots == 2)
        let renamed = EngineState.starting(engineID: [0x80, 0, 0x7E, 0xD9, 4, 0x78], after: second.record, startSeconds: 0)
        #expect(renamed.state.boots == 1)
    }

    @Test("boots latch at 2147483647 (RFC 3414 §2.2.2)")
    func bootsLatch() {
        let engineID = NetSNMPCaptures.engineID
        let hexID = HexOctets.text(engineID)
        #expect(EngineState.starting(engineID: engineID, after: EngineBootRecord(engineIDHex: hexID, boots: .max - 1), startSeconds: 0).state.boots == .max)
        #expect(EngineState.starting(engineID: engineID, after: EngineBootRecord(engineIDHex: hexID, boots: .max), startSeconds: 0).state.boots == .max)
    }

    @Test("time counts seconds from the start; past 2^31-1 boots goes up and time restarts")
    func engineTime() {
        let state = EngineState(engineID: [1, 2, 3, 4, 5], boots: 7, startSeconds: 1_000)
        #expect(state.snapshot(atSeconds: 1_000) == EngineSnapshot(engineID: [1, 2, 3, 4, 5], boots: 7, time: 0))
        #expect(state.snapshot(atSeconds: 1_150).time == 150)
        #expect(state.snapshot(atSeconds: 999).time == 0)  // a clock before the start reads as the start
        let wrapped = state.snapshot(atSeconds: 1_000 + UInt64(Int32.max) + 1 + 5)
        #expect(wrapped.boots == 8 && wrapped.time == 5)
        let latched = EngineState(engineID: [1, 2, 3, 4, 5], boots: .max, startSeconds: 0).snapshot(atSeconds: 10)
        #expect(latched.boots == .max && latched.time == 10)
    }

    @Test("the boot record is Codable for the daemon to persist")
    func bootRecordCodable() throws {
        let record = EngineBootRecord(engineIDHex: "80007ed9046170706c69616e6365", boots: 12)
        let data = try JSONEncoder().encode(record)
        #expect(try JSONDecoder().decode(EngineBootRecord.self, from: data) == record)
    }
}
