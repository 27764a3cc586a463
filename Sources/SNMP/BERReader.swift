/// One decoded TLV header: where the element starts, its tag, and where its
/// content lies in the reader's buffer.
public struct BERElement: Hashable, Sendable {
    /// The element's tag.
    public let tag: BERTag
    /// Offset of the identifier octet.
    public let start: Int
    /// The content octets' range in the buffer (absolute offsets).
    public let content: Range<Int>
}

/// A bounds-checked cursor over definite-length BER (X.690 §8, with RFC 3417
/// §8's restrictions: definite lengths and primitive simple types only).
///
/// Every read checks its length against the enclosing element, not just the
/// buffer, so a lying inner length cannot reach into a sibling. Offsets in
/// errors and elements are absolute in the original buffer, which lets the
/// USM find msgAuthenticationParameters in the received bytes (RFC 3414 §3.2
/// step 6 zeroes them in place before checking the MAC).
public struct BERReader: Sendable {
    /// The largest SNMP message over UDP/IPv4 (65535 - 20 - 8); RFC 3417 §3.2
    /// lets an agent refuse anything bigger than it can receive.
    public static let maximumMessageSize = 65507
    /// How deep constructed encodings may nest. An SNMPv3 message needs 5
    /// (message, scoped PDU, PDU, varbind list, varbind); the rest is margin.
    public static let maximumDepth = 12

    /// The whole buffer (shared, never copied by child readers).
    public let bytes: [UInt8]
    /// Where the next element starts.
    public private(set) var position: Int
    /// One past the last octet this reader may read.
    public let end: Int
    /// How many constructed encodings enclose this reader.
    public let depth: Int

    /// A reader over a whole received message; refuses oversized input at once.
    public init(_ bytes: [UInt8]) throws(BERError) {
        guard bytes.count <= Self.maximumMessageSize else {
            throw BERError(.messageTooLarge(size: bytes.count), at: Self.maximumMessageSize)
        }
        self.init(bytes: bytes, range: 0..<bytes.count, depth: 0)
    }

    /// A reader over part of a buffer (e.g. the content of an OCTET STRING
    /// that itself holds BER, as msgSecurityParameters does).
    public init(bytes: [UInt8], range: Range<Int>, depth: Int) {
        self.bytes = bytes
        let clamped = range.clamped(to: 0..<bytes.count)
        self.position = clamped.lowerBound
        self.end = clamped.upperBound
        self.depth = depth
    }

    /// Whether every octet has been consumed.
    public var isAtEnd: Bool { position >= end }

    /// The next element's tag without consuming it, or nil at the end.
    public var nextTag: BERTag? { position < end ? BERTag(octet: bytes[position]) : nil }

    /// Throws `trailingBytes` unless everything was consumed.
    public func expectEnd() throws(BERError) {
        if position < end { throw BERError(.trailingBytes, at: position) }
    }

    // MARK: - TLV headers

    /// Reads one tag and definite length; advances past the whole element.
    public mutating func readElement() throws(BERError) -> BERElement {
        let start = position
        guard position < end else { throw BERError(.truncated, at: position) }
        let tag = BERTag(octet: bytes[position])
        if tag.number == 0x1F { throw BERError(.highTagNumber, at: start) }
        var cursor = position + 1
        guard cursor < end else { throw BERError(.truncated, at: cursor) }
        let first = bytes[cursor]
        cursor += 1
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else if first == 0x80 {
            throw BERError(.indefiniteLength, at: cursor - 1)
        } else {
            // Long form. Four octets reach far past 65507; more (or the
            // reserved 0xFF) can only be hostile. Leading zero octets are
            // tolerated (valid BER, though never produced here).
            let count = Int(first & 0x7F)
            guard count <= 4 else { throw BERError(.lengthTooLong, at: cursor - 1) }
            guard end - cursor >= count else { throw BERError(.truncated, at: cursor) }
            for _ in 0..<count {
                length = (length << 8) | Int(bytes[cursor])
                cursor += 1
            }
        }
        let available = end - cursor
        guard length <= available else {
            throw BERError(.lengthBeyondBuffer(length: length, available: available), at: start)
        }
        position = cursor + length
        return BERElement(tag: tag, start: start, content: cursor..<(cursor + length))
    }

    /// Reads one element and checks its tag.
    public mutating func readElement(_ expected: BERTag) throws(BERError) -> BERElement {
        let saved = position
        let element = try readElement()
        guard element.tag == expected else {
            position = saved
            throw BERError(.unexpectedTag(expected: expected, found: element.tag), at: element.start)
        }
        return element
    }

    /// Reads a constructed element (e.g. a SEQUENCE) and returns a reader
    /// confined to its content, one level deeper.
    public mutating func readConstructed(_ expected: BERTag = .sequence) throws(BERError) -> BERReader {
        let element = try readElement(expected)
        guard expected.isConstructed else { throw BERError(.wrongForm, at: element.start) }
        guard depth + 1 <= Self.maximumDepth else { throw BERError(.nestingTooDeep, at: element.start) }
        return BERReader(bytes: bytes, range: element.content, depth: depth + 1)
    }

