import TestSupport
import Testing
@testable import SNMP

@Suite("OID")
struct OIDTests {
    @Test("dotted text parses and prints back, a leading dot allowed")
    func dottedText() {
        #expect(OID(dotted: "1.3.6.1.4.1.32473")?.components == [1, 3, 6, 1, 4, 1, 32473])
        #expect(OID(dotted: ".1.3.6.1.2.1.1.1.0")?.description == "1.3.6.1.2.1.1.1.0")
        #expect(OID(dotted: "2.4294967215.1")?.components == [2, 4_294_967_215, 1])
    }

    @Test("text that is no encodable OID is refused", arguments: [
        "", "1", "3.1", "1.40", "1..3", "1.3.", "1.3.x", "1.3.4294967296", "2.4294967216", "1.3.-1", "1.3.+6", "1.3.６",
    ])
    func invalidText(_ text: String) {
        #expect(OID(dotted: text) == nil)
    }

    @Test("order is lexicographic by arc with a prefix first")
    func ordering() {
        let sorted: [OID] = [[1, 3], [1, 3, 6], [1, 3, 6, 1], [1, 3, 6, 2], [1, 3, 7], [1, 3, 10], [2, 0]]
        #expect(sorted.shuffled().sorted() == sorted)
        let short: OID = [1, 3, 6], long: OID = [1, 3, 6, 1, 9]
        #expect(!(short < short))
        #expect(long.hasPrefix(short) && !short.hasPrefix(long))
        #expect(long.suffix(after: short) == [1, 9])
    }

    @Test("random OIDs survive encode and decode, with sizes computed without encoding")
    func randomRoundTrip() throws {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<3000 {
            let first = UInt32(generator.next() % 3)
            let second = first == 2 ? UInt32(truncatingIfNeeded: generator.next()) % (UInt32.max - 79) : UInt32(generator.next() % 40)
            let rest = (0..<Int(generator.next() % 20)).map { _ in UInt32(truncatingIfNeeded: generator.next() >> (generator.next() % 33)) }
            let oid = try #require(OID([first, second] + rest))
            var writer = BERWriter()
            writer.writeOID(oid)
            var reader = try BERReader(writer.bytes)
            #expect(try reader.readOID() == oid)
            #expect(BERSize.element(contentLength: oid.encodedContentLength) == writer.count)
        }
    }
}
