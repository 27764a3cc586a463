/// A request that passed every USM check: authenticated, in time, decrypted.
public struct AuthenticatedRequest: Hashable, Sendable {
    /// msgGlobalData of the request (msgID and msgMaxSize bind the response).
    public var header: MessageHeader
    /// The received security parameters.
    public var securityParameters: USMSecurityParameters
    /// The user whose keys verified it.
    public var user: USMCredentials
    /// The security level it came at (the response uses the same, RFC 3412 §7.1).
    public var securityLevel: SecurityLevel
    /// The ScopedPDU, decrypted.
    public var scopedPDU: ScopedPDU
}

/// Why an incoming message was refused: the counter to increment and,
/// when RFC 3412 §7.2 step 6 calls for one, the Report to send.
public struct IncomingRejection: Error, Hashable, Sendable, CustomStringConvertible {
    /// What failed.
    public enum Reason: Hashable, Sendable {
        /// The datagram is not a well-formed SNMPv3/USM message.
        case undecodable(MessageDecodingError)
        /// RFC 3414 §3.2 step 3.
        case unknownEngineID
        /// RFC 3414 §3.2 step 4.
        case unknownUserName
        /// RFC 3414 §3.2 step 5 (below the agent's required level).
        case unsupportedSecurityLevel
        /// RFC 3414 §3.2 step 6.
        case wrongDigest
        /// RFC 3414 §3.2 step 7.
        case notInTimeWindow
        /// RFC 3414 §3.2 step 8.
        case decryptionError(USMPrivacy.Failure?)
        /// The decrypted ScopedPDU is malformed (RFC 3412 §7.2 step 2 applies).
        case undecodableScopedPDU(BERError)
    }

    /// What failed.
    public var reason: Reason
    /// The counter to increment.
    public var counter: SNMPCounter
    /// The Report to send once the counter is incremented, or nil to drop
    /// silently (reportableFlag clear, or a failure RFC 3412 never reports).
    public var report: PendingReport?

    public var description: String {
        "SNMP message refused (\(counter)): \(reason)" + (report == nil ? "" : ", Report due")
    }
}

/// What a Report needs besides the counter's new value (RFC 3412 §7.1 step 3,
/// RFC 3414 §3.1).
public struct PendingReport: Hashable, Sendable {
    /// The request's msgID, which the manager matches the Report by.
    public var messageID: Int32
    /// The request's msgMaxSize.
    public var maxSize: Int32
    /// The request's msgUserName, echoed.
    public var userName: [UInt8]
    /// noAuthNoPriv, except authNoPriv for notInTimeWindow so the manager
    /// can trust the boots/time it learns (RFC 3414 §3.2 step 7b).
    public var security: ReportSecurity
    /// The request's request-id, or 0 when the PDU was never decrypted.
    public var requestID: Int32
    /// The request's contextName, when known.
    public var contextName: [UInt8]
    /// The counter the Report carries.
    public var counter: SNMPCounter
}

/// How a Report is protected.
public enum ReportSecurity: Hashable, Sendable {
    case noAuthNoPriv
    case authNoPriv(USMCredentials)
}

/// The outcome of `USMEngine.processIncoming`.
public enum IncomingOutcome: Hashable, Sendable {
    case accepted(AuthenticatedRequest)
    case rejected(IncomingRejection)
}
