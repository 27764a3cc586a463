/// The User-based Security Model of an authoritative engine (RFC 3414 §3),
/// as a pure decision function: datagram in, verdict out. No state is kept
/// here; counters, clock and user table belong to the caller.
public struct USMEngine: Sendable {
    /// The lowest security level accepted. The appliance requires authPriv;
    /// messages below it are refused as usmStatsUnsupportedSecLevels
    /// (RFC 3414 §3.2 step 5), after the engine ID and user checks.
    public var requiredLevel: SecurityLevel

    /// msgMaxSize this engine announces: the largest datagram it accepts.
    public var maxMessageSize: Int32

    public init(requiredLevel: SecurityLevel = .authPriv, maxMessageSize: Int32 = Int32(BERReader.maximumMessageSize)) {
        self.requiredLevel = requiredLevel
        self.maxMessageSize = maxMessageSize
    }

    /// The RFC 3414 time window: ±150 seconds (§3.2 step 7a, §2.2.3).
    public static let timeWindow: Int32 = 150

    // MARK: - Incoming (RFC 3414 §3.2)

    /// Decodes and checks a received datagram, in the RFC's order:
    /// RFC 3412 §7.2 steps 1-5 (decode, version, model, flags), then RFC 3414
    /// §3.2 steps 1 (security parameters), 3 (engine ID), 4 (user), 5 (level),
    /// 6 (MAC), 7 (time window), 8 (decryption).
    public func processIncoming(_ datagram: [UInt8], engine: EngineSnapshot,
                                users: (_ userName: [UInt8]) -> USMCredentials?) -> IncomingOutcome {
        let received: ReceivedMessage
        do {
            received = try SNMPv3Message.decode(datagram)
        } catch {
            return .rejected(IncomingRejection(reason: .undecodable(error), counter: error.counter, report: nil))
        }
        let message = received.message
        let parameters = message.securityParameters
        // Decode guarantees the flags name a level.
        let level = message.header.flags.securityLevel ?? .noAuthNoPriv
        let plaintextPDU: PDU? = if case .plaintext(let scoped) = message.data { scoped.pdu } else { nil }
        let contextName: [UInt8] = if case .plaintext(let scoped) = message.data { scoped.contextName } else { [] }

        func reject(_ reason: IncomingRejection.Reason, _ counter: SNMPCounter,
                    reportSecurity: ReportSecurity = .noAuthNoPriv) -> IncomingOutcome {
            // RFC 3412 §7.2 step 6: a Report only if reportableFlag is set,
            // and never for an unconfirmed-class PDU (RFC 3412 §6.4).
            let reportable = message.header.flags.contains(.reportable) && (plaintextPDU?.type.isConfirmed ?? true)
            let report = reportable ? PendingReport(
                messageID: message.header.messageID, maxSize: message.header.maxSize, userName: parameters.userName,
                security: reportSecurity, requestID: plaintextPDU?.requestID ?? 0, contextName: contextName,
                counter: counter) : nil
            return .rejected(IncomingRejection(reason: reason, counter: counter, report: report))
        }

        // Step 3: requests must name this engine; an empty ID is discovery.
        guard parameters.authoritativeEngineID == engine.engineID else {
            return reject(.unknownEngineID, .usmStatsUnknownEngineIDs)
        }
        // Step 4.
        guard let user = users(parameters.userName) else {
            return reject(.unknownUserName, .usmStatsUnknownUserNames)
        }
        // Step 5.
        guard level >= requiredLevel else {
            return reject(.unsupportedSecurityLevel, .usmStatsUnsupportedSecLevels)
        }
        if level >= .authNoPriv {
            // Step 6.
            guard USMAuthentication.verify(received, user: user) else {
                return reject(.wrongDigest, .usmStatsWrongDigests)
            }
            // Step 7a: boots latched at the maximum, another boots, or
            // more than 150 s apart.
            let drift = Int64(parameters.authoritativeEngineTime) - Int64(engine.time)
            if engine.boots == EngineState.maximum || parameters.authoritativeEngineBoots != engine.boots
                || abs(drift) > Int64(Self.timeWindow) {
                return reject(.notInTimeWindow, .usmStatsNotInTimeWindows, reportSecurity: .authNoPriv(user))
            }
        }
        let scoped: ScopedPDU
        switch (level, message.data) {
        case (.authPriv, .encrypted(let ciphertext)):
            // Step 8.
            let plaintext: [UInt8]
            do {
                plaintext = try USMPrivacy.decrypt(
                    ciphertext, key: user.privKey.octets, protocol: user.privProtocol,
                    boots: parameters.authoritativeEngineBoots, time: parameters.authoritativeEngineTime,
                    salt: parameters.privacyParameters)
            } catch {
                return reject(.decryptionError(error), .usmStatsDecryptionErrors)
            }
            do {
                scoped = try ScopedPDU(decrypted: plaintext)
            } catch {
                return .rejected(IncomingRejection(reason: .undecodableScopedPDU(error), counter: .snmpInASNParseErrs, report: nil))
            }
        case (.authPriv, .plaintext):
            // Step 8a: privacy requested but msgData is not an encryptedPDU.
            return reject(.decryptionError(nil), .usmStatsDecryptionErrors)
        case (_, .plaintext(let plain)):
            scoped = plain
        case (_, .encrypted):
            // An OCTET STRING where a plaintext ScopedPDU belongs.
            let error = BERError(.unexpectedTag(expected: .sequence, found: .octetString), at: 0)
            return .rejected(IncomingRejection(
                reason: .undecodable(MessageDecodingError(.malformed(error), at: 0)), counter: .snmpInASNParseErrs, report: nil))
        }
        return .accepted(AuthenticatedRequest(header: message.header, securityParameters: parameters, user: user,
                                              securityLevel: level, scopedPDU: scoped))
    }

