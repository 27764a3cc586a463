/// msgData (RFC 3412 §6): a plaintext ScopedPDU or, at authPriv, the
/// encrypted ScopedPDU as an OCTET STRING.
public enum ScopedPDUData: Hashable, Sendable {
    case plaintext(ScopedPDU)
    case encrypted([UInt8])
}

/// An SNMPv3 message (RFC 3412 §6) with USM security parameters (RFC 3414 §2.4).
public struct SNMPv3Message: Hashable, Sendable {
    /// msgGlobalData.
    public var header: MessageHeader
    /// msgSecurityParameters, decoded.
    public var securityParameters: USMSecurityParameters
    /// msgData.
    public var data: ScopedPDUData

    /// msgVersion for SNMPv3 (RFC 3412 §6: snmpv3 (3)).
    public static let version: Int64 = 3

    public init(header: MessageHeader, securityParameters: USMSecurityParameters, data: ScopedPDUData) {
        self.header = header
        self.securityParameters = securityParameters
        self.data = data
    }

    /// Encodes the message. The authentication parameters are written as
    /// they are (zeros while the MAC is computed) and their position in the
    /// result is returned so the MAC can be patched in (RFC 3414 §6.3.1).
    public func encode() -> EncodedMessage {
        var writer = BERWriter(capacity: 256 + dataSizeHint)
        var authPosition = (before: 0, after: 0)
        writer.writeConstructed { (writer: inout BERWriter) in
            switch data {
            case .plaintext(let scoped): scoped.write(to: &writer)
            case .encrypted(let octets): writer.writeOctetString(octets)
            }
            authPosition = securityParameters.write(to: &writer)
            header.write(to: &writer)
            writer.writeInteger(Self.version)
        }
        let range = writer.forwardRange(writtenFrom: authPosition.before, to: authPosition.after)
        return EncodedMessage(bytes: writer.bytes, authenticationParametersRange: range)
    }

    private var dataSizeHint: Int {
        switch data {
        case .plaintext(let scoped): scoped.pdu.encodedLength + scoped.contextEngineID.count + 8
        case .encrypted(let octets): octets.count + 4
        }
    }

    /// Decodes a received SNMPv3 message, applying RFC 3412 §7.2 steps 1-5
    /// and RFC 3414 §3.2 step 1 in order, so the error names the counter.
    public static func decode(_ bytes: [UInt8]) throws(MessageDecodingError) -> ReceivedMessage {
        do {
            var reader = try BERReader(bytes)
            var body = try reader.readConstructed()
            let versionStart = body.position
            let versionElement = try body.readElement(.integer)
            let version = try BERReader.signedValue(bytes, versionElement)
            guard version == Self.version else { throw MessageDecodingError(.badVersion(version), at: versionStart) }
            let header = try MessageHeader(from: &body)
            guard header.securityModel == MessageHeader.userBasedSecurityModel else {
                throw MessageDecodingError(.unknownSecurityModel(header.securityModel), at: versionStart)
            }
            guard header.flags.securityLevel != nil else {
                throw MessageDecodingError(.invalidFlags(header.flags.rawValue), at: versionStart)
            }
            let securityElement = try body.readElement(.octetString)
            let (parameters, authRange) = try USMSecurityParameters.decode(
                bytes, in: securityElement.content, depth: body.depth)
            let data: ScopedPDUData
            if body.nextTag == .octetString {
                data = .encrypted(try body.readOctetString())
            } else {
                data = .plaintext(try ScopedPDU(from: &body))
            }
            try body.expectEnd()
            try reader.expectEnd()
            let message = SNMPv3Message(header: header, securityParameters: parameters, data: data)
            return ReceivedMessage(message: message, bytes: bytes, authenticationParametersRange: authRange)
        } catch let error as MessageDecodingError {
            throw error
        } catch let error as BERError {
            throw MessageDecodingError(.malformed(error), at: error.offset)
        } catch {
            throw MessageDecodingError(.malformed(BERError(.truncated, at: 0)), at: 0)
        }
    }
}

/// An encoded message and where its authentication parameters lie.
public struct EncodedMessage: Hashable, Sendable {
    /// The message octets.
    public var bytes: [UInt8]
    /// The msgAuthenticationParameters content within `bytes`.
    public var authenticationParametersRange: Range<Int>
}

/// A decoded message together with the octets it came from, which the USM
/// needs to check the MAC (RFC 3414 §6.3.2).
public struct ReceivedMessage: Hashable, Sendable {
    /// The decoded message.
    public var message: SNMPv3Message
    /// The received octets.
    public var bytes: [UInt8]
    /// The msgAuthenticationParameters content within `bytes`.
    public var authenticationParametersRange: Range<Int>
}

/// Why a received datagram is not a usable SNMPv3/USM message; each reason
/// names the counter to increment. None of these produce a Report.
public struct MessageDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// Malformed BER anywhere in the message.
        case malformed(BERError)
        /// msgVersion is not 3 (0 is SNMPv1, 1 is SNMPv2c).
        case badVersion(Int64)
        /// msgSecurityModel is not USM.
        case unknownSecurityModel(Int32)
        /// privFlag without authFlag.
        case invalidFlags(UInt8)
    }

    public let reason: Reason
    /// Byte offset of the offending element.
    public let offset: Int

    public init(_ reason: Reason, at offset: Int) {
        self.reason = reason
        self.offset = offset
    }

    /// The counter RFC 3412 §7.2 / RFC 3414 §3.2 step 1 increments.
    public var counter: SNMPCounter {
        switch reason {
        case .malformed: .snmpInASNParseErrs
        case .badVersion: .snmpInBadVersions
        case .unknownSecurityModel: .snmpUnknownSecurityModels
        case .invalidFlags: .snmpInvalidMsgs
        }
    }

    public var description: String {
        switch reason {
        case .malformed(let error): "malformed message: \(error)"
        case .badVersion(let version): "msgVersion \(version) refused: SNMPv3 only (0 is SNMPv1, 1 is SNMPv2c)"
        case .unknownSecurityModel(let model): "msgSecurityModel \(model) unknown: only USM (3)"
        case .invalidFlags(let flags): "msgFlags 0x\(String(flags, radix: 16)) ask for privacy without authentication"
        }
    }
}

/// Reads just msgVersion, so SNMPv1/v2c datagrams can be dropped and counted
/// in snmpInBadVersions before any further parsing (RFC 3412 §7.2 step 2;
/// v1 and v2c messages start with the same SEQUENCE { INTEGER version, … }).
public enum SNMPVersionProbe {
    /// SNMPv1 (RFC 1157).
    public static let v1: Int64 = 0
    /// SNMPv2c (RFC 1901).
    public static let v2c: Int64 = 1
    /// SNMPv3 (RFC 3412).
    public static let v3: Int64 = 3

    /// The msgVersion of a datagram, or a BER error if it does not start
    /// like an SNMP message.
    public static func version(of bytes: [UInt8]) throws(BERError) -> Int64 {
        var reader = try BERReader(bytes)
        var body = try reader.readConstructed()
        let element = try body.readElement(.integer)
        return try BERReader.signedValue(bytes, element)
    }
}
