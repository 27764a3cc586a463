import TestSupport
import Testing
@testable import SNMP

/// Seeded, bounded fuzzing: hostile datagrams must only ever produce typed
/// errors or counted rejections, and anything that decodes must re-encode
/// to a message that decodes the same.
@Suite("Randomised input")
struct FuzzTests {
    /// Valid messages to mutate, with the credentials that accept them.
    private static func corpus() throws -> [(octets: [UInt8], user: USMCredentials?, engine: EngineSnapshot)] {
        let captureEngine = EngineSnapshot(engineID: NetSNMPCaptures.engineID, boots: 0, time: 0)
        var items: [(octets: [UInt8], user: USMCredentials?, engine: EngineSnapshot)] = [
            (NetSNMPCaptures.discoveryProbe, nil, captureEngine),
        ]
        for capture in NetSNMPCaptures.authPrivGets {
            items.append((capture.octets, try NetSNMPCaptures.credentials(for: capture), captureEngine))
        }
        // Our own encodings, with more varbind types than net-snmp's requests.
        let user = try NetSNMPCaptures.credentials(for: .init(auth: .sha384, priv: .aes256, octets: []))
        let engine = EngineSnapshot(engineID: NetSNMPCaptures.engineID, boots: 9, time: 500)
        let varBinds: [VarBind] = [
            VarBind([1, 3, 6, 1, 2, 1, 1, 3, 0], .timeTicks(99)), VarBind([1, 3, 6, 1, 4, 1, 32473, 1, 300], .counter64(.max)),
            VarBind([1, 3, 6, 1, 2, 1, 4, 20, 1, 1, 192, 0, 2, 1], .ipAddress(192, 0, 2, 1)), VarBind([1, 3, 6, 1], .integer(-77)),
            VarBind([2, 999, 1], .objectIdentifier([1, 3, 6, 1, 6, 3])), VarBind([1, 3, 6, 1, 2], .noSuchInstance),
            VarBind([1, 3, 6, 1, 3], .opaque([0x9F, 0x78, 4, 0x3F, 0x80, 0, 0])), VarBind([1, 3, 6, 1, 5], .gauge32(0x8000_0000)),
        ]
        let scoped = ScopedPDU(contextEngineID: engine.engineID, pdu: .getBulk(requestID: 31, nonRepeaters: 1, maxRepetitions: 5, varBinds: varBinds))
        for security in [OutgoingSecurity.authPriv(user, salt: [1, 2, 3, 4, 5, 6, 7, 8]), .authNoPriv(user), .noAuthNoPriv(userName: user.userName)] {
            items.append((try USMEngine.encodeOutgoing(scoped, messageID: 5, maxSize: 2000, reportable: true, security: security, authoritative: engine),
                          user, engine))
        }
        return items
    }

