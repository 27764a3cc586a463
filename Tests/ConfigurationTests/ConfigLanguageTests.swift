#if canImport(FoundationEssentials)
import ApplianceProtocol
@testable import ConfigDaemon
import FoundationEssentials
#else
import Foundation
#endif
import Testing
@testable import Configuration

@Suite("Configuration language")
struct ConfigLanguageTests {
    @Test("render → parse gives back the same rich configuration, and rendering again gives the same text")
    func richConfigRoundTrips() throws {
        let config = Fixture.richConfig()
        #expect(ConfigValidator().problems(in: config) == [])
        let text = ConfigRenderer.render(config)
        let parsed = try ConfigParser.parse(text)
        #expect(parsed == config)
        #expect(ConfigRenderer.render(parsed) == text)
    }

    @Test("the rich configuration's rendering uses every command of the language")
    func richConfigUsesEveryCommand() {
        let text = ConfigRenderer.render(Fixture.richConfig())
        for prefix in ["hostname ", "system location ", "system contact ", "banner login ",
                       "security password min-length 14 classes 4 history 10 expiry-days 90 grace-days 7",
                       "security login max-failures 3 window 600 lockout 0",
                       "security session idle-timeout 1200 max-per-account 2",
                       "account admin role admin password-hash \"$scrypt$ln=4,r=1,p=1$", "account admin password-history ",
                       "account admin ssh-key \"ssh-ed25519 ", "account alice role operator password-hash", " locked\n",
                       "interface eth0 address 192.0.2.5/24 gateway 192.0.2.1 dns 192.0.2.53 dns 2001:db8::53",
                       "interface eth1 dhcp", "ntp server ntp.example.net",
                       "logging remote collector.example.net trust fingerprint sha256:abab",
                       "logging remote 2001:db8::514 port 10514 trust ca-signed ca-bundle \"/etc/appliance/ca bundle.pem\" permitted-peer collector.example.net client-certificate /etc/appliance/client.crt client-key /etc/appliance/client.key",
                       "logging retention days 90 max-mib 512", "snmp engine-id 0x80007ed904656e632d3031",
                       "snmp user nms role viewer auth sha-256 auth-key 0x0102", "priv aes-128 priv-key 0x6566",
                       "snmp trap-receiver 192.0.2.10 user nms inform", "snmp trap-receiver nms.example.net port 1162 user ops trap",
                       "stream cam1 source file:/srv/cam1.ts destination rtp://239.1.1.1:5000 shaping ceiling 10 autostart",
                       "stream cam2 source udp://192.0.2.99@232.1.1.2:6000 destination udp://198.51.100.7:7000 encapsulation ts-rtp ttl 16 tos 0x88 mtu 9000 interface eth1 shaping off ceiling 25",
                       "stream cam-3 source rtp://[2001:db8::99]@[ff3e::8000:1]:5004 destination rtp://[ff3e::1234]:5004 encapsulation ts-rtp mtu 1400",
                       "stream spaces source \"file:/srv/my clips/a.ts\""] {
            #expect(text.contains(prefix), "missing: \(prefix)")
        }
    }

