/// A BER encoder that writes backwards, as net-snmp's and OpenBSD's encoders
/// do: content is written before its header, so every length is known when
/// it is written and nothing is ever encoded twice or moved. Only minimal
/// (DER-like) encodings are produced: short-form lengths below 128, minimal
/// integers, minimal sub-identifiers.
///
/// Because the buffer grows from the end of the message towards its start,
/// the elements of a constructed value must be written last-first.
/// `bytes` returns the message in wire order.
public struct BERWriter: Sendable {
    /// The encoding so far, last octet first.
    private var reversed: [UInt8]

    /// A writer with room for `capacity` octets before it reallocates.
    public init(capacity: Int = 512) {
        reversed = []
        reversed.reserveCapacity(capacity)
    }

    /// Octets written so far. Positions measured with this, "from the end",
    /// stay valid as more is written in front; see `forwardRange`.
    public var count: Int { reversed.count }

    /// The encoding in wire order.
    public var bytes: [UInt8] { Array(reversed.reversed()) }

    /// Converts a range recorded as `count` values before and after writing
    /// some content into offsets in `bytes` (once writing is finished).
    public func forwardRange(writtenFrom countBefore: Int, to countAfter: Int) -> Range<Int> {
        (reversed.count - countAfter)..<(reversed.count - countBefore)
    }

    // MARK: - Headers

    /// Writes a definite length in its shortest form (X.690 §8.1.3).
    public mutating func writeLength(_ length: Int) {
        if length < 0x80 {
            reversed.append(UInt8(length))
            return
        }
        var remaining = length
        var octets: UInt8 = 0
        while remaining > 0 {
            reversed.append(UInt8(truncatingIfNeeded: remaining))
            remaining >>= 8
            octets += 1
        }
        reversed.append(0x80 | octets)
    }

    /// Writes a header for `contentLength` octets already written.
    public mutating func writeHeader(_ tag: BERTag, contentLength: Int) {
        writeLength(contentLength)
        reversed.append(tag.octet)
    }

    /// Writes a constructed element; `contents` must write the children
    /// last-first.
    public mutating func writeConstructed<E: Error>(_ tag: BERTag = .sequence,
                                                    _ contents: (inout BERWriter) throws(E) -> Void) throws(E) {
        let before = reversed.count
        try contents(&self)
        writeHeader(tag, contentLength: reversed.count - before)
    }

    // MARK: - Primitive types

    /// A two's-complement INTEGER in minimal form.
    public mutating func writeInteger(_ value: Int64, tag: BERTag = .integer) {
        let before = reversed.count
        var remaining = value
        while true {
            let octet = UInt8(truncatingIfNeeded: remaining)
            reversed.append(octet)
            remaining >>= 8
            if (remaining == 0 && octet & 0x80 == 0) || (remaining == -1 && octet & 0x80 != 0) { break }
        }
        writeHeader(tag, contentLength: reversed.count - before)
    }

    /// An unsigned value (Counter32, Gauge32, TimeTicks, Counter64) in minimal
    /// form, with a 0x00 in front when the top bit is set (RFC 2578 §7.1.10).
    public mutating func writeUnsigned(_ value: UInt64, tag: BERTag) {
        let before = reversed.count
        var remaining = value
        var last: UInt8 = 0
        repeat {
            last = UInt8(truncatingIfNeeded: remaining)
            reversed.append(last)
            remaining >>= 8
        } while remaining != 0
        if last & 0x80 != 0 { reversed.append(0) }
        writeHeader(tag, contentLength: reversed.count - before)
    }

    /// An OCTET STRING (or another string-like primitive by tag).
    public mutating func writeOctetString(_ octets: some BidirectionalCollection<UInt8>, tag: BERTag = .octetString) {
        reversed.append(contentsOf: octets.reversed())
        writeHeader(tag, contentLength: octets.count)
    }

    /// NULL or a NULL-like exception (RFC 3416 §3).
    public mutating func writeNull(tag: BERTag = .null) {
        reversed.append(0)
        reversed.append(tag.octet)
    }

    /// OBJECT IDENTIFIER (X.690 §8.19): the first two arcs share one
    /// sub-identifier (40 × first + second), then base-128 groups.
    public mutating func writeOID(_ oid: OID) {
        let before = reversed.count
        let arcs = oid.components
        var index = arcs.count - 1
        while index >= 2 {
            appendBase128(UInt64(arcs[index]))
            index -= 1
        }
        appendBase128(oid.firstSubidentifier)
        writeHeader(.objectIdentifier, contentLength: reversed.count - before)
    }

    private mutating func appendBase128(_ value: UInt64) {
        reversed.append(UInt8(value & 0x7F))
        var remaining = value >> 7
        while remaining != 0 {
            reversed.append(UInt8(remaining & 0x7F) | 0x80)
            remaining >>= 7
        }
    }

    /// Raw octets already in BER (e.g. an encrypted or pre-encoded element).
    public mutating func writeEncoded(_ octets: some BidirectionalCollection<UInt8>) {
        reversed.append(contentsOf: octets.reversed())
    }
}

/// Encoded sizes computed arithmetically, without encoding: used to cap
/// GetBulk responses by message size (RFC 3416 §4.2.3).
public enum BERSize {
    /// Octets of a definite length field for `length` content octets.
    public static func lengthField(_ length: Int) -> Int {
        if length < 0x80 { return 1 }
        var octets = 1
        var remaining = length
        while remaining > 0 { octets += 1; remaining >>= 8 }
        return octets
    }

    /// A whole TLV with a one-octet tag and `contentLength` content octets.
    public static func element(contentLength: Int) -> Int {
        1 + lengthField(contentLength) + contentLength
    }

    /// Content octets of a minimal two's-complement INTEGER.
    public static func integerContent(_ value: Int64) -> Int {
        var octets = 1
        var remaining = value
        while remaining > 127 || remaining < -128 { octets += 1; remaining >>= 8 }
        return octets
    }

    /// Content octets of an unsigned value with its sign octet.
    public static func unsignedContent(_ value: UInt64) -> Int {
        guard value != 0 else { return 1 }
        let significantBits = 64 - value.leadingZeroBitCount
        return significantBits / 8 + 1
    }

    /// Content octets of one base-128 sub-identifier.
    public static func base128(_ value: UInt64) -> Int {
        guard value != 0 else { return 1 }
        return (64 - value.leadingZeroBitCount + 6) / 7
    }
}
