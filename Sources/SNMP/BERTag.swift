/// A BER identifier octet (X.690 §8.1.2) in the low-tag-number form, which is
/// the only form SNMP uses: every tag in RFC 3416 and RFC 2578 is below 31.
/// The high-tag-number form (`0x1f` in the low five bits) is refused on decode.
public struct BERTag: Hashable, Sendable, CustomStringConvertible {
    /// The identifier octet as it appears on the wire.
    public let octet: UInt8

    /// Wraps a raw identifier octet.
    public init(octet: UInt8) { self.octet = octet }

    /// X.690 §8.1.2.2 tag classes.
    public enum TagClass: UInt8, Sendable {
        case universal = 0x00
        case application = 0x40
        case contextSpecific = 0x80
        case `private` = 0xC0
    }

    /// Builds a tag from its parts; `number` must be below 31.
    public init(_ tagClass: TagClass, constructed: Bool, number: UInt8) {
        octet = tagClass.rawValue | (constructed ? 0x20 : 0) | (number & 0x1F)
    }

    /// The tag's class.
    public var tagClass: TagClass {
        TagClass(rawValue: octet & 0xC0) ?? .universal
    }

    /// Whether the encoding is constructed (contains further TLVs).
    public var isConstructed: Bool { octet & 0x20 != 0 }

    /// The tag number (low five bits).
    public var number: UInt8 { octet & 0x1F }

    public var description: String { "0x" + String(octet, radix: 16, uppercase: true) }

    // Universal types used by SNMP (X.680 §8.6).
    public static let integer = BERTag(octet: 0x02)
    public static let octetString = BERTag(octet: 0x04)
    public static let null = BERTag(octet: 0x05)
    public static let objectIdentifier = BERTag(octet: 0x06)
    public static let sequence = BERTag(octet: 0x30)

    // RFC 2578 §7.1.x application types (SNMPv2-SMI).
    public static let ipAddress = BERTag(octet: 0x40)
    public static let counter32 = BERTag(octet: 0x41)
    /// Gauge32 and Unsigned32 share [APPLICATION 2] (RFC 2578 §7.1.7).
    public static let gauge32 = BERTag(octet: 0x42)
    public static let timeTicks = BERTag(octet: 0x43)
    public static let opaque = BERTag(octet: 0x44)
    public static let counter64 = BERTag(octet: 0x46)

    // RFC 3416 §3 varbind exceptions: context-specific, primitive, NULL content.
    public static let noSuchObject = BERTag(octet: 0x80)
    public static let noSuchInstance = BERTag(octet: 0x81)
    public static let endOfMibView = BERTag(octet: 0x82)
}