    @Test("hand-written text with comments, CRLF, tabs, hex numbers, guest and option order parses to the same model")
    func handWrittenTextParses() throws {
        let text = """
        ! running configuration\r
        hostname enc-01\r
        \tsystem location "Truck 3, bay 2"   \r

        account ops role guest ssh-key "\(Fixture.ed25519)"
        stream cam1 destination rtp://239.1.1.1:5000 tos 184 ttl 0x40 source file:/srv/cam1.ts autostart
        """
        let config = try ConfigParser.parse(text)
        #expect(config.system.hostname == "enc-01")
        #expect(config.system.location == "Truck 3, bay 2")
        #expect(config.accounts == [Account(name: "ops", role: .viewer, sshKeys: [Fixture.key(Fixture.ed25519)])])
        #expect(config.streams == [StreamConfig(name: "cam1", source: .file(path: "/srv/cam1.ts"),
                                                destination: Fixture.media("rtp://239.1.1.1:5000"), autostart: true)])
        #expect(ConfigRenderer.render(config).contains("account ops role viewer\naccount ops ssh-key \"ssh-ed25519 "))
    }

    @Test("the factory configuration renders as nothing and parses from nothing")
    func factoryDefaultsRenderEmpty() throws {
        #expect(ConfigRenderer.render(ApplianceConfig()) == "")
        #expect(try ConfigParser.parse("") == ApplianceConfig())
        #expect(try ConfigParser.parse("! only a comment\n\n") == ApplianceConfig())
    }

    @Test("no-commands remove objects and reset settings to their defaults")
    func noCommandsResetAndRemove() throws {
        var config = Fixture.richConfig()
        for line in ["no hostname", "no system location", "no system contact", "no banner login",
                     "no security password", "no security login window", "no security login", "no security session idle-timeout max-per-account",
                     "no account alice", "no account admin password-history", "no account admin ssh-key \"\(Fixture.rsa2048)\"",
                     "no account nms_ro ssh-key \"\(Fixture.p384)\"",
                     "no interface eth2.100", "no ntp server NTP.example.net", "no logging remote 2001:db8::514 port 10514",
                     "no logging retention days", "no snmp engine-id", "no snmp trap-receiver nms.example.net port 1162",
                     "no snmp user ops", "no stream cam-3", "no stream cam2 ttl", "no stream cam2 tos", "no stream cam2 mtu",
                     "no stream cam2 interface", "no stream cam2 shaping", "no stream cam2 encapsulation", "no stream cam1 autostart"] {
            try ConfigParser.apply(line: line, to: &config)
        }
        #expect(config.system == SystemSettings())
        #expect(config.policy == SecurityPolicy())
        #expect(config.accounts.map(\.name) == ["admin", "nms_ro"])
        #expect(config.accounts[0].passwordHistory.isEmpty)
        #expect(config.accounts[0].sshKeys == [Fixture.key(Fixture.ed25519)])
        #expect(config.accounts[1].sshKeys.count == 2)
        #expect(config.network.interfaces.map(\.name) == ["eth0", "eth1"])
        #expect(config.time.ntpServers == [Fixture.host("192.0.2.1"), Fixture.host("2001:db8::123")])
        #expect(config.audit.remoteDestinations.count == 1)
        #expect(config.audit.retention == LogRetention(days: nil, maxMiB: 512))
        #expect(config.snmp.engineID == nil)
        #expect(config.snmp.users.map(\.name) == ["nms"])
        #expect(config.snmp.trapReceivers.count == 1)
        #expect(config.streams.map(\.name) == ["cam1", "cam2", "spaces"])
        #expect(config.streams[1] == StreamConfig(name: "cam2", source: config.streams[1].source,
                                                  destination: Fixture.media("udp://198.51.100.7:7000")))
        #expect(config.streams[0].autostart == false)
    }

    @Test("a stream line for an existing stream changes only what it names")
    func streamLineChangesOnlyWhatItNames() throws {
        var config = Fixture.richConfig()
        try ConfigParser.apply(line: "stream cam2 ttl 32", to: &config)
        var expected = Fixture.richConfig()
        expected.streams[1].ttl = 32
        #expect(config == expected)
    }

    @Test("apply(line:) leaves the configuration untouched when the line fails halfway")
    func failedLineLeavesConfigUntouched() {
        var config = Fixture.richConfig()
        #expect(throws: ConfigSyntaxError.self) {
            try ConfigParser.apply(line: "stream cam2 ttl 32 mtu 100", to: &config)
        }
        #expect(config == Fixture.richConfig())
    }

    @Test("rendering for people and other daemons never carries password hashes, and SNMP keys only for snmpd")
    func renderingStripsSecrets() throws {
        let config = Fixture.richConfig()
        let forPeople = ConfigRenderer.render(config, secrets: .none)
        #expect(!forPeople.contains("password-hash") && !forPeople.contains("password-history") && !forPeople.contains("$scrypt$"))
        #expect(!forPeople.contains("auth-key") && !forPeople.contains("priv-key"))
        #expect(forPeople.contains("snmp user nms role viewer auth sha-256 priv aes-128"))
        for service in ApplianceService.allCases {
            let text = ConfigRenderer.render(config, for: service)
            #expect(!text.contains("$scrypt$") && !text.split(separator: "\n").contains { $0.hasPrefix("account ") }, "\(service)")
            #expect(text.contains("auth-key") == (service == .snmpd), "\(service)")
        }
        let snmpd = ConfigRenderer.render(config, for: .snmpd)
        #expect(try ConfigParser.parse(snmpd) == config.view(for: .snmpd))
    }

    @Test("ConfigDiff lists removed and added command lines between startup and running configurations")
    func diffShowsAddedAndRemovedLines() throws {
        let startup = Fixture.richConfig()
        var running = startup
        try ConfigParser.apply(line: "stream cam1 ttl 8", to: &running)
        try ConfigParser.apply(line: "ntp server 192.0.2.2", to: &running)
        try ConfigParser.apply(line: "no snmp trap-receiver 192.0.2.10", to: &running)
        let diff = ConfigDiff(from: startup, to: running)
        #expect(diff.removed == [
            "snmp trap-receiver 192.0.2.10 user nms inform",
            "stream cam1 source file:/srv/cam1.ts destination rtp://239.1.1.1:5000 shaping ceiling 10 autostart",
        ])
        #expect(diff.added == [
            "ntp server 192.0.2.2",
            "stream cam1 source file:/srv/cam1.ts destination rtp://239.1.1.1:5000 ttl 8 shaping ceiling 10 autostart",
        ])
        #expect(diff.description.contains("- stream cam1 source file:/srv/cam1.ts destination rtp://239.1.1.1:5000 shaping ceiling 10 autostart\n+ stream cam1"))
        #expect(ConfigDiff(from: startup, to: startup).isEmpty)
        #expect(!diff.description.contains("$scrypt$"))
    }

    @Test("JSON encoding round-trips the model, and decoding reads guest as viewer")
    func jsonRoundTripsAndAcceptsGuest() throws {
        let config = Fixture.richConfig()
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(ApplianceConfig.self, from: data) == config)
        #expect(try JSONDecoder().decode([Role].self, from: Data(#"["guest","operator"]"#.utf8)) == [.viewer, .operator])
        #expect(String(decoding: try JSONEncoder().encode([Role.viewer]), as: UTF8.self) == #"["viewer"]"#)
    }
}
