import ApplianceProtocol
import ConfigDaemon
import TestSupport
import Configuration

/// Shared test material: real ssh keys (made with ssh-keygen), a cheap scrypt
/// cost, and a configuration that uses every command of the language.
enum Fixture {
    static let ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOctUuGeb+kS6t3yn6PUJ0r8N7QyYVnZDhTQmBZMrg3i alice@laptop"
    static let ed25519Fingerprint = "SHA256:iwgmvPEWtijBBro7cAmGmlVvLKs6abCAIOd4g5ruCR4"
    static let p256 = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBLZAhdgUqBRAgSKJosOXNzlvOhWZ4oiIhWxHMQ9n2sSiphpk0N1UUL3KQshKgnHxb5kOBX3cVKsgRqkiYBgYygs= ops@jump"
    static let p384 = "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBD+ACCWzl9MQzL7AMy6v1GL+5OPb4Ers3+EcK7lFTLO32zqSzyhZ5V3g3kzTdJ54BFpa/jMVJQ1j1JbkZvzdhrR/CowJvUi2Cexy4eINVqXiuufg/k1vf8p5SapVLC9jMA=="
    static let p521 = "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBADidVLWDu+rWOfY9gQHzNByZs2Um+BE+NSS2TBpGP4AWKxxDZOKtO+GM4Mu55SlFBydW9fK/S3dJev6Q7ZrHpNlNgDTap7tKXeVP8P6n6OcEuBCvtY3lmWBsppnIu/Dak7eOL05TxT/4t35m66lPc2zEi4bIZZdWyqlkz2I9IP/ifxAfA== p521 key"
    static let rsa2048 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0ECLQ2W/kJW+xrMGIN0zTOcFoyqxySNl1H1GZpBjIc/DWZ/ssh+eNExXNdWv9gvO7QRT8konYsA6NzKdLqYIQX05Lp6c5xUrcNSpc+Zox8uQFRm9aebaEWnNN4MxM8uVpTLaiydbdCBJjImiYkNwJiG2vEJ9KlrHZdcGLYHYKdltPI77afRH08ANoEIqkmpkb2fECd/Vn1UlsEteSHxxRQjT1n1k6IsVpkDrqk8lw+cHuQk8TGl7LVyzXBE72HpDfVnDuFvqQFoGlJE1mCTVuJN0Ap0w6P6VLzNNFxtVQ8sDFIckBoVW89dvpHl5+jgj2GV7smHrWgQSdF4alrzKv rsa@old"
    static let rsa1024 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCwyogUFodt8dTI39FkgYAL1QX0CBlZJy0jRD+GK82967ivnc19yTTdsgoA6oYuV0gJtbAoPk0TeI1GOGMvFXjzMkefg1H3cdDI22YEDg/lE9IRc/PyH4W//rfhgX2pY29BIIc33gRIIxEPqMWbpYlW66RTuE5FabX8PhHSF5+xtw== weak"

    /// N = 16: fast enough for hundreds of hashes in a unit test.
    static let cheapCost = ScryptCost(logN: 4, blockSize: 1, parallelism: 1)
    static let hasher = PasswordHasher(cost: cheapCost)

    /// A deterministic hash of `password` at the cheap cost.
    static func hash(_ password: String, saltByte: UInt8 = 1) -> String {
        try! hasher.hash(password, salt: [UInt8](repeating: saltByte, count: 16))
    }

