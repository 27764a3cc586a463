import Configuration
import SNMP

/// Datagrams captured from net-snmp 5.9.3's `snmpget -d` (Debian 12),
/// sent to a port where nothing listened. The agent-side engine is
/// `-e 0x80007ed9046170706c69616e6365` (enterprise 32473, format 4 text
/// "appliance"); net-snmp sent boots 0 and time 0 (it ignored `-Z`).
/// User "operator", both pass phrases "maplesyrup"; each is a GetRequest for
/// sysDescr.0 (1.3.6.1.2.1.1.1.0) at authPriv, reportable.
enum NetSNMPCaptures {
    static let engineID = hex("80007ed9046170706c69616e6365")
    static let userName = Array("operator".utf8)
    static let password = Array("maplesyrup".utf8)

    struct Capture {
        let auth: SNMPAuthProtocol
        let priv: SNMPPrivProtocol
        let octets: [UInt8]
    }

    static let authPrivGets: [Capture] = [
        // snmpget -a SHA-256 -x AES
        Capture(auth: .sha256, priv: .aes128, octets: hex("""
            3081920201033011020422E9FBF7020300FFE304010702010304463044040E80007ED9046170706C69616E63650201000201000408\
            6F70657261746F7204182031BE6DF0CAF4181F33C00C5FB81120B320D979E81FEC17040816DB3E160938FE520432225202C85B855C\
            448201E857E8296D85B691DF8AEAAFA486D7C1A941E92A852E3F0DA62C74AD78F49D95079DBDB7981B1392
            """)),
        // snmpget -a SHA -x AES-256 (Blumenthal key extension)
        Capture(auth: .sha1, priv: .aes256, octets: hex("""
            308186020103301102042987DBE7020300FFE3040107020103043A3038040E80007ED9046170706C69616E636502010002010004\
            086F70657261746F72040CA2693CB57B0F50579DCD2E8E040821AAF2B939F84ECB0432EB85ADB5369BE703C56107268CD863BBD5\
            1FCE648D89F34026F77AE6098D768E54EFA350F9C78FB195FE37EE7EA6A715A1A6
            """)),
        // snmpget -a SHA-512 -x AES-192
        Capture(auth: .sha512, priv: .aes192, octets: hex("""
            3081AA0201033011020472DD4329020300FFE3040107020103045E305C040E80007ED9046170706C69616E636502010002010004\
            086F70657261746F720430530E5BB1DD1156C76B2834BD7C2B7B131B8610E360C7745BCC386477B112806904061B8B1A06AE3A5B\
            012C687B9C8F6A0408AB28E18C3CB8E3A804326B2A73D0E6A36B98763A06B8DBDBA47B29F3672B7E5DCC56CC23B75F60D4E96C95\
            7E757089F118D87DCBB69C37B4861489C8
            """)),
    ]

    /// The first datagram of `snmpget -v3 -l authPriv …` with no engine ID
    /// known: the RFC 3414 §4 discovery probe (noAuthNoPriv, reportable,
    /// empty engine ID and user, GetRequest with no varbinds).
    static let discoveryProbe = hex("""
        303E0201033011020427CD010F020300FFE30401040201030410300E0400020100020100040004000400301404000400A00E0204\
        568EADBF0201000201003000
        """)

    /// The credentials net-snmp derived for `capture`.
    static func credentials(for capture: Capture) throws -> USMCredentials {
        try USMCredentials(
            userName: userName, authProtocol: capture.auth,
            authKey: USMKeyDerivation.authenticationKey(password: password, engineID: engineID, protocol: capture.auth),
            privProtocol: capture.priv,
            privKey: USMKeyDerivation.privacyKey(password: password, engineID: engineID, authentication: capture.auth, privacy: capture.priv))
    }
}
