/// The SNMPv2 PDU types (RFC 3416 §3), by their context-specific tags.
/// The SNMPv1 Trap-PDU ([4]) is not among them: this agent speaks SNMPv3 only.
public enum PDUType: UInt8, Hashable, Sendable, CaseIterable {
    case getRequest = 0xA0
    case getNextRequest = 0xA1
    case response = 0xA2
    case setRequest = 0xA3
    case getBulkRequest = 0xA5
    case informRequest = 0xA6
    case snmpV2Trap = 0xA7
    case report = 0xA8

    /// The PDU's BER tag (context-specific, constructed).
    public var tag: BERTag { BERTag(octet: rawValue) }

    /// Confirmed-class PDUs expect a Response (RFC 3411 §2.8); only these may
    /// trigger a Report (RFC 3412 §7.1 step 3 reportable rule).
    public var isConfirmed: Bool {
        switch self {
        case .getRequest, .getNextRequest, .setRequest, .getBulkRequest, .informRequest: true
        case .response, .snmpV2Trap, .report: false
        }
    }
}

/// RFC 3416 §3 error-status values.
public enum ErrorStatus: Int32, Hashable, Sendable, CaseIterable {
    case noError = 0
    case tooBig = 1
    case noSuchName = 2
    case badValue = 3
    case readOnly = 4
    case genErr = 5
    case noAccess = 6
    case wrongType = 7
    case wrongLength = 8
    case wrongEncoding = 9
    case wrongValue = 10
    case noCreation = 11
    case inconsistentValue = 12
    case resourceUnavailable = 13
    case commitFailed = 14
    case undoFailed = 15
    case authorizationError = 16
    case notWritable = 17
    case inconsistentName = 18
}

/// A PDU (RFC 3416 §3). GetBulkRequest-PDU has the same shape, with
/// non-repeaters and max-repetitions in the error-status and error-index
/// positions; `nonRepeaters` and `maxRepetitions` name them.
public struct PDU: Hashable, Sendable {
    /// Which PDU.
    public var type: PDUType
    /// request-id, echoed in the Response.
    public var requestID: Int32
    /// error-status (raw: a received value may be outside `ErrorStatus`).
    public var errorStatus: Int32
    /// error-index: 1-based position of the failing varbind, or 0.
    public var errorIndex: Int32
    /// The variable bindings.
    public var varBinds: [VarBind]

    public init(type: PDUType, requestID: Int32, errorStatus: Int32 = 0, errorIndex: Int32 = 0, varBinds: [VarBind]) {
        self.type = type
        self.requestID = requestID
        self.errorStatus = errorStatus
        self.errorIndex = errorIndex
        self.varBinds = varBinds
    }

    /// A GetBulkRequest (RFC 3416 §4.2.3).
    public static func getBulk(requestID: Int32, nonRepeaters: Int32, maxRepetitions: Int32, varBinds: [VarBind]) -> PDU {
        PDU(type: .getBulkRequest, requestID: requestID, errorStatus: nonRepeaters, errorIndex: maxRepetitions, varBinds: varBinds)
    }

    /// A Response to `request` (RFC 3416 §4.2: same request-id).
    public static func response(to request: PDU, status: ErrorStatus = .noError, index: Int32 = 0, varBinds: [VarBind]) -> PDU {
        PDU(type: .response, requestID: request.requestID, errorStatus: status.rawValue, errorIndex: index, varBinds: varBinds)
    }

    /// GetBulk's non-repeaters (the error-status position).
    public var nonRepeaters: Int32 { errorStatus }
    /// GetBulk's max-repetitions (the error-index position).
    public var maxRepetitions: Int32 { errorIndex }

    /// Reads a PDU of any supported type.
    public init(from reader: inout BERReader) throws(BERError) {
        guard let tag = reader.nextTag else { throw BERError(.truncated, at: reader.position) }
        guard let type = PDUType(rawValue: tag.octet) else { throw BERError(.unsupportedTag(tag), at: reader.position) }
        var body = try reader.readConstructed(type.tag)
        self.type = type
        requestID = try body.readInteger32()
        errorStatus = try body.readInteger32()
        errorIndex = try body.readInteger32()
        var list = try body.readConstructed()
        var varBinds: [VarBind] = []
        while !list.isAtEnd { varBinds.append(try VarBind(from: &list)) }
        self.varBinds = varBinds
        try body.expectEnd()
    }

    /// Writes the PDU (fields last-first: the writer goes backwards).
    public func write(to writer: inout BERWriter) {
        writer.writeConstructed(type.tag) { (writer: inout BERWriter) in
            writer.writeConstructed { (writer: inout BERWriter) in
                for varBind in varBinds.reversed() { varBind.write(to: &writer) }
            }
            writer.writeInteger(Int64(errorIndex))
            writer.writeInteger(Int64(errorStatus))
            writer.writeInteger(Int64(requestID))
        }
    }

    /// The PDU's encoded size, computed without encoding it.
    public var encodedLength: Int {
        let list = varBinds.reduce(0) { $0 + $1.encodedLength }
        let content = BERSize.element(contentLength: BERSize.integerContent(Int64(requestID)))
            + BERSize.element(contentLength: BERSize.integerContent(Int64(errorStatus)))
            + BERSize.element(contentLength: BERSize.integerContent(Int64(errorIndex)))
            + BERSize.element(contentLength: list)
        return BERSize.element(contentLength: content)
    }
}

/// ScopedPDU ::= SEQUENCE { contextEngineID, contextName, data } (RFC 3412 §6).
public struct ScopedPDU: Hashable, Sendable {
    /// The engine whose context the PDU addresses (ours, for requests to us).
    public var contextEngineID: [UInt8]
    /// The context name; this agent has only the default context "".
    public var contextName: [UInt8]
    /// The PDU.
    public var pdu: PDU

    public init(contextEngineID: [UInt8], contextName: [UInt8] = [], pdu: PDU) {
        self.contextEngineID = contextEngineID
        self.contextName = contextName
        self.pdu = pdu
    }

    /// Reads a ScopedPDU SEQUENCE.
    public init(from reader: inout BERReader) throws(BERError) {
        var body = try reader.readConstructed()
        // SnmpEngineID is 5..32 octets and SnmpAdminString 0..255 (RFC 3411 §5),
        // but discovery sends an empty contextEngineID: only the upper bounds bind.
        contextEngineID = try body.readOctetString(maximumLength: 32)
        contextName = try body.readOctetString(maximumLength: 255)
        pdu = try PDU(from: &body)
        try body.expectEnd()
    }

    /// Decodes a decrypted encryptedPDU. Octets after the ScopedPDU are
    /// ignored: RFC 3826 CFB needs no padding, but RFC 3414 §8.1.1.2 (DES)
    /// told receivers to ignore padding and some managers still add it.
    public init(decrypted bytes: [UInt8]) throws(BERError) {
        var reader = try BERReader(bytes)
        try self.init(from: &reader)
    }

    /// Writes the ScopedPDU SEQUENCE.
    public func write(to writer: inout BERWriter) {
        writer.writeConstructed { (writer: inout BERWriter) in
            pdu.write(to: &writer)
            writer.writeOctetString(contextName)
            writer.writeOctetString(contextEngineID)
        }
    }

    /// The ScopedPDU's BER encoding.
    public var encoded: [UInt8] {
        var writer = BERWriter(capacity: pdu.encodedLength + 64)
        write(to: &writer)
        return writer.bytes
    }
}
