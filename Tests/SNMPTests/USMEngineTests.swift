import Configuration
import Testing
@testable import SNMP

/// The agent side of these tests: engine "appliance", user "operator".
private struct Fixture {
    var engine = EngineSnapshot(engineID: NetSNMPCaptures.engineID, boots: 5, time: 1000)
    let usm = USMEngine()
    let user: USMCredentials

    init(auth: SNMPAuthProtocol = .sha256, priv: SNMPPrivProtocol = .aes128) throws {
        let capture = NetSNMPCaptures.Capture(auth: auth, priv: priv, octets: [])
        user = try NetSNMPCaptures.credentials(for: capture)
    }

    func lookup(_ name: [UInt8]) -> USMCredentials? { name == user.userName ? user : nil }

    func process(_ datagram: [UInt8]) -> IncomingOutcome {
        usm.processIncoming(datagram, engine: engine, users: lookup)
    }

    /// A GetRequest for sysDescr.0 as a manager builds it, with the
    /// manager's idea of the agent's boots and time.
    func request(security: OutgoingSecurity, boots: Int32? = nil, time: Int32? = nil, engineID: [UInt8]? = nil,
                 reportable: Bool = true, type: PDUType = .getRequest, maxSize: Int32 = 1500,
                 pdu: PDU? = nil) throws -> [UInt8] {
        let scoped = ScopedPDU(contextEngineID: engine.engineID,
                               pdu: pdu ?? PDU(type: type, requestID: 4242, varBinds: [VarBind([1, 3, 6, 1, 2, 1, 1, 1, 0])]))
        let authoritative = EngineSnapshot(engineID: engineID ?? engine.engineID, boots: boots ?? engine.boots, time: time ?? engine.time)
        return try USMEngine.encodeOutgoing(scoped, messageID: 77, maxSize: maxSize, reportable: reportable,
                                            security: security, authoritative: authoritative)
    }
}

private func rejection(_ outcome: IncomingOutcome) -> IncomingRejection? {
    if case .rejected(let rejection) = outcome { return rejection }
    return nil
}

private func accepted(_ outcome: IncomingOutcome) -> AuthenticatedRequest? {
    if case .accepted(let request) = outcome { return request }
    return nil
}

@Suite("USM engine")
struct USMEngineTests {
    static let combinations: [(SNMPAuthProtocol, SNMPPrivProtocol)] =
        SNMPAuthProtocol.allCases.flatMap { auth in SNMPPrivProtocol.allCases.map { (auth, $0) } }

    @Test("net-snmp's authPriv GetRequests are authenticated and decrypted", arguments: 0..<NetSNMPCaptures.authPrivGets.count)
    func acceptsNetSNMPRequests(_ index: Int) throws {
        let capture = NetSNMPCaptures.authPrivGets[index]
        let user = try NetSNMPCaptures.credentials(for: capture)
        let engine = EngineSnapshot(engineID: NetSNMPCaptures.engineID, boots: 0, time: 0)
        let outcome = USMEngine().processIncoming(capture.octets, engine: engine) { $0 == user.userName ? user : nil }
        let request = try #require(accepted(outcome))
        #expect(request.securityLevel == .authPriv)
        #expect(request.user == user)
        #expect(request.scopedPDU.contextEngineID == NetSNMPCaptures.engineID)
        #expect(request.scopedPDU.pdu.type == .getRequest)
        #expect(request.scopedPDU.pdu.varBinds == [VarBind([1, 3, 6, 1, 2, 1, 1, 1, 0], .null)])
    }

