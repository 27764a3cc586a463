/// msgFlags (RFC 3412 §6.4): one octet of which three bits are defined.
public struct MessageFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// authFlag.
    public static let authentication = MessageFlags(rawValue: 0x01)
    /// privFlag.
    public static let privacy = MessageFlags(rawValue: 0x02)
    /// reportableFlag: a Report may be sent if processing fails.
    public static let reportable = MessageFlags(rawValue: 0x04)

    /// The security level the flags ask for, or nil for the invalid
    /// privacy-without-authentication combination (RFC 3412 §7.2 step 5).
    public var securityLevel: SecurityLevel? {
        switch (contains(.authentication), contains(.privacy)) {
        case (false, false): .noAuthNoPriv
        case (true, false): .authNoPriv
        case (true, true): .authPriv
        case (false, true): nil
        }
    }

    /// Flags for a message at `level`.
    public init(level: SecurityLevel, reportable: Bool) {
        var flags: MessageFlags = []
        if level >= .authNoPriv { flags.insert(.authentication) }
        if level == .authPriv { flags.insert(.privacy) }
        if reportable { flags.insert(.reportable) }
        self = flags
    }
}

/// RFC 3411 §3.4.3 securityLevel, ordered from weakest.
public enum SecurityLevel: Int, Hashable, Sendable, Comparable, CaseIterable {
    case noAuthNoPriv = 1
    case authNoPriv = 2
    case authPriv = 3

    public static func < (lhs: SecurityLevel, rhs: SecurityLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// HeaderData (RFC 3412 §6): msgID, msgMaxSize, msgFlags, msgSecurityModel.
public struct MessageHeader: Hashable, Sendable {
    /// msgID, matched between request and response (0...2^31-1).
    public var messageID: Int32
    /// msgMaxSize: the largest message the sender can receive (484...2^31-1).
    public var maxSize: Int32
    /// msgFlags.
    public var flags: MessageFlags
    /// msgSecurityModel; 3 is USM (RFC 3411 §5).
    public var securityModel: Int32

    /// USM's security model number.
    public static let userBasedSecurityModel: Int32 = 3
    /// The smallest msgMaxSize allowed (RFC 3412 §6: INTEGER (484..2147483647)).
    public static let minimumMaxSize: Int32 = 484

    public init(messageID: Int32, maxSize: Int32, flags: MessageFlags, securityModel: Int32 = MessageHeader.userBasedSecurityModel) {
        self.messageID = messageID
        self.maxSize = maxSize
        self.flags = flags
        self.securityModel = securityModel
    }

    /// Reads HeaderData, enforcing the ASN.1 ranges of RFC 3412 §6.
    public init(from reader: inout BERReader) throws(BERError) {
        var body = try reader.readConstructed()
        messageID = try body.readNonNegativeInteger32()
        let maxSizeStart = body.position
        maxSize = try body.readNonNegativeInteger32()
        guard maxSize >= Self.minimumMaxSize else { throw BERError(.integerOutOfRange, at: maxSizeStart) }
        let flagsStart = body.position
        let flagOctets = try body.readOctetString()
        guard flagOctets.count == 1 else { throw BERError(.invalidOctetStringLength(flagOctets.count), at: flagsStart) }
        flags = MessageFlags(rawValue: flagOctets[0])
        let modelStart = body.position
        securityModel = try body.readNonNegativeInteger32()
        guard securityModel >= 1 else { throw BERError(.integerOutOfRange, at: modelStart) }
        try body.expectEnd()
    }

    /// Writes HeaderData.
    public func write(to writer: inout BERWriter) {
        writer.writeConstructed { (writer: inout BERWriter) in
            writer.writeInteger(Int64(securityModel))
            writer.writeOctetString([flags.rawValue])
            writer.writeInteger(Int64(maxSize))
            writer.writeInteger(Int64(messageID))
        }
    }
}