    // MARK: - Outgoing (RFC 3414 §3.1)

    /// Encodes, encrypts and authenticates an outgoing message (RFC 3414
    /// §3.1 steps 4-8): the ScopedPDU is encrypted with IV from the
    /// authoritative engine's boots/time and `salt`; the message is encoded
    /// with a zero placeholder for the MAC, which is then computed over the
    /// whole message and written in place.
    ///
    /// `authoritative` is this engine for Responses, Reports and Traps, and
    /// the receiver's discovered engine for InformRequests (RFC 3414 §1.5.1).
    public static func encodeOutgoing(_ scopedPDU: ScopedPDU, messageID: Int32, maxSize: Int32, reportable: Bool,
                                      security: OutgoingSecurity, authoritative: EngineSnapshot) throws(USMPrivacy.Failure) -> [UInt8] {
        var parameters = USMSecurityParameters(
            authoritativeEngineID: authoritative.engineID, authoritativeEngineBoots: authoritative.boots,
            authoritativeEngineTime: authoritative.time, userName: security.userName)
        let data: ScopedPDUData
        switch security {
        case .authPriv(let user, let salt):
            let ciphertext = try USMPrivacy.encrypt(
                scopedPDU.encoded, key: user.privKey.octets, protocol: user.privProtocol,
                boots: authoritative.boots, time: authoritative.time, salt: salt)
            data = .encrypted(ciphertext)
            parameters.privacyParameters = salt
        case .noAuthNoPriv, .authNoPriv:
            data = .plaintext(scopedPDU)
        }
        if let user = security.user {
            parameters.authenticationParameters = [UInt8](repeating: 0, count: user.authProtocol.authenticationParametersLength)
        }
        let header = MessageHeader(messageID: messageID, maxSize: maxSize,
                                   flags: MessageFlags(level: security.level, reportable: reportable))
        var encoded = SNMPv3Message(header: header, securityParameters: parameters, data: data).encode()
        if let user = security.user {
            USMAuthentication.sign(&encoded, user: user)
        }
        return encoded.bytes
    }

