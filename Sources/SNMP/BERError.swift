/// Why a BER decode failed, and where. Every decoding path of this package
/// reports failures as this type (never a trap), so that a hostile datagram
/// can only ever become a counted drop (snmpInASNParseErrs, RFC 3418).
public struct BERError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public enum Reason: Hashable, Sendable {
        /// The input ended inside a tag, length or content.
        case truncated
        /// A length octet names more content than the enclosing buffer holds.
        case lengthBeyondBuffer(length: Int, available: Int)
        /// `0x80`: indefinite lengths are not allowed in SNMP (RFC 3417 §8:
        /// "the definite form of length encoding shall be used").
        case indefiniteLength
        /// A long-form length with more length octets than any SNMP message needs.
        case lengthTooLong
        /// The high-tag-number form (tag number ≥ 31), which SNMP never uses.
        case highTagNumber
        /// A different tag was expected here.
        case unexpectedTag(expected: BERTag, found: BERTag)
        /// A tag that is not valid in this position at all (e.g. a varbind value).
        case unsupportedTag(BERTag)
        /// Constructed encodings nested deeper than `BERReader.maximumDepth`.
        case nestingTooDeep
        /// The datagram is bigger than the largest UDP/IPv4 payload (65507).
        case messageTooLarge(size: Int)
        /// An INTEGER with no content octets (X.690 §8.3.1).
        case emptyInteger
        /// An INTEGER whose value is outside the type's range.
        case integerOutOfRange
        /// NULL (or an exception) with content octets (X.690 §8.8.2).
        case nonEmptyNull
        /// An OBJECT IDENTIFIER that is empty, ends inside a sub-identifier,
        /// or has a sub-identifier above 2^32-1 (RFC 2578 §7.1.3).
        case invalidObjectIdentifier
        /// More than 128 sub-identifiers (RFC 2578 §3.5).
        case objectIdentifierTooLong
        /// An OCTET STRING longer than the field allows (e.g. IpAddress ≠ 4).
        case invalidOctetStringLength(Int)
        /// Octets left over after the last expected element.
        case trailingBytes
        /// A primitive encoding where a constructed one is required, or vice versa.
        case wrongForm
    }

    /// What was wrong.
    public let reason: Reason
    /// The byte offset in the decoded buffer where the faulty element begins.
    public let offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String { "BER error at offset \(offset): \(reason)" }
}
