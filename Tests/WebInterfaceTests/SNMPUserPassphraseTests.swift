import Configuration
import Foundation
import Testing
@testable import WebInterface

/// The /snmp form and `POST /api/v1/snmp/users` with pass phrases instead of
/// keys: webd localizes them to snmpd's engine ID (RFC 3414 A.2).
@Suite struct SNMPUserPassphraseTests {
    static let frame = HTMLPage.Frame(hostname: "enc", account: "ann", role: "admin", csrf: "t")
    static let engineID: [UInt8] = Hex.decode("80007e9905a1b2c3d4e5f60718293a4b")!
    static let authPassphrase = "auth-Pass-2026", privPassphrase = "priv-Pass-2026"

    @Test func passphrasesBecomeTheLocalizedKeysAnIndependentImplementationDerived() throws {
        let user = SNMPChange.NewUser(name: "nms", role: "operator", authProtocol: "sha-256", privProtocol: "aes-256",
                                      authPassphrase: Self.authPassphrase, privPassphrase: Self.privPassphrase)
        #expect(user.derivesKeys)
        let lines = try SNMPChange.add(user, engineID: Self.engineID)
        // The keys Python's hashlib (the tool the CLI's snmp user replaced) gave for these pass phrases and engine ID.
        #expect(lines == ["snmp user nms role operator auth sha-256 auth-key 0x40cea54a307b2d269daaca3b10d77402c287537453714dcc0897a54169434103"
                          + " priv aes-256 priv-key 0xe9fab8561de8f6b6f62ffccefc218aba886a9c81d903918490f001b5aa33dc22"])
        var config = ApplianceConfig()
        try ConfigParser.apply(line: lines[0], to: &config)
        #expect(config.snmp.users.map(\.name) == ["nms"])
        // A pass phrase never shows in the line, a description or a dump.
        var dumped = ""
        dump(user, to: &dumped)
        dump(try SNMPChange.check(user), to: &dumped)
        for text in lines + ["\(user)", String(reflecting: user), "\(try SNMPChange.check(user))", dumped] {
            #expect(!text.contains(Self.authPassphrase) && !text.contains(Self.privPassphrase), "\(text)")
        }
    }

    @Test func keysOrPassphrasesNotBothAndShortOrLongOnesAreRefusedWithoutQuotingThem() throws {
        let key = String(repeating: "ab", count: 32)
        func refusal(_ user: SNMPChange.NewUser) -> WebError? {
            do { _ = try SNMPChange.add(user, engineID: Self.engineID); return nil } catch { return error }
        }
        let both = refusal(.init(name: "nms", role: "viewer", authProtocol: "sha-256", authKey: key, privProtocol: "aes-128", privKey: key,
                                 authPassphrase: Self.authPassphrase, privPassphrase: Self.privPassphrase))
        #expect(both?.status == .badRequest && both?.message.contains("not both") == true)
        let mixed = refusal(.init(name: "nms", role: "viewer", authProtocol: "sha-256", authKey: key, privProtocol: "aes-128",
                                  privPassphrase: Self.privPassphrase))
        #expect(mixed?.status == .badRequest)
        let neither = refusal(.init(name: "nms", role: "viewer", authProtocol: "sha-256", privProtocol: "aes-128"))
        #expect(neither?.status == .badRequest)
        let short = refusal(.init(name: "nms", role: "viewer", authProtocol: "sha-256", privProtocol: "aes-128",
                                  authPassphrase: Self.authPassphrase, privPassphrase: "1234567"))
        #expect(short == WebError(.badRequest, "privPassphrase: the pass phrase must have at least 8 octets (RFC 3414 §11.2)"))
        let long = refusal(.init(name: "nms", role: "viewer", authProtocol: "sha-256", privProtocol: "aes-128",
                                 authPassphrase: String(repeating: "x", count: 1025), privPassphrase: Self.privPassphrase))
        #expect(long == WebError(.badRequest, "authPassphrase: the pass phrase must have at most 1024 octets"))
        // Without snmpd's engine ID there is nothing to localize to.
        #expect(throws: WebError(.serviceUnavailable, "snmpd's engine ID is not known: the keys cannot be localized")) {
            try SNMPChange.add(.init(name: "nms", role: "viewer", authProtocol: "sha-256", privProtocol: "aes-128",
                                     authPassphrase: Self.authPassphrase, privPassphrase: Self.privPassphrase))
        }
        // Name and protocols are checked before the engine ID is needed.
        #expect(throws: WebError(.badRequest, "authProtocol: expected sha-1, sha-224, sha-256, sha-384, sha-512")) {
            try SNMPChange.check(.init(name: "nms", role: "viewer", authProtocol: "md5", privProtocol: "aes-128",
                                       authPassphrase: Self.authPassphrase, privPassphrase: Self.privPassphrase))
        }
    }

    @Test func theAPIBodyTakesPassphrases() throws {
        let json = #"{"name": "nms", "role": "viewer", "authProtocol": "sha-1", "privProtocol": "aes-128", "authPassphrase": "maplesyrup", "privPassphrase": "maplesyrup"}"#
        let user = try JSONDecoder().decode(SNMPChange.NewUser.self, from: Data(json.utf8))
        #expect(user.derivesKeys && user.authKey == nil && user.privKey == nil)
        let rfc = try #require(Hex.decode("000000000000000000000002"))
        // RFC 3414 A.3.2's localized SHA-1 key of "maplesyrup"; AES-128 takes its first 16 octets.
        #expect(try SNMPChange.add(user, engineID: rfc) == ["snmp user nms role viewer auth sha-1 auth-key 0x6695febc9288e36282235fc7151f128497b38f3f"
                                                            + " priv aes-128 priv-key 0x6695febc9288e36282235fc7151f1284"])
    }

    @Test func thePageAsksForTwoPassphrasesWithItsCSRFToken() {
        let page = HTMLPage.snmp(Self.frame, snmp: nil, problem: nil)
        let form = String(page[page.range(of: #"<form id="snmp-user-add""#)!.lowerBound...].prefix { $0 != "\u{0}" })
        let userForm = String(form[..<form.range(of: "</form>")!.upperBound])
        #expect(page.contains("Add SNMPv3 user"))
        #expect(userForm.contains(#"name="csrf""#) && userForm.contains(#"action="/snmp/users""#))
        #expect(userForm.contains(#"<input name="authPassphrase" type="password""#) && userForm.contains(#"<input name="privPassphrase" type="password""#))
        #expect(userForm.contains(#"<option selected>sha-256</option>"#) && userForm.contains("<option>aes-256</option>"))
        #expect(!userForm.contains("authKey") && !userForm.contains("privKey"))
    }
}