    /// The Response to an accepted request: same msgID, user and security
    /// level, contextEngineID and contextName (RFC 3412 §7.1 step 3, RFC 3413 §3.2).
    public func encodeResponse(_ pdu: PDU, to request: AuthenticatedRequest, engine: EngineSnapshot,
                               salt: [UInt8]) throws(USMPrivacy.Failure) -> [UInt8] {
        let scoped = ScopedPDU(contextEngineID: request.scopedPDU.contextEngineID,
                               contextName: request.scopedPDU.contextName, pdu: pdu)
        return try Self.encodeOutgoing(scoped, messageID: request.header.messageID, maxSize: maxMessageSize,
                                       reportable: false, security: OutgoingSecurity(request, salt: salt),
                                       authoritative: engine)
    }

    /// The Report for a rejection, carrying the counter's new value
    /// (RFC 3412 §7.1 step 3; RFC 3414 §3.2 steps 3-8), with this engine's
    /// ID, boots and time: what discovery and time synchronisation learn
    /// (RFC 3414 §4).
    public func encodeReport(_ pending: PendingReport, counterValue: UInt32,
                             engine: EngineSnapshot) throws(USMPrivacy.Failure) -> [UInt8] {
        let pdu = Self.reportPDU(counter: pending.counter, value: counterValue, requestID: pending.requestID)
        let scoped = ScopedPDU(contextEngineID: engine.engineID, contextName: pending.contextName, pdu: pdu)
        let security: OutgoingSecurity = switch pending.security {
        case .noAuthNoPriv: .noAuthNoPriv(userName: pending.userName)
        case .authNoPriv(let user): .authNoPriv(user)
        }
        // Reports are never encrypted, so in practice this does not throw.
        return try Self.encodeOutgoing(scoped, messageID: pending.messageID, maxSize: maxMessageSize, reportable: false,
                                       security: security, authoritative: engine)
    }

    /// A Report-PDU with one varbind: the counter's instance and new value
    /// (RFC 3412 §7.1 step 3c, e.g. usmStatsUnknownEngineIDs.0 = Counter32).
    public static func reportPDU(counter: SNMPCounter, value: UInt32, requestID: Int32) -> PDU {
        PDU(type: .report, requestID: requestID, varBinds: [VarBind(counter.oid, .counter32(value))])
    }
}

/// How an outgoing message is protected; the cases carry exactly what each
/// level needs, so a message cannot claim a level it has no keys for.
public enum OutgoingSecurity: Hashable, Sendable {
    case noAuthNoPriv(userName: [UInt8])
    case authNoPriv(USMCredentials)
    /// `salt` comes from a `USMSaltGenerator`.
    case authPriv(USMCredentials, salt: [UInt8])

    /// The same level and user as an accepted request.
    public init(_ request: AuthenticatedRequest, salt: [UInt8]) {
        switch request.securityLevel {
        case .noAuthNoPriv: self = .noAuthNoPriv(userName: request.securityParameters.userName)
        case .authNoPriv: self = .authNoPriv(request.user)
        case .authPriv: self = .authPriv(request.user, salt: salt)
        }
    }

    /// The security level.
    public var level: SecurityLevel {
        switch self {
        case .noAuthNoPriv: .noAuthNoPriv
        case .authNoPriv: .authNoPriv
        case .authPriv: .authPriv
        }
    }

    /// The user's credentials, when authenticated.
    public var user: USMCredentials? {
        switch self {
        case .noAuthNoPriv: nil
        case .authNoPriv(let user), .authPriv(let user, _): user
        }
    }

    /// msgUserName.
    public var userName: [UInt8] {
        switch self {
        case .noAuthNoPriv(let name): name
        case .authNoPriv(let user), .authPriv(let user, _): user.userName
        }
    }
}