    @Test("a manager's authPriv GetRequest round-trips through the engine, and so does the Response",
          arguments: 0..<combinations.count)
    func authPrivRoundTrip(_ index: Int) throws {
        let (auth, priv) = Self.combinations[index]
        let fixture = try Fixture(auth: auth, priv: priv)
        var salts = USMSaltGenerator(initialValue: 0x1122_3344_5566_7788)
        let datagram = try fixture.request(security: .authPriv(fixture.user, salt: salts.next()))
        let request = try #require(accepted(fixture.process(datagram)))
        #expect(request.scopedPDU.pdu.requestID == 4242)
        #expect(request.header.messageID == 77)

        let response = PDU.response(to: request.scopedPDU.pdu, varBinds: [VarBind([1, 3, 6, 1, 2, 1, 1, 1, 0], .octetString(Array("encoder".utf8)))])
        let reply = try fixture.usm.encodeResponse(response, to: request, engine: fixture.engine, salt: salts.next())
        // The manager's side: check the MAC, then decrypt with the agent's boots/time.
        let received = try SNMPv3Message.decode(reply)
        #expect(received.message.header.messageID == 77)
        #expect(received.message.header.flags == [.authentication, .privacy])
        #expect(USMAuthentication.verify(received, key: fixture.user.authKey.octets, protocol: auth))
        guard case .encrypted(let ciphertext) = received.message.data else { Issue.record("response not encrypted"); return }
        let parameters = received.message.securityParameters
        #expect(parameters.authoritativeEngineBoots == 5 && parameters.authoritativeEngineTime == 1000)
        let plaintext = try USMPrivacy.decrypt(ciphertext, key: fixture.user.privKey.octets, protocol: priv,
                                               boots: 5, time: 1000, salt: parameters.privacyParameters)
        #expect(try ScopedPDU(decrypted: plaintext).pdu == response)
    }

    @Test("discovery: net-snmp's probe gets a Report with our engine ID, boots and time")
    func discovery() throws {
        let fixture = try Fixture()
        let refused = try #require(rejection(fixture.process(NetSNMPCaptures.discoveryProbe)))
        #expect(refused.reason == .unknownEngineID)
        #expect(refused.counter == .usmStatsUnknownEngineIDs)
        let pending = try #require(refused.report)
        #expect(pending.security == .noAuthNoPriv && pending.requestID == 0x568E_ADBF)

        var counters = SNMPCounters()
        let value = counters.increment(refused.counter)
        let report = try SNMPv3Message.decode(fixture.usm.encodeReport(pending, counterValue: value, engine: fixture.engine)).message
        #expect(report.header.messageID == 0x27CD_010F)
        #expect(report.header.flags == [])
        #expect(report.securityParameters.authoritativeEngineID == fixture.engine.engineID)
        #expect(report.securityParameters.authoritativeEngineBoots == 5 && report.securityParameters.authoritativeEngineTime == 1000)
        let expected = ScopedPDU(contextEngineID: fixture.engine.engineID,
                                 pdu: PDU(type: .report, requestID: 0x568E_ADBF, varBinds: [VarBind([1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0], .counter32(1))]))
        #expect(report.data == .plaintext(expected))
    }

    @Test("time synchronisation: a stale request gets an authenticated Report, and the retry with its boots/time passes")
    func timeSynchronisation() throws {
        let fixture = try Fixture()
        var salts = USMSaltGenerator(initialValue: 1)
        let stale = try fixture.request(security: .authPriv(fixture.user, salt: salts.next()), boots: 0, time: 0)
        let refused = try #require(rejection(fixture.process(stale)))
        #expect(refused.counter == .usmStatsNotInTimeWindows)
        let pending = try #require(refused.report)
        #expect(pending.security == .authNoPriv(fixture.user))

        let reportOctets = try fixture.usm.encodeReport(pending, counterValue: 1, engine: fixture.engine)
        let report = try SNMPv3Message.decode(reportOctets)
        #expect(report.message.header.flags == [.authentication])
        #expect(USMAuthentication.verify(report, key: fixture.user.authKey.octets, protocol: fixture.user.authProtocol))
        let learned = report.message.securityParameters
        if case .plaintext(let scoped) = report.message.data {
            #expect(scoped.pdu.varBinds == [VarBind([1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0], .counter32(1))])
        } else {
            Issue.record("the Report must be plaintext")
        }
        let retry = try fixture.request(security: .authPriv(fixture.user, salt: salts.next()),
                                        boots: learned.authoritativeEngineBoots, time: learned.authoritativeEngineTime)
        #expect(accepted(fixture.process(retry)) != nil)
    }

