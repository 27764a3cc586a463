import Testing
@testable import Configuration

@Suite("Configuration validation")
struct ConfigValidatorTests {
    private func problems(_ config: ApplianceConfig) -> [String] {
        ConfigValidator().problems(in: config).map(\.description)
    }

    @Test("the rich configuration and the factory configuration are valid")
    func validConfigsHaveNoProblems() {
        #expect(problems(Fixture.richConfig()) == [])
        #expect(problems(ApplianceConfig()) == [])
    }

    @Test("every problem is reported at once, each naming its object")
    func allProblemsReportedWithTheirObject() throws {
        var config = Fixture.richConfig()
        config.streams[1].destination.port = 0
        config.streams.append(config.streams[0])                                  // duplicate name and destination
        config.snmp.trapReceivers[0].user = "nobody"
        config.system.loginBanner = String(repeating: "x", count: 4097)
        config.streams[2].mtu = 1300
        config.audit.remoteDestinations[1].clientKeyPath = nil
        config.accounts[0].sshKeys.append(config.accounts[0].sshKeys[0])
        config.policy.passwordMinLength = 4
        let found = problems(config)
        #expect(found == [
            "banner login: is 4097 bytes; at most 4096 are allowed",
            "security password min-length: 4 is out of range 8-128",
            "account \"admin\": ssh key SHA256:iwgmvPEWtijBBro7cAmGmlVvLKs6abCAIOd4g5ruCR4 is listed twice",
            "logging remote 2001:db8::514 port 10514: a client certificate needs its key and a key its certificate; give both or neither",
            "snmp trap-receiver 192.0.2.10 port 162: user \"nobody\" is not an SNMP user; create it with snmp user first",
            "stream \"cam2\": destination port 0 is out of range 1-65535",
            "stream \"cam-3\": mtu 1300 is too small: one datagram of 7 TS packets (1316 bytes) over RTP/UDP/IPv6 needs 1376",
            "stream \"cam1\": is defined more than once; stream names must be unique",
            "stream \"cam1\": destination 239.1.1.1 port 5000 is already used by stream \"cam1\"",
        ])
    }

    @Test("accounts without an unlocked admin holding a credential are refused")
    func unlockedAdminRequired() {
        var config = Fixture.richConfig()
        config.accounts[0].locked = true
        #expect(problems(config) == ["accounts: no unlocked admin account with a password or ssh key remains; nobody could administer the appliance"])
        config.accounts[0].locked = false
        config.accounts[0].passwordHash = nil
        config.accounts[0].sshKeys = []
        #expect(problems(config).count == 1)
    }

    @Test("stream rules: SSM needs a multicast group, ts-udp contradicts rtp://, shaping at 0% sends nothing")
    func streamRules() {
        var config = ApplianceConfig()
        config.streams = [
            StreamConfig(name: "a", source: .network(Fixture.media("udp://192.0.2.9@192.0.2.10:5000")),
                         destination: Fixture.media("rtp://192.0.2.20:5000"), encapsulation: .tsUDP, shaping: true, shapingCeilingPercent: 0),
        ]
        #expect(problems(config) == [
            "stream \"a\": source filter 192.0.2.9@ needs a multicast group, and 192.0.2.10 is not one",
            "stream \"a\": encapsulation ts-udp contradicts the rtp:// destination; use a udp:// destination or drop encapsulation",
            "stream \"a\": shaping with a ceiling of 0% would send nothing; raise the ceiling or turn shaping off",
        ])
    }

    @Test("interface rules: gateway inside the prefix and of the same family")
    func interfaceRules() {
        var config = ApplianceConfig()
        config.network.interfaces = [
            InterfaceConfig(name: "eth0", addressing: .static(StaticAddressing(address: Fixture.ip("192.0.2.5"), prefixLength: 24, gateway: Fixture.ip("198.51.100.1")))),
            InterfaceConfig(name: "eth1", addressing: .static(StaticAddressing(address: Fixture.ip("2001:db8::5"), prefixLength: 64, gateway: Fixture.ip("192.0.2.1")))),
        ]
        #expect(problems(config) == [
            "interface \"eth0\": gateway 198.51.100.1 is outside 192.0.2.5/24; it must be reachable on the link",
            "interface \"eth1\": gateway 192.0.2.1 is not of the same address family as 2001:db8::5",
        ])
    }

    @Test("SNMP rules: key lengths match protocols, engine ID follows RFC 3411")
    func snmpRules() {
        var config = Fixture.richConfig()
        config.snmp.users[0].authKey = LocalizedKey(octets: [1, 2, 3])
        config.snmp.engineID = SNMPEngineID(octets: [0x80, 0, 0x7e, 0xd9, 0x01, 192, 0, 2])
        #expect(problems(config) == [
            "snmp engine-id: format 1 (IPv4) needs 4 octets after the format octet",
            "snmp user \"nms\": the sha-256 auth-key must be 32 octets, not 3",
        ])
    }

    @Test("more than 8 NTP servers and a repeated one are refused")
    func ntpRules() {
        var config = ApplianceConfig()
        config.time.ntpServers = (1...9).map { Fixture.host("192.0.2.\($0)") } + [Fixture.host("192.0.2.1")]
        #expect(problems(config) == ["ntp: 10 servers; at most 8 are allowed", "ntp server 192.0.2.1: is listed twice"])
    }
}