    /// One random change of the kinds that break parsers: bit flips,
    /// boundary octets (0x00, 0x7F, 0x80-0x84, 0xFF, which hit length and
    /// sign rules), truncation, insertion, deletion and duplication.
    private static func mutate(_ input: [UInt8], _ generator: inout SeededGenerator, donor: [UInt8]) -> [UInt8] {
        var octets = input
        let rounds = Int.random(in: 1...4, using: &generator)
        for _ in 0..<rounds {
            let position = octets.isEmpty ? 0 : Int.random(in: 0..<octets.count, using: &generator)
            switch Int.random(in: 0..<8, using: &generator) {
            case 0 where !octets.isEmpty:
                octets[position] ^= 1 << UInt8.random(in: 0...7, using: &generator)
            case 1 where !octets.isEmpty:
                octets[position] = [0x00, 0x01, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0xFF].randomElement(using: &generator) ?? 0
            case 2 where !octets.isEmpty:
                octets[position] = UInt8.random(in: 0...255, using: &generator)
            case 3:
                octets = Array(octets.prefix(position))
            case 4:
                let count = Int.random(in: 1...8, using: &generator)
                octets.insert(contentsOf: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }, at: position)
            case 5 where !octets.isEmpty:
                let end = min(octets.count, position + Int.random(in: 1...16, using: &generator))
                octets.removeSubrange(position..<end)
            case 6 where !octets.isEmpty:
                let end = min(octets.count, position + Int.random(in: 1...32, using: &generator))
                octets.insert(contentsOf: octets[position..<end], at: position)
            default:
                // Splice: this message's head, another's tail.
                let cut = donor.isEmpty ? 0 : Int.random(in: 0..<donor.count, using: &generator)
                octets = Array(octets.prefix(position)) + donor[cut...]
            }
        }
        return octets
    }

    /// Decodes, checks what a decode must guarantee, and runs the USM.
    @discardableResult
    private static func exercise(_ octets: [UInt8], original: [UInt8], user: USMCredentials?, engine: EngineSnapshot) -> SNMPCounter? {
        var decodeCounter: SNMPCounter?
        do {
            let received = try SNMPv3Message.decode(octets)
            // Whatever decodes re-encodes to a message that decodes the same.
            let again = try SNMPv3Message.decode(received.message.encode().bytes)
            #expect(again.message == received.message)
            #expect(received.authenticationParametersRange.upperBound <= octets.count)
        } catch {
            decodeCounter = error.counter
            #expect((0...max(octets.count, BERReader.maximumMessageSize)).contains(error.offset))
        }
        let outcome = USMEngine().processIncoming(octets, engine: engine) { name in name == user?.userName ? user : nil }
        switch outcome {
        case .accepted:
            // Everything is under the MAC: only the untouched message passes.
            #expect(octets == original)
            return nil
        case .rejected(let rejection):
            if let decodeCounter { #expect(rejection.counter == decodeCounter) }
            if let report = rejection.report {
                // A Report must always be encodable.
                #expect(throws: Never.self) { _ = try USMEngine().encodeReport(report, counterValue: 1, engine: engine) }
            }
            return rejection.counter
        }
    }

    @Test("60 000 mutated messages: typed errors or counted rejections, and only untouched ones accepted")
    func mutatedMessages() throws {
        let items = try Self.corpus()
        var generator = SeededGenerator(seed: 0x5EED_0001)
        for (item, _) in zip(items, 0...) {
            Self.exercise(item.octets, original: item.octets, user: item.user, engine: item.engine)
        }
        var seen = SNMPCounters()
        for _ in 0..<60_000 {
            let item = items[Int.random(in: 0..<items.count, using: &generator)]
            let donor = items[Int.random(in: 0..<items.count, using: &generator)].octets
            let mutated = Self.mutate(item.octets, &generator, donor: donor)
            if let counter = Self.exercise(mutated, original: item.octets, user: item.user, engine: item.engine) {
                seen.increment(counter)
            }
        }
        // The mutations reach past the parser into every USM check.
        for counter in [SNMPCounter.snmpInASNParseErrs, .usmStatsUnknownEngineIDs, .usmStatsUnknownUserNames,
                        .usmStatsUnsupportedSecLevels, .usmStatsWrongDigests] {
            #expect(seen[counter] > 100, "\(counter): \(seen[counter])")
        }
    }

    @Test("10 000 random datagrams, half of them dressed as a SEQUENCE, never crash the decoder or the USM")
    func randomDatagrams() throws {
        var generator = SeededGenerator(seed: 0x5EED_0002)
        let engine = EngineSnapshot(engineID: NetSNMPCaptures.engineID, boots: 1, time: 1)
        for round in 0..<10_000 {
            var octets = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 2 == 0 {
                octets = [0x30, UInt8(min(octets.count, 127)), 0x02, 0x01, 0x03] + octets
            }
            Self.exercise(octets, original: [], user: nil, engine: engine)
            #expect(throws: (any Error).self) { _ = try ScopedPDU(decrypted: octets) }
        }
    }

    @Test("random octets into each element decoder give BERErrors only")
    func elementDecoders() {
        var generator = SeededGenerator(seed: 0x5EED_0003)
        let tags: [UInt8] = [0x02, 0x04, 0x05, 0x06, 0x30, 0x40, 0x41, 0x42, 0x43, 0x44, 0x46, 0x80, 0x81, 0x82, 0xA0, 0xA5, 0xA8]
        var decodedValues = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...12, using: &generator)
            var octets = [tags.randomElement(using: &generator) ?? 0x02, UInt8(length)]
            octets += (0..<Int.random(in: 0...14, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var reader = BERReader(bytes: octets, range: 0..<octets.count, depth: 0)
            do {
                let value = try SNMPValue(from: &reader)
                decodedValues += 1
                var writer = BERWriter()
                value.write(to: &writer)
                var again = BERReader(bytes: writer.bytes, range: 0..<writer.count, depth: 0)
                #expect(try SNMPValue(from: &again) == value)
            } catch {
                #expect(error.offset >= 0 && error.offset <= octets.count)
            }
            var pduReader = BERReader(bytes: octets, range: 0..<octets.count, depth: 0)
            _ = try? PDU(from: &pduReader)
            _ = try? USMSecurityParameters.decode(octets, in: 0..<octets.count, depth: 0)
        }
        #expect(decodedValues > 1_000)  // the generator does reach valid values
    }
}
