import Configuration
import Testing
@testable import SNMP

@Suite("SNMPv3 messages")
struct SNMPv3MessageTests {
    @Test("net-snmp's discovery probe decodes field by field and re-encodes to the same octets")
    func discoveryProbeRoundTrip() throws {
        let received = try SNMPv3Message.decode(NetSNMPCaptures.discoveryProbe)
        let message = received.message
        #expect(message.header == MessageHeader(messageID: 0x27CD_010F, maxSize: 65507, flags: .reportable))
        #expect(message.securityParameters == USMSecurityParameters(
            authoritativeEngineID: [], authoritativeEngineBoots: 0, authoritativeEngineTime: 0, userName: []))
        #expect(message.data == .plaintext(ScopedPDU(contextEngineID: [], pdu: PDU(type: .getRequest, requestID: 0x568E_ADBF, varBinds: []))))
        #expect(message.encode().bytes == NetSNMPCaptures.discoveryProbe)
    }

    @Test("net-snmp's authPriv requests re-encode to the same octets, auth parameters where decode found them",
          arguments: 0..<NetSNMPCaptures.authPrivGets.count)
    func authPrivRoundTrip(_ index: Int) throws {
        let capture = NetSNMPCaptures.authPrivGets[index]
        let received = try SNMPv3Message.decode(capture.octets)
        #expect(received.authenticationParametersRange.count == capture.auth.authenticationParametersLength)
        let encoded = received.message.encode()
        #expect(encoded.bytes == capture.octets)
        #expect(encoded.authenticationParametersRange == received.authenticationParametersRange)
        #expect(received.message.header.flags == [.authentication, .privacy, .reportable])
    }

    @Test("an outgoing message leaves the auth placeholder at the offset it reports, sized per protocol",
          arguments: SNMPAuthProtocol.allCases)
    func authPlaceholderOffset(_ auth: SNMPAuthProtocol) throws {
        let placeholder = [UInt8](repeating: 0, count: auth.authenticationParametersLength)
        let message = SNMPv3Message(
            header: MessageHeader(messageID: 7, maxSize: 1500, flags: [.authentication]),
            securityParameters: USMSecurityParameters(authoritativeEngineID: NetSNMPCaptures.engineID, authoritativeEngineBoots: 3,
                                                      authoritativeEngineTime: 99, userName: Array("ops".utf8),
                                                      authenticationParameters: placeholder),
            data: .plaintext(ScopedPDU(contextEngineID: NetSNMPCaptures.engineID,
                                       pdu: PDU(type: .response, requestID: 1, varBinds: [VarBind([1, 3, 6, 1], .integer(5))]))))
        let encoded = message.encode()
        let range = encoded.authenticationParametersRange
        #expect(range.count == auth.authenticationParametersLength)
        #expect(encoded.bytes[range].allSatisfy { $0 == 0 })
        // The OCTET STRING header sits just before the placeholder.
        #expect(encoded.bytes[range.lowerBound - 2] == 0x04 && Int(encoded.bytes[range.lowerBound - 1]) == range.count)
        #expect(try SNMPv3Message.decode(encoded.bytes).authenticationParametersRange == range)
    }

    @Test("a large response uses long-form lengths and still round-trips")
    func largeMessage() throws {
        let varBinds = (0..<400).map { VarBind([1, 3, 6, 1, 4, 1, 32473, 1, $0], .octetString(Array("row \($0)".utf8))) }
        let message = SNMPv3Message(
            header: MessageHeader(messageID: 1, maxSize: 65507, flags: []),
            securityParameters: USMSecurityParameters(authoritativeEngineID: [1, 2, 3, 4, 5], authoritativeEngineBoots: 1,
                                                      authoritativeEngineTime: 1, userName: []),
            data: .plaintext(ScopedPDU(contextEngineID: [1, 2, 3, 4, 5], pdu: PDU(type: .response, requestID: 9, varBinds: varBinds))))
        let encoded = message.encode()
        #expect(encoded.bytes.count > 5_000)
        #expect(Array(encoded.bytes.prefix(2)) == [0x30, 0x82])
        #expect(try SNMPv3Message.decode(encoded.bytes).message == message)
        if case .plaintext(let scoped) = message.data {
            // The ScopedPDU is a 4-octet SEQUENCE header, a 7-octet engine ID and a 2-octet empty name around the PDU.
            #expect(scoped.pdu.encodedLength == scoped.encoded.count - 4 - 7 - 2)
        }
    }

    @Test("every PDU type round-trips; GetBulk names its fields", arguments: PDUType.allCases)
    func pduTypes(_ type: PDUType) throws {
        let pdu = PDU(type: type, requestID: -5, errorStatus: 2, errorIndex: 10, varBinds: [VarBind([1, 3, 6, 1, 2, 1, 1, 3, 0], .timeTicks(12345))])
        var writer = BERWriter()
        pdu.write(to: &writer)
        #expect(writer.bytes.first == type.rawValue)
        #expect(writer.count == pdu.encodedLength)
        var reader = try BERReader(writer.bytes)
        #expect(try PDU(from: &reader) == pdu)
        let bulk = PDU.getBulk(requestID: 1, nonRepeaters: 2, maxRepetitions: 10, varBinds: [])
        #expect(bulk.nonRepeaters == 2 && bulk.maxRepetitions == 10)
    }

    @Test("the SNMPv1 Trap-PDU tag [4] is refused")
    func v1TrapRefused() throws {
        var reader = try BERReader(hex("a40b 020101 020100 020100 3000"))
        #expect(throws: BERError(.unsupportedTag(BERTag(octet: 0xA4)), at: 0)) { _ = try PDU(from: &reader) }
    }

    @Test("version probe reads v1, v2c and v3 and refuses non-SNMP")
    func versionProbe() throws {
        // SNMPv1 and SNMPv2c GetRequest for sysDescr.0, community "public".
        let v1 = hex("302602010004067075626c6963a019020101020100020100300e300c06082b060102010101000500")
        let v2c = hex("302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500")
        #expect(try SNMPVersionProbe.version(of: v1) == SNMPVersionProbe.v1)
        #expect(try SNMPVersionProbe.version(of: v2c) == SNMPVersionProbe.v2c)
        #expect(try SNMPVersionProbe.version(of: NetSNMPCaptures.discoveryProbe) == SNMPVersionProbe.v3)
        #expect(throws: BERError.self) { try SNMPVersionProbe.version(of: Array("GET / HTTP/1.0\r\n".utf8)) }
    }

    @Test("decode failures name the counter RFC 3412 §7.2 increments")
    func decodeFailureCounters() {
        let v2c = hex("302602010104067075626c6963a019020101020100020100300e300c06082b060102010101000500")
        #expect(counter(of: v2c) == .snmpInBadVersions)
        // Security model 2 (v2c) in an otherwise valid header.
        var otherModel = NetSNMPCaptures.discoveryProbe
        otherModel[23] = 0x02
        #expect(counter(of: otherModel) == .snmpUnknownSecurityModels)
        // msgFlags privacy without authentication.
        var privOnly = NetSNMPCaptures.discoveryProbe
        privOnly[20] = 0x06
        #expect(counter(of: privOnly) == .snmpInvalidMsgs)
        // msgMaxSize below 484.
        var tiny = NetSNMPCaptures.discoveryProbe
        tiny[15...17] = [0x00, 0x01, 0x00]
        #expect(counter(of: tiny) == .snmpInASNParseErrs)
        #expect(counter(of: Array(NetSNMPCaptures.discoveryProbe.dropLast())) == .snmpInASNParseErrs)
        #expect(counter(of: NetSNMPCaptures.discoveryProbe + [0]) == .snmpInASNParseErrs)
    }

    @Test("every proper prefix of a valid message is refused with a typed parse error")
    func everyPrefixRefused() {
        for capture in [NetSNMPCaptures.discoveryProbe] + NetSNMPCaptures.authPrivGets.map(\.octets) {
            for length in 0..<capture.count {
                let error = decodeError(Array(capture.prefix(length)))
                #expect(error?.counter == .snmpInASNParseErrs)
                #expect((error?.offset ?? -1) <= length)
            }
        }
    }

    private func decodeError(_ octets: [UInt8]) -> MessageDecodingError? {
        do {
            _ = try SNMPv3Message.decode(octets)
            return nil
        } catch {
            return error
        }
    }

    private func counter(of octets: [UInt8]) -> SNMPCounter? { decodeError(octets)?.counter }
}