    @Test("the time window is 150 s either way, and boots must match (RFC 3414 §3.2 step 7)", arguments: [
        (Int32(5), Int32(1150), true), (5, 850, true), (5, 1151, false), (5, 849, false), (4, 1000, false), (6, 1000, false),
    ])
    func timeWindow(boots: Int32, time: Int32, inWindow: Bool) throws {
        let fixture = try Fixture()
        let datagram = try fixture.request(security: .authPriv(fixture.user, salt: [0, 0, 0, 0, 0, 0, 0, 1]), boots: boots, time: time)
        let outcome = fixture.process(datagram)
        if inWindow {
            #expect(accepted(outcome) != nil)
        } else {
            #expect(rejection(outcome)?.counter == .usmStatsNotInTimeWindows)
        }
    }

    @Test("with boots latched at 2147483647 nothing authenticated is in time")
    func latchedBoots() throws {
        var fixture = try Fixture()
        fixture.engine.boots = EngineState.maximum
        let datagram = try fixture.request(security: .authPriv(fixture.user, salt: [1, 1, 1, 1, 1, 1, 1, 1]))
        #expect(rejection(fixture.process(datagram))?.counter == .usmStatsNotInTimeWindows)
    }

    @Test("a changed octet anywhere in the authenticated message is a wrong digest")
    func wrongDigest() throws {
        let fixture = try Fixture()
        let datagram = try fixture.request(security: .authPriv(fixture.user, salt: [9, 9, 9, 9, 9, 9, 9, 9]))
        let authRange = try SNMPv3Message.decode(datagram).authenticationParametersRange
        for position in [authRange.lowerBound, authRange.upperBound - 1, datagram.count - 1] {
            var tampered = datagram
            tampered[position] ^= 0x01
            let refused = try #require(rejection(fixture.process(tampered)))
            #expect(refused.counter == .usmStatsWrongDigests)
            #expect(refused.report?.security == .noAuthNoPriv)
        }
    }

