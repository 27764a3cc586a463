/// The value of a variable binding: the SMIv2 base types (RFC 2578 §7.1) and
/// the three exceptions a response may carry instead (RFC 3416 §3).
public enum SNMPValue: Hashable, Sendable {
    /// INTEGER / Integer32.
    case integer(Int32)
    /// OCTET STRING.
    case octetString([UInt8])
    /// NULL: the value in every request's varbinds.
    case null
    /// OBJECT IDENTIFIER.
    case objectIdentifier(OID)
    /// IpAddress, four octets in network order ([APPLICATION 0]).
    case ipAddress(UInt8, UInt8, UInt8, UInt8)
    /// Counter32 ([APPLICATION 1]).
    case counter32(UInt32)
    /// Gauge32 / Unsigned32 ([APPLICATION 2]).
    case gauge32(UInt32)
    /// TimeTicks, hundredths of a second ([APPLICATION 3]).
    case timeTicks(UInt32)
    /// Opaque: BER of another value, wrapped ([APPLICATION 4]).
    case opaque([UInt8])
    /// Counter64 ([APPLICATION 6]).
    case counter64(UInt64)
    /// [0]: no such object type is known at this OID.
    case noSuchObject
    /// [1]: the object type exists but not this instance.
    case noSuchInstance
    /// [2]: GetNext/GetBulk ran past the end of the view.
    case endOfMibView

    /// Whether this is one of the RFC 3416 §3 exceptions.
    public var isException: Bool {
        switch self {
        case .noSuchObject, .noSuchInstance, .endOfMibView: true
        default: false
        }
    }

    /// Reads one value of any SNMP type. Constructed or unknown tags are
    /// refused: no SNMP value is constructed.
    public init(from reader: inout BERReader) throws(BERError) {
        guard let tag = reader.nextTag else { throw BERError(.truncated, at: reader.position) }
        switch tag {
        case .integer: self = .integer(try reader.readInteger32())
        case .octetString: self = .octetString(try reader.readOctetString())
        case .null: try reader.readNull(); self = .null
        case .objectIdentifier: self = .objectIdentifier(try reader.readOID())
        case .ipAddress:
            let start = reader.position
            let octets = try reader.readOctetString(.ipAddress)
            guard octets.count == 4 else { throw BERError(.invalidOctetStringLength(octets.count), at: start) }
            self = .ipAddress(octets[0], octets[1], octets[2], octets[3])
        case .counter32: self = .counter32(try reader.readUnsigned32(.counter32))
        case .gauge32: self = .gauge32(try reader.readUnsigned32(.gauge32))
        case .timeTicks: self = .timeTicks(try reader.readUnsigned32(.timeTicks))
        case .opaque: self = .opaque(try reader.readOctetString(.opaque))
        case .counter64: self = .counter64(try reader.readUnsigned64(.counter64))
        case .noSuchObject: try reader.readNull(.noSuchObject); self = .noSuchObject
        case .noSuchInstance: try reader.readNull(.noSuchInstance); self = .noSuchInstance
        case .endOfMibView: try reader.readNull(.endOfMibView); self = .endOfMibView
        default:
            // Read the header first so a malformed one reports its own error.
            let element = try reader.readElement()
            throw BERError(.unsupportedTag(tag), at: element.start)
        }
    }

    /// Writes this value's TLV.
    public func write(to writer: inout BERWriter) {
        switch self {
        case .integer(let value): writer.writeInteger(Int64(value))
        case .octetString(let octets): writer.writeOctetString(octets)
        case .null: writer.writeNull()
        case .objectIdentifier(let oid): writer.writeOID(oid)
        case .ipAddress(let a, let b, let c, let d): writer.writeOctetString([a, b, c, d], tag: .ipAddress)
        case .counter32(let value): writer.writeUnsigned(UInt64(value), tag: .counter32)
        case .gauge32(let value): writer.writeUnsigned(UInt64(value), tag: .gauge32)
        case .timeTicks(let value): writer.writeUnsigned(UInt64(value), tag: .timeTicks)
        case .opaque(let octets): writer.writeOctetString(octets, tag: .opaque)
        case .counter64(let value): writer.writeUnsigned(value, tag: .counter64)
        case .noSuchObject: writer.writeNull(tag: .noSuchObject)
        case .noSuchInstance: writer.writeNull(tag: .noSuchInstance)
        case .endOfMibView: writer.writeNull(tag: .endOfMibView)
        }
    }

    /// The size of this value's TLV, computed without encoding it.
    public var encodedLength: Int {
        let content: Int
        switch self {
        case .integer(let value): content = BERSize.integerContent(Int64(value))
        case .octetString(let octets), .opaque(let octets): content = octets.count
        case .null, .noSuchObject, .noSuchInstance, .endOfMibView: content = 0
        case .objectIdentifier(let oid): content = oid.encodedContentLength
        case .ipAddress: content = 4
        case .counter32(let value), .gauge32(let value), .timeTicks(let value):
            content = BERSize.unsignedContent(UInt64(value))
        case .counter64(let value): content = BERSize.unsignedContent(value)
        }
        return BERSize.element(contentLength: content)
    }
}

/// A variable binding (RFC 3416 §3: VarBind ::= SEQUENCE { name, value }).
public struct VarBind: Hashable, Sendable, CustomStringConvertible {
    /// The variable's OID.
    public var name: OID
    /// Its value, NULL in requests.
    public var value: SNMPValue

    public init(_ name: OID, _ value: SNMPValue = .null) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name) = \(value)" }

    /// Reads one VarBind SEQUENCE.
    public init(from reader: inout BERReader) throws(BERError) {
        var inner = try reader.readConstructed()
        name = try inner.readOID()
        value = try SNMPValue(from: &inner)
        try inner.expectEnd()
    }

    /// Writes the VarBind SEQUENCE (value first: the writer goes backwards).
    public func write(to writer: inout BERWriter) {
        writer.writeConstructed { (writer: inout BERWriter) in
            value.write(to: &writer)
            writer.writeOID(name)
        }
    }

    /// The size of the VarBind SEQUENCE, computed without encoding it.
    public var encodedLength: Int {
        BERSize.element(contentLength: BERSize.element(contentLength: name.encodedContentLength) + value.encodedLength)
    }
}