    // MARK: - Primitive types

    /// INTEGER as Integer32 (RFC 2578 §7.1.1).
    public mutating func readInteger32(_ tag: BERTag = .integer) throws(BERError) -> Int32 {
        let element = try readElement(tag)
        let value = try Self.signedValue(bytes, element)
        guard let narrow = Int32(exactly: value) else { throw BERError(.integerOutOfRange, at: element.start) }
        return narrow
    }

    /// An INTEGER restricted to 0...2147483647, the range of msgVersion,
    /// msgID, msgMaxSize, engine boots and time (RFC 3412 §6, RFC 3414 §2.4).
    public mutating func readNonNegativeInteger32(_ tag: BERTag = .integer) throws(BERError) -> Int32 {
        let start = position
        let value = try readInteger32(tag)
        guard value >= 0 else { throw BERError(.integerOutOfRange, at: start) }
        return value
    }

    /// Counter32, Gauge32, TimeTicks (RFC 2578 §7.1.6-8): 0...2^32-1.
    public mutating func readUnsigned32(_ tag: BERTag) throws(BERError) -> UInt32 {
        let element = try readElement(tag)
        let value = try Self.unsignedValue(bytes, element)
        guard let narrow = UInt32(exactly: value) else { throw BERError(.integerOutOfRange, at: element.start) }
        return narrow
    }

    /// Counter64 (RFC 2578 §7.1.10): 0...2^64-1.
    public mutating func readUnsigned64(_ tag: BERTag = .counter64) throws(BERError) -> UInt64 {
        let element = try readElement(tag)
        return try Self.unsignedValue(bytes, element)
    }

    /// OCTET STRING content (or any primitive string-like type by tag).
    public mutating func readOctetString(_ tag: BERTag = .octetString, maximumLength: Int = .max) throws(BERError) -> [UInt8] {
        let element = try readElement(tag)
        guard element.content.count <= maximumLength else {
            throw BERError(.invalidOctetStringLength(element.content.count), at: element.start)
        }
        return Array(bytes[element.content])
    }

    /// NULL, or one of the NULL-like exceptions (RFC 3416 §3).
    public mutating func readNull(_ tag: BERTag = .null) throws(BERError) {
        let element = try readElement(tag)
        guard element.content.isEmpty else { throw BERError(.nonEmptyNull, at: element.start) }
    }

    /// OBJECT IDENTIFIER (X.690 §8.19).
    public mutating func readOID() throws(BERError) -> OID {
        let element = try readElement(.objectIdentifier)
        return try OID(berContent: bytes, element.content, elementStart: element.start)
    }

    // MARK: - Integer content

    /// Two's-complement content as a signed value. Redundant leading octets
    /// (non-minimal encodings, X.690 §8.3.2) are tolerated on decode.
    static func signedValue(_ bytes: [UInt8], _ element: BERElement) throws(BERError) -> Int64 {
        var range = element.content
        guard !range.isEmpty else { throw BERError(.emptyInteger, at: element.start) }
        range = strippedRedundantOctets(bytes, range)
        guard range.count <= 8 else { throw BERError(.integerOutOfRange, at: element.start) }
        // Sign-extend from the first octet.
        var value: Int64 = bytes[range.lowerBound] & 0x80 != 0 ? -1 : 0
        for index in range { value = (value << 8) | Int64(bytes[index]) }
        return value
    }

    /// Two's-complement content that must not be negative, as an unsigned value.
    static func unsignedValue(_ bytes: [UInt8], _ element: BERElement) throws(BERError) -> UInt64 {
        var range = element.content
        guard !range.isEmpty else { throw BERError(.emptyInteger, at: element.start) }
        guard bytes[range.lowerBound] & 0x80 == 0 else { throw BERError(.integerOutOfRange, at: element.start) }
        range = strippedRedundantOctets(bytes, range)
        // A positive value may keep one 0x00 sign octet in front of 8 value octets.
        if range.count == 9 && bytes[range.lowerBound] == 0 { range = (range.lowerBound + 1)..<range.upperBound }
        guard range.count <= 8 else { throw BERError(.integerOutOfRange, at: element.start) }
        var value: UInt64 = 0
        for index in range { value = (value << 8) | UInt64(bytes[index]) }
        return value
    }

    /// Drops leading 0x00/0xFF octets that only repeat the sign.
    private static func strippedRedundantOctets(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        while range.upperBound - lower > 1 {
            let first = bytes[lower], second = bytes[lower + 1]
            let redundant = (first == 0x00 && second & 0x80 == 0) || (first == 0xFF && second & 0x80 != 0)
            guard redundant else { break }
            lower += 1
        }
        return lower..<range.upperBound
    }
}