    @Test("keys from another pass phrase give a wrong digest")
    func wrongKey() throws {
        let fixture = try Fixture()
        let impostor = try USMCredentials(
            userName: fixture.user.userName, authProtocol: .sha256,
            authKey: USMKeyDerivation.authenticationKey(password: Array("not-the-password".utf8), engineID: fixture.engine.engineID, protocol: .sha256),
            privProtocol: .aes128, privKey: fixture.user.privKey)
        let datagram = try fixture.request(security: .authPriv(impostor, salt: [1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(rejection(fixture.process(datagram))?.counter == .usmStatsWrongDigests)
    }

    @Test("an unknown user gets usmStatsUnknownUserNames with a Report")
    func unknownUser() throws {
        let fixture = try Fixture()
        let stranger = try USMCredentials(userName: Array("mallory".utf8), authProtocol: fixture.user.authProtocol,
                                          authKey: fixture.user.authKey, privProtocol: fixture.user.privProtocol, privKey: fixture.user.privKey)
        let refused = try #require(rejection(fixture.process(fixture.request(security: .authPriv(stranger, salt: [1, 2, 3, 4, 5, 6, 7, 8])))))
        #expect(refused.counter == .usmStatsUnknownUserNames)
        #expect(refused.report?.userName == Array("mallory".utf8))
        #expect(refused.report?.requestID == 0)  // encrypted: never decrypted
    }

    @Test("below authPriv a known user gets usmStatsUnsupportedSecLevels", arguments: [SecurityLevel.noAuthNoPriv, .authNoPriv])
    func unsupportedLevel(_ level: SecurityLevel) throws {
        let fixture = try Fixture()
        let security: OutgoingSecurity = level == .authNoPriv ? .authNoPriv(fixture.user) : .noAuthNoPriv(userName: fixture.user.userName)
        let refused = try #require(rejection(fixture.process(fixture.request(security: security))))
        #expect(refused.counter == .usmStatsUnsupportedSecLevels)
        #expect(refused.report?.requestID == 4242)
    }

    @Test("checks run in RFC 3414 order: engine ID, then user, then level, then digest")
    func checkOrder() throws {
        let fixture = try Fixture()
        let stranger = try USMCredentials(userName: Array("mallory".utf8), authProtocol: .sha1,
                                          authKey: LocalizedKey(octets: .init(repeating: 1, count: 20)),
                                          privProtocol: .aes128, privKey: LocalizedKey(octets: .init(repeating: 1, count: 16)))
        let unknownBoth = try fixture.request(security: .authPriv(stranger, salt: [1, 1, 1, 1, 1, 1, 1, 1]), engineID: [1, 2, 3, 4, 5])
        #expect(rejection(fixture.process(unknownBoth))?.counter == .usmStatsUnknownEngineIDs)
        let unknownUserBadDigest = try fixture.request(security: .authPriv(stranger, salt: [1, 1, 1, 1, 1, 1, 1, 1]))
        #expect(rejection(fixture.process(unknownUserBadDigest))?.counter == .usmStatsUnknownUserNames)
        // authNoPriv with a wrong key: the level check comes before the MAC.
        let lowLevelBadDigest = try fixture.request(security: .authNoPriv(try USMCredentials(
            userName: fixture.user.userName, authProtocol: .sha256, authKey: LocalizedKey(octets: .init(repeating: 2, count: 32)),
            privProtocol: .aes128, privKey: fixture.user.privKey)))
        #expect(rejection(fixture.process(lowLevelBadDigest))?.counter == .usmStatsUnsupportedSecLevels)
    }

    @Test("a salt that is not 8 octets is a decryption error (RFC 3826 §3.1.4)")
    func decryptionErrorSalt() throws {
        let fixture = try Fixture()
        // Build by hand: 7-octet privacy parameters, correctly signed.
        let scoped = ScopedPDU(contextEngineID: fixture.engine.engineID, pdu: PDU(type: .getRequest, requestID: 1, varBinds: []))
        let salt: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let ciphertext = try USMPrivacy.encrypt(scoped.encoded, key: fixture.user.privKey.octets, protocol: .aes128, boots: 5, time: 1000, salt: salt)
        var encoded = SNMPv3Message(
            header: MessageHeader(messageID: 3, maxSize: 1500, flags: [.authentication, .privacy, .reportable]),
            securityParameters: USMSecurityParameters(
                authoritativeEngineID: fixture.engine.engineID, authoritativeEngineBoots: 5, authoritativeEngineTime: 1000,
                userName: fixture.user.userName, authenticationParameters: .init(repeating: 0, count: 24), privacyParameters: Array(salt.prefix(7))),
            data: .encrypted(ciphertext)).encode()
        USMAuthentication.sign(&encoded, key: fixture.user.authKey.octets, protocol: .sha256)
        let refused = try #require(rejection(fixture.process(encoded.bytes)))
        #expect(refused.counter == .usmStatsDecryptionErrors)
        #expect(refused.reason == .decryptionError(.wrongSaltLength(7)))
        #expect(refused.report != nil)
    }

    @Test("authPriv flags over a plaintext ScopedPDU are a decryption error (RFC 3414 §3.2 step 8a)")
    func decryptionErrorPlaintext() throws {
        let fixture = try Fixture()
        var encoded = SNMPv3Message(
            header: MessageHeader(messageID: 3, maxSize: 1500, flags: [.authentication, .privacy, .reportable]),
            securityParameters: USMSecurityParameters(
                authoritativeEngineID: fixture.engine.engineID, authoritativeEngineBoots: 5, authoritativeEngineTime: 1000,
                userName: fixture.user.userName, authenticationParameters: .init(repeating: 0, count: 24), privacyParameters: [1, 2, 3, 4, 5, 6, 7, 8]),
            data: .plaintext(ScopedPDU(contextEngineID: fixture.engine.engineID, pdu: PDU(type: .getRequest, requestID: 1, varBinds: [])))).encode()
        USMAuthentication.sign(&encoded, key: fixture.user.authKey.octets, protocol: .sha256)
        #expect(rejection(fixture.process(encoded.bytes))?.counter == .usmStatsDecryptionErrors)
    }

    @Test("a wrong privacy key decrypts to garbage: a parse error, never a Report")
    func wrongPrivacyKey() throws {
        let fixture = try Fixture()
        let skewed = try USMCredentials(userName: fixture.user.userName, authProtocol: fixture.user.authProtocol, authKey: fixture.user.authKey,
                                        privProtocol: .aes128, privKey: LocalizedKey(octets: .init(repeating: 0x5A, count: 16)))
        let refused = try #require(rejection(fixture.process(fixture.request(security: .authPriv(skewed, salt: [3, 3, 3, 3, 3, 3, 3, 3])))))
        #expect(refused.counter == .snmpInASNParseErrs)
        #expect(refused.report == nil)
    }

    @Test("no Report without the reportable flag, nor for an unconfirmed PDU")
    func reportableRule() throws {
        let fixture = try Fixture()
        let silent = try fixture.request(security: .noAuthNoPriv(userName: []), engineID: [], reportable: false)
        let quiet = try #require(rejection(fixture.process(silent)))
        #expect(quiet.counter == .usmStatsUnknownEngineIDs && quiet.report == nil)
        let trap = try fixture.request(security: .noAuthNoPriv(userName: []), engineID: [], reportable: true, type: .snmpV2Trap)
        #expect(rejection(fixture.process(trap))?.report == nil)
    }

    @Test("decode failures pass through with their counter and no Report")
    func undecodable() throws {
        let fixture = try Fixture()
        let v2c = hex("302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500")
        let refused = try #require(rejection(fixture.process(v2c)))
        #expect(refused.counter == .snmpInBadVersions && refused.report == nil)
    }

    @Test("a GetBulk answered within varBindBudget fits the manager's msgMaxSize of 484", arguments: [SNMPAuthProtocol.sha1, .sha512])
    func responseFitsManagerMaxSize(_ auth: SNMPAuthProtocol) throws {
        let fixture = try Fixture(auth: auth, priv: .aes256)
        let bulk = PDU.getBulk(requestID: 1, nonRepeaters: 0, maxRepetitions: 1000, varBinds: [VarBind([1, 3, 6, 1])])
        let datagram = try fixture.request(security: .authPriv(fixture.user, salt: [1, 2, 3, 4, 5, 6, 7, 8]), maxSize: 484, pdu: bulk)
        let request = try #require(accepted(fixture.process(datagram)))
        let rows = (1...500).map { TableSource.Row(index: [UInt32($0)], values: [.octetString(Array("value \($0)".utf8))]) }
        let view = try MIBView([TableSource(entry: [1, 3, 6, 1, 4, 1, 32473, 1], columns: [1], rows: rows)])
        let budget = try fixture.usm.varBindBudget(for: request, engine: fixture.engine)
        let response = RequestResponder(view: view).respond(to: request.scopedPDU.pdu, varBindBudget: budget)
        let reply = try fixture.usm.encodeResponse(response, to: request, engine: fixture.engine, salt: [8, 7, 6, 5, 4, 3, 2, 1])
        #expect(reply.count <= 484)
        #expect(reply.count > 484 - 40)  // and close to it: the budget is not wasted
        #expect(response.varBinds.count > 10)
    }

    @Test("counters wrap as Counter32 and report their new value")
    func counterWrap() {
        var counters = SNMPCounters()
        #expect(counters.increment(.usmStatsWrongDigests) == 1)
        #expect(counters[.usmStatsWrongDigests] == 1 && counters[.usmStatsDecryptionErrors] == 0)
        for _ in 0..<3 { counters.increment(.snmpInBadVersions) }
        #expect(counters[.snmpInBadVersions] == 3)
        #expect(USMEngine.reportPDU(counter: .usmStatsWrongDigests, value: 7, requestID: 9).varBinds
            == [VarBind([1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0], .counter32(7))])
    }
}
