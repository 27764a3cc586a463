/// UsmSecurityParameters (RFC 3414 §2.4), the content of msgSecurityParameters.
public struct USMSecurityParameters: Hashable, Sendable {
    /// msgAuthoritativeEngineID: the agent's engine for requests and
    /// responses, the receiver's for informs (RFC 3414 §1.5.1). Empty in
    /// discovery probes.
    public var authoritativeEngineID: [UInt8]
    /// msgAuthoritativeEngineBoots (0...2^31-1).
    public var authoritativeEngineBoots: Int32
    /// msgAuthoritativeEngineTime in seconds (0...2^31-1).
    public var authoritativeEngineTime: Int32
    /// msgUserName (SIZE(0..32)).
    public var userName: [UInt8]
    /// msgAuthenticationParameters: the truncated HMAC, or empty.
    public var authenticationParameters: [UInt8]
    /// msgPrivacyParameters: the 8-octet salt (RFC 3826 §3.1.2.1), or empty.
    public var privacyParameters: [UInt8]

    /// The longest msgUserName (RFC 3414 §2.4, SnmpAdminString (SIZE(1..32))
    /// in the MIB, 0..32 on the wire).
    public static let maximumUserNameLength = 32

    public init(authoritativeEngineID: [UInt8], authoritativeEngineBoots: Int32, authoritativeEngineTime: Int32,
                userName: [UInt8], authenticationParameters: [UInt8] = [], privacyParameters: [UInt8] = []) {
        self.authoritativeEngineID = authoritativeEngineID
        self.authoritativeEngineBoots = authoritativeEngineBoots
        self.authoritativeEngineTime = authoritativeEngineTime
        self.userName = userName
        self.authenticationParameters = authenticationParameters
        self.privacyParameters = privacyParameters
    }

    /// Decodes the SEQUENCE held in `range` of `bytes` (the content of the
    /// msgSecurityParameters OCTET STRING). Also returns where the
    /// authentication parameters' content lies in `bytes`, which RFC 3414
    /// §6.3.2 step 3 needs to zero before recomputing the MAC.
    public static func decode(_ bytes: [UInt8], in range: Range<Int>, depth: Int) throws(BERError)
        -> (parameters: USMSecurityParameters, authenticationParametersRange: Range<Int>) {
        var outer = BERReader(bytes: bytes, range: range, depth: depth)
        var body = try outer.readConstructed()
        try outer.expectEnd()
        let engineID = try body.readOctetString()
        let boots = try body.readNonNegativeInteger32()
        let time = try body.readNonNegativeInteger32()
        let userName = try body.readOctetString(maximumLength: maximumUserNameLength)
        let authElement = try body.readElement(.octetString)
        let privacy = try body.readOctetString()
        try body.expectEnd()
        let parameters = USMSecurityParameters(
            authoritativeEngineID: engineID, authoritativeEngineBoots: boots, authoritativeEngineTime: time,
            userName: userName, authenticationParameters: Array(bytes[authElement.content]), privacyParameters: privacy)
        return (parameters, authElement.content)
    }

    /// Writes the msgSecurityParameters OCTET STRING wrapping the SEQUENCE.
    /// Returns the authentication parameters' position as "from the end"
    /// counts (see `BERWriter.forwardRange`).
    public func write(to writer: inout BERWriter) -> (before: Int, after: Int) {
        var authPosition = (before: 0, after: 0)
        writer.writeConstructed(BERTag.octetString) { (writer: inout BERWriter) in
            writer.writeConstructed { (writer: inout BERWriter) in
                writer.writeOctetString(privacyParameters)
                let before = writer.count
                writer.writeEncoded(authenticationParameters)
                authPosition = (before, writer.count)
                writer.writeHeader(.octetString, contentLength: authenticationParameters.count)
                writer.writeOctetString(userName)
                writer.writeInteger(Int64(authoritativeEngineTime))
                writer.writeInteger(Int64(authoritativeEngineBoots))
                writer.writeOctetString(authoritativeEngineID)
            }
        }
        return authPosition
    }
}
