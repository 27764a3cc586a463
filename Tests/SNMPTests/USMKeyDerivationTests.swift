import Configuration
import Testing
@testable import SNMP

@Suite("USM key derivation")
struct USMKeyDerivationTests {
    static let password = Array("maplesyrup".utf8)
    static let rfcEngineID = hex("000000000000000000000002")

    @Test("RFC 3414 A.3.2: SHA-1 password to key and localization of 'maplesyrup'")
    func rfc3414SHA1Vector() throws {
        let ku = try USMKeyDerivation.passwordToKey(Self.password, using: .sha1)
        #expect(HexOctets.text(ku) == "9fb5cc0381497b3793528939ff788d5d79145211")
        let kul = USMKeyDerivation.localize(ku, engineID: Self.rfcEngineID, using: .sha1)
        #expect(HexOctets.text(kul) == "6695febc9288e36282235fc7151f128497b38f3f")
    }

    /// RFC 7860 gives no vectors; these are the localized keys net-snmp
    /// 5.9.3 (Debian 12) stored in its persistent `usmUser` lines for
    /// `createUser uN SHA-xxx "maplesyrup" …` with `exactEngineID
    /// 0x000000000000000000000002`.
    static let netSNMPAuthKeys: [(SNMPAuthProtocol, String)] = [
        (.sha1, "6695febc9288e36282235fc7151f128497b38f3f"),
        (.sha224, "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be682075674"),
        (.sha256, "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a6445c2d6776f0f8b"),
        (.sha384, "3b298f16164a11184279d5432bf169e2d2a48307de02b3d3f7e2b4f36eb6f0455a53689a3937eea07319a633d2ccba78"),
        (.sha512, "22a5a36cedfcc085807a128d7bc6c2382167ad6c0dbc5fdff856740f3d84c099ad1ea87a8db096714d9788bd544047c9021e4229ce27e4c0a69250adfcffbb0b"),
    ]

    @Test("SHA-2 localized keys equal net-snmp's (RFC 7860 §4.2.2)", arguments: 0..<netSNMPAuthKeys.count)
    func sha2LocalizedKeys(_ index: Int) throws {
        let (auth, expected) = Self.netSNMPAuthKeys[index]
        let key = try USMKeyDerivation.authenticationKey(password: Self.password, engineID: Self.rfcEngineID, protocol: auth)
        #expect(HexOctets.text(key.octets) == expected)
        #expect(key.octets.count == auth.keyLength)
    }

    /// net-snmp's stored privacy keys for the same users: AES-128 cuts the
    /// localized key, AES-192/256 extend it (draft-blumenthal-aes-usm-04).
    static let netSNMPPrivKeys: [(SNMPAuthProtocol, SNMPPrivProtocol, String)] = [
        (.sha1, .aes128, "6695febc9288e36282235fc7151f1284"),
        (.sha1, .aes192, "6695febc9288e36282235fc7151f128497b38f3f505e07eb"),
        (.sha1, .aes256, "6695febc9288e36282235fc7151f128497b38f3f505e07eb9af25568fa1f5dbe"),
        (.sha224, .aes256, "0bd8827c6e29f8065e08e09237f177e410f69b90e1782be682075674e82d9bf0"),
        (.sha256, .aes256, "8982e0e549e866db361a6b625d84cccc11162d453ee8ce3a6445c2d6776f0f8b"),
        (.sha384, .aes128, "3b298f16164a11184279d5432bf169e2"),
        (.sha512, .aes256, "22a5a36cedfcc085807a128d7bc6c2382167ad6c0dbc5fdff856740f3d84c099"),
    ]

    @Test("privacy keys, including the AES-192/256 extension, equal net-snmp's", arguments: 0..<netSNMPPrivKeys.count)
    func privacyKeys(_ index: Int) throws {
        let (auth, priv, expected) = Self.netSNMPPrivKeys[index]
        let key = try USMKeyDerivation.privacyKey(password: Self.password, engineID: Self.rfcEngineID,
                                                  authentication: auth, privacy: priv)
        #expect(HexOctets.text(key.octets) == expected)
    }