    static func key(_ line: String) -> SSHPublicKey { try! SSHPublicKey(line) }
    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }
    static func host(_ text: String) -> NetworkHost { NetworkHost(text)! }
    static func media(_ text: String) -> MediaAddress { MediaAddress(text)! }

    /// A configuration with every kind of object and every non-default setting.
    static func richConfig() -> ApplianceConfig {
        var config = ApplianceConfig()
        config.system = SystemSettings(hostname: "enc-01", location: "Truck 3, bay 2 \"north\"",
                                       contact: "NOC +44 20 7946 0000 \\ desk", loginBanner: "Authorised use only.\nAll activity is logged.")
        config.policy.passwordMinLength = 14
        config.policy.passwordRequiredClasses = 4
        config.policy.passwordHistoryDepth = 10
        config.policy.passwordExpiryDays = 90
        config.policy.passwordExpiryGraceDays = 7
        config.policy.loginMaxFailures = 3
        config.policy.loginFailureWindowSeconds = 600
        config.policy.lockoutSeconds = 0
        config.policy.sessionIdleTimeoutSeconds = 1200
        config.policy.maxSessionsPerAccount = 2
        config.accounts = [
            Account(name: "admin", role: .admin, passwordHash: hash("Adm1n-password!"), passwordChangedAt: 1_763_700_000,
                    passwordHistory: [hash("old-Passw0rd-1", saltByte: 2), hash("old-Passw0rd-2", saltByte: 3)],
                    sshKeys: [key(ed25519), key(rsa2048)]),
            Account(name: "alice", role: .operator, locked: true, passwordHash: hash("Alice-Passw0rd", saltByte: 4)),
            Account(name: "nms_ro", role: .viewer, sshKeys: [key(p256), key(p384), key(p521)]),
        ]
        config.network.interfaces = [
            InterfaceConfig(name: "eth0", addressing: .static(StaticAddressing(address: ip("192.0.2.5"), prefixLength: 24,
                gateway: ip("192.0.2.1"), dnsServers: [ip("192.0.2.53"), ip("2001:db8::53")]))),
            InterfaceConfig(name: "eth1", addressing: .dhcp),
            InterfaceConfig(name: "eth2.100", addressing: .static(StaticAddressing(address: ip("2001:db8:0:1::10"), prefixLength: 64))),
        ]
        config.time.ntpServers = [host("192.0.2.1"), host("ntp.example.net"), host("2001:db8::123")]
        config.audit = AuditSettings(remoteDestinations: [
            SyslogDestination(host: host("collector.example.net"), trust: .fingerprint(CertificateFingerprint("sha256:" + String(repeating: "ab", count: 32))!)),
            SyslogDestination(host: host("2001:db8::514"), port: 10514, trust: .caSigned(bundlePath: "/etc/appliance/ca bundle.pem"),
                              clientCertificatePath: "/etc/appliance/client.crt", clientKeyPath: "/etc/appliance/client.key",
                              permittedPeer: host("collector.example.net")),
        ], retention: LogRetention(days: 90, maxMiB: 512))
        config.snmp = SNMPSettings(
            engineID: SNMPEngineID(octets: [0x80, 0x00, 0x7e, 0xd9, 0x04] + Array("enc-01".utf8)),
            users: [
                USMUser(name: "nms", role: .viewer, authProtocol: .sha256, authKey: LocalizedKey(octets: Array(1...32)),
                        privProtocol: .aes128, privKey: LocalizedKey(octets: Array(101...116))),
                USMUser(name: "ops", role: .operator, authProtocol: .sha512, authKey: LocalizedKey(octets: Array(1...64)),
                        privProtocol: .aes256, privKey: LocalizedKey(octets: Array(201...232))),
            ],
            trapReceivers: [
                TrapReceiver(host: host("192.0.2.10"), user: "nms", kind: .inform),
                TrapReceiver(host: host("nms.example.net"), port: 1162, user: "ops", kind: .trap),
            ])
        config.streams = [
            StreamConfig(name: "cam1", source: .file(path: "/srv/cam1.ts"), destination: media("rtp://239.1.1.1:5000"),
                         shaping: true, shapingCeilingPercent: 10, autostart: true),
            StreamConfig(name: "cam2", source: .network(media("udp://192.0.2.99@232.1.1.2:6000")), destination: media("udp://198.51.100.7:7000"),
                         encapsulation: .tsRTP, ttl: 16, tos: 0x88, mtu: 9000, outputInterface: "eth1",
                         shaping: false, shapingCeilingPercent: 25),
            StreamConfig(name: "cam-3", source: .network(media("rtp://[2001:db8::99]@[ff3e::8000:1]:5004")),
                         destination: media("rtp://[ff3e::1234]:5004"), encapsulation: .tsRTP, mtu: 1400),
            StreamConfig(name: "spaces", source: .file(path: "/srv/my clips/a.ts"), destination: media("udp://203.0.113.9:1234"),
                         encapsulation: .tsUDP),
        ]
        return config
    }
}

/// The shared seeded generator (Tests/TestSupport).
typealias SplitMix64 = SeededGenerator
