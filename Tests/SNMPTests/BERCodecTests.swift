import TestSupport
import Testing
@testable import SNMP

/// Encodes one value and returns the wire octets.
private func encoded(_ value: SNMPValue) -> [UInt8] {
    var writer = BERWriter()
    value.write(to: &writer)
    return writer.bytes
}

/// Decodes exactly one value from the octets.
private func decoded(_ octets: [UInt8]) throws -> SNMPValue {
    var reader = try BERReader(octets)
    let value = try SNMPValue(from: &reader)
    try reader.expectEnd()
    return value
}

@Suite("BER codec")
struct BERCodecTests {
    /// Hand-computed encodings of every SNMP type (X.690 §8, RFC 2578 §7.1).
    static let vectors: [(SNMPValue, String)] = [
        (.integer(0), "020100"),
        (.integer(127), "02017f"),
        (.integer(128), "02020080"),
        (.integer(256), "02020100"),
        (.integer(-1), "0201ff"),
        (.integer(-128), "020180"),
        (.integer(-129), "0202ff7f"),
        (.integer(Int32.min), "020480000000"),
        (.integer(Int32.max), "02047fffffff"),
        (.octetString([]), "0400"),
        (.octetString(Array("abc".utf8)), "0403616263"),
        (.null, "0500"),
        (.objectIdentifier([1, 3, 6, 1, 4, 1, 32473]), "06082b0601040181fd59"),
        (.objectIdentifier([1, 3, 6, 1, 2, 1, 1, 1, 0]), "06082b06010201010100"),
        (.objectIdentifier([2, 999, 3]), "0603883703"),
        (.objectIdentifier([1, 3, 4_294_967_295]), "06062b8fffffff7f"),
        (.objectIdentifier([0, 0]), "060100"),
        (.ipAddress(192, 0, 2, 1), "4004c0000201"),
        (.counter32(0), "410100"),
        (.counter32(UInt32.max), "410500ffffffff"),
        (.gauge32(300), "4202012c"),
        (.timeTicks(100), "430164"),
        (.opaque([0xAB, 0xCD]), "4402abcd"),
        (.counter64(UInt64.max), "460900ffffffffffffffff"),
        (.counter64(0x80), "46020080"),
        (.noSuchObject, "8000"),
        (.noSuchInstance, "8100"),
        (.endOfMibView, "8200"),
    ]

    @Test("each SNMP type encodes to its hand-computed octets", arguments: 0..<vectors.count)
    func encodesVector(_ index: Int) {
        let (value, expected) = Self.vectors[index]
        #expect(HexOctets.text(encoded(value)) == expected)
    }

    @Test("each hand-computed vector decodes to its value", arguments: 0..<vectors.count)
    func decodesVector(_ index: Int) throws {
        let (value, octets) = Self.vectors[index]
        #expect(try decoded(hex(octets)) == value)
    }

    @Test("encodedLength matches the real encoding for every vector", arguments: 0..<vectors.count)
    func computedLengthMatches(_ index: Int) {
        let value = Self.vectors[index].0
        #expect(value.encodedLength == encoded(value).count)
    }

    @Test("lengths of 128-255 use 0x81, of 256-65535 use 0x82")
    func longFormLengths() throws {
        let medium = [UInt8](repeating: 0x41, count: 200)
        let mediumOctets = encoded(.octetString(medium))
        #expect(Array(mediumOctets.prefix(3)) == [0x04, 0x81, 0xC8])
        #expect(mediumOctets.count == 203)
        let long = [UInt8](repeating: 0x42, count: 300)
        let longOctets = encoded(.octetString(long))
        #expect(Array(longOctets.prefix(4)) == [0x04, 0x82, 0x01, 0x2C])
        #expect(try decoded(longOctets) == .octetString(long))
        #expect(BERSize.lengthField(127) == 1 && BERSize.lengthField(128) == 2 && BERSize.lengthField(256) == 3)
    }

    @Test("non-minimal integers and lengths are accepted on decode")
    func toleratesNonMinimalEncodings() throws {
        #expect(try decoded(hex("0202 0005")) == .integer(5))
        #expect(try decoded(hex("0203 ffffff")) == .integer(-1))
        #expect(try decoded(hex("0481 03 616263")) == .octetString(Array("abc".utf8)))
        #expect(try decoded(hex("4106 0000ffffffff")) == .counter32(UInt32.max))
        #expect(try decoded(hex("0603 2b8001")) == .objectIdentifier([1, 3, 1]))
    }

    @Test("a varbind encodes as SEQUENCE { name, value }")
    func varBindVector() throws {
        var writer = BERWriter()
        VarBind([1, 3, 6, 1, 2, 1, 1, 1, 0]).write(to: &writer)
        #expect(HexOctets.text(writer.bytes) == "300c06082b060102010101000500")
        var reader = try BERReader(writer.bytes)
        #expect(try VarBind(from: &reader) == VarBind([1, 3, 6, 1, 2, 1, 1, 1, 0], .null))
    }