    @Test("the Blumenthal extension differs from Cisco's Reeder extension (net-snmp AES-256-C)")
    func notReederExtension() throws {
        // net-snmp's key for `createUser u8 SHA "maplesyrup" AES256C "maplesyrup"`.
        let reeder = "6695febc9288e36282235fc7151f128497b38f3f9b8b6d78936ba6e7d19dfd9c"
        let key = try USMKeyDerivation.privacyKey(password: Self.password, engineID: Self.rfcEngineID,
                                                  authentication: .sha1, privacy: .aes256)
        #expect(HexOctets.text(key.octets) != reeder)
    }

    @Test("a pass phrase under 8 octets is refused (RFC 3414 §11.2)")
    func shortPassword() {
        #expect(throws: USMKeyDerivation.Failure.passwordTooShort(minimum: 8)) {
            try USMKeyDerivation.passwordToKey(Array("1234567".utf8), using: .sha256)
        }
    }

    @Test("the same pass phrase localizes to different keys on different engines")
    func localizationBindsEngine() throws {
        let ku = try USMKeyDerivation.passwordToKey(Self.password, using: .sha256)
        let one = USMKeyDerivation.localize(ku, engineID: Self.rfcEngineID, using: .sha256)
        let other = USMKeyDerivation.localize(ku, engineID: hex("000000000000000000000003"), using: .sha256)
        #expect(one != other)
    }

    /// What the Python tool the CLI's `snmp user` replaced (hashlib, its own
    /// loop for the AES-192/256 extension) derived for these pass phrases at
    /// a format-5 engine ID: an independent implementation.
    static let scriptEngineID = hex("80007e9905a1b2c3d4e5f60718293a4b")
    static let scriptUsers: [(SNMPAuthProtocol, SNMPPrivProtocol, String, String)] = [
        (.sha1, .aes128, "fa2b3f125219266407270e38b754cf3149aaffd5", "8e9616a6fb11d6e9eb5c4a185b87723e"),
        (.sha1, .aes192, "fa2b3f125219266407270e38b754cf3149aaffd5", "8e9616a6fb11d6e9eb5c4a185b87723e4cd69f5df38f3825"),
        (.sha1, .aes256, "fa2b3f125219266407270e38b754cf3149aaffd5", "8e9616a6fb11d6e9eb5c4a185b87723e4cd69f5df38f3825c7f3dfb9f15227f6"),
        (.sha224, .aes192, "3cbdba974fe67a8443bc959bb6b293319cd336d61b3f0219a3566af8", "f9e9141760b5b65f4f356d7d4b7dc472e1aa9318f48adf1a"),
        (.sha256, .aes256, "40cea54a307b2d269daaca3b10d77402c287537453714dcc0897a54169434103",
         "e9fab8561de8f6b6f62ffccefc218aba886a9c81d903918490f001b5aa33dc22"),
        (.sha384, .aes192, "19ed555ecfae16f8795c78ad91facb014e87d2f72e6405648841355821b248a639fc5410bcc1aef18f001187b2811ecc",
         "b83183d0aa608832616d712f7983d242da9c4880806a0480"),
        (.sha512, .aes256, "50ca480e7e2b775ea741d3d7e414aedd68052619458c796ab3c86fe89f90f89826a671517c3440ff4ee58c30d0e213bee7931c748db9a2eb6bd15dd73c6de80a",
         "9007b4717735fca39266b806ed88b2d710df93366dc084915406447b8153d211"),
    ]

    @Test("a user from two pass phrases has the keys an independent implementation derived, and its line parses back", arguments: 0..<scriptUsers.count)
    func userFromPassphrases(_ index: Int) throws {
        let (auth, priv, authKey, privKey) = Self.scriptUsers[index]
        let user = try USMKeyDerivation.user(name: "nms", role: .operator, authentication: auth, authPassphrase: Array("auth-Pass-2026".utf8),
                                             privacy: priv, privPassphrase: Array("priv-Pass-2026".utf8), engineID: Self.scriptEngineID)
        #expect(HexOctets.text(user.authKey.octets) == authKey)
        #expect(HexOctets.text(user.privKey.octets) == privKey)
        #expect(user.name == "nms" && user.role == .operator && user.authProtocol == auth && user.privProtocol == priv)
        var config = ApplianceConfig()
        try ConfigParser.apply(line: ConfigRenderer.line(user), to: &config)
        #expect(config.snmp.users == [user])
        #expect(!ConfigRenderer.line(user, keys: false).contains(String(authKey.prefix(8))))
    }

    @Test("a user's pass phrases under 8 octets are refused, naming which one")
    func userShortPassphrases() {
        #expect(throws: USMKeyDerivation.UserFailure.authentication(.passwordTooShort(minimum: 8))) {
            try USMKeyDerivation.user(name: "nms", role: .viewer, authentication: .sha256, authPassphrase: Array("short".utf8),
                                      privacy: .aes128, privPassphrase: Array("long enough".utf8), engineID: Self.scriptEngineID)
        }
        #expect(throws: USMKeyDerivation.UserFailure.privacy(.passwordTooShort(minimum: 8))) {
            try USMKeyDerivation.user(name: "nms", role: .viewer, authentication: .sha256, authPassphrase: Array("long enough".utf8),
                                      privacy: .aes128, privPassphrase: Array("1234567".utf8), engineID: Self.scriptEngineID)
        }
        #expect("\(USMKeyDerivation.UserFailure.privacy(.passwordTooShort(minimum: 8)))".hasPrefix("privacy: the pass phrase must have at least 8"))
    }

    @Test("credentials never print or dump their keys")
    func credentialsRedacted() throws {
        let key = LocalizedKey(octets: hex("6695febc9288e36282235fc7151f128497b38f3f"))
        let priv = LocalizedKey(octets: hex("6695febc9288e36282235fc7151f1284"))
        let user = try USMCredentials(userName: Array("ops".utf8), authProtocol: .sha1, authKey: key,
                                      privProtocol: .aes128, privKey: priv)
        var dumped = ""
        dump(user, to: &dumped)
        for text in [String(describing: user), String(reflecting: user), dumped, "\(key)", "\(priv)"] {
            #expect(!text.lowercased().contains("6695febc"))
            #expect(!text.contains("102"))  // 0x66 as a decimal array element
        }
    }

    @Test("credentials with wrong key lengths are refused")
    func credentialKeyLengths() {
        #expect(throws: USMCredentials.Problem.authKeyLength(expected: 32, found: 20)) {
            try USMCredentials(userName: [0x61], authProtocol: .sha256, authKey: LocalizedKey(octets: .init(repeating: 1, count: 20)),
                               privProtocol: .aes128, privKey: LocalizedKey(octets: .init(repeating: 1, count: 16)))
        }
        #expect(throws: USMCredentials.Problem.privKeyLength(minimum: 32, found: 20)) {
            try USMCredentials(userName: [0x61], authProtocol: .sha1, authKey: LocalizedKey(octets: .init(repeating: 1, count: 20)),
                               privProtocol: .aes256, privKey: LocalizedKey(octets: .init(repeating: 1, count: 20)))
        }
        #expect(throws: USMCredentials.Problem.userNameLength(33)) {
            try USMCredentials(userName: .init(repeating: 0x61, count: 33), authProtocol: .sha1,
                               authKey: LocalizedKey(octets: .init(repeating: 1, count: 20)),
                               privProtocol: .aes128, privKey: LocalizedKey(octets: .init(repeating: 1, count: 16)))
        }
    }
}