    /// Each malformed input and the typed error (reason and offset) it must give.
    static let malformed: [(String, BERError)] = [
        ("02", BERError(.truncated, at: 1)),
        ("", BERError(.truncated, at: 0)),
        ("0405 61", BERError(.lengthBeyondBuffer(length: 5, available: 1), at: 0)),
        ("0480 6100 00", BERError(.indefiniteLength, at: 1)),
        ("0485 0000000001 61", BERError(.lengthTooLong, at: 1)),
        ("0482 01", BERError(.truncated, at: 2)),
        ("0200", BERError(.emptyInteger, at: 0)),
        ("0205 0100000000", BERError(.integerOutOfRange, at: 0)),
        ("4105 0100000000", BERError(.integerOutOfRange, at: 0)),
        ("4101 80", BERError(.integerOutOfRange, at: 0)),
        ("460a 000100000000000000 00", BERError(.integerOutOfRange, at: 0)),
        ("0501 00", BERError(.nonEmptyNull, at: 0)),
        ("8001 00", BERError(.nonEmptyNull, at: 0)),
        ("0600", BERError(.invalidObjectIdentifier, at: 0)),
        ("0602 2b81", BERError(.invalidObjectIdentifier, at: 0)),
        ("0606 2b 9080808000", BERError(.invalidObjectIdentifier, at: 0)),
        ("4003 c00002", BERError(.invalidOctetStringLength(3), at: 0)),
        ("1f01 00", BERError(.highTagNumber, at: 0)),
        ("3000", BERError(.unsupportedTag(.sequence), at: 0)),
        ("4500", BERError(.unsupportedTag(BERTag(octet: 0x45)), at: 0)),
        ("2403 040161", BERError(.unsupportedTag(BERTag(octet: 0x24)), at: 0)),
        ("020101 00", BERError(.trailingBytes, at: 3)),
    ]

    @Test("malformed input gives a typed error with the right offset", arguments: 0..<malformed.count)
    func malformedInput(_ index: Int) {
        let (octets, expected) = Self.malformed[index]
        #expect(throws: expected) { try decoded(hex(octets)) }
    }

    @Test("an OID with more than 128 arcs is refused")
    func oidArcLimit() {
        let content = [UInt8](repeating: 0x01, count: 128) // 1.1 + 127 arcs = 129 arcs
        #expect(throws: BERError(.objectIdentifierTooLong, at: 0)) { try decoded([0x06, 0x80 | 1, UInt8(content.count)] + content) }
        let fits = [UInt8](repeating: 0x01, count: 127)
        #expect(throws: Never.self) { try decoded([0x06, 0x81, UInt8(fits.count)] + fits) }
    }

    @Test("constructed nesting deeper than the limit is refused, at the limit accepted")
    func nestingLimit() throws {
        func nested(_ depth: Int) -> [UInt8] {
            var octets: [UInt8] = [0x05, 0x00]
            for _ in 0..<depth { octets = [0x30, UInt8(octets.count)] + octets }
            return octets
        }
        func descend(_ octets: [UInt8]) throws {
            var reader = try BERReader(octets)
            while reader.nextTag == .sequence { reader = try reader.readConstructed() }
            try reader.readNull()
        }
        try descend(nested(BERReader.maximumDepth))
        #expect(throws: BERError(.nestingTooDeep, at: 2 * BERReader.maximumDepth)) {
            try descend(nested(BERReader.maximumDepth + 1))
        }
    }

    @Test("a datagram over 65507 octets is refused before parsing")
    func maximumMessageSize() {
        #expect(throws: BERError(.messageTooLarge(size: 65508), at: 65507)) {
            _ = try BERReader([UInt8](repeating: 0x30, count: 65508))
        }
        #expect(throws: Never.self) { _ = try BERReader([UInt8](repeating: 0, count: 65507)) }
    }

    @Test("an inner length cannot reach past its enclosing element")
    func innerLengthConfined() throws {
        // SEQUENCE of 3 octets whose OCTET STRING claims 3 (the next sibling's octets exist in the buffer).
        var outer = try BERReader(hex("3003 0403 6162 0500"))
        var inner = try outer.readConstructed()
        #expect(throws: BERError(.lengthBeyondBuffer(length: 3, available: 1), at: 2)) { try inner.readOctetString() }
    }

    @Test("integer round trip over the whole Int32 edge set and random values")
    func integerRoundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        var values: [Int32] = [0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, .max, .min]
        for _ in 0..<2000 { values.append(Int32(truncatingIfNeeded: generator.next())) }
        for value in values {
            let octets = encoded(.integer(value))
            #expect(try decoded(octets) == .integer(value))
            #expect(octets.count == SNMPValue.integer(value).encodedLength)
        }
        for _ in 0..<2000 {
            let value = generator.next() >> (generator.next() % 64)
            #expect(try decoded(encoded(.counter64(value))) == .counter64(value))
        }
    }
}
