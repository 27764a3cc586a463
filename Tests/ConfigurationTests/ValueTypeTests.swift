#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
@testable import Configuration

@Suite("Addresses, keys and identifiers")
struct ValueTypeTests {
    @Test("IPv6 addresses render in RFC 5952 canonical form", arguments: [
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("::", "::"), ("::1", "::1"), ("ff3e::8000:0001", "ff3e::8000:1"), ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
    ])
    func ipv6Canonical(input: String, canonical: String) throws {
        #expect(try #require(IPAddress(input)).description == canonical)
    }

    @Test("malformed addresses are refused", arguments: ["", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1", "1:2:3:4:5:6:7:8:9",
                                                         "1::2::3", ":::", "fe80::1%eth0", "12345::", "g::1", "1:2:3:4:5:6:7:8::"])
    func malformedAddresses(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test("prefix matching and multicast classification")
    func prefixesAndMulticast() {
        #expect(Fixture.ip("192.0.2.200").sharesPrefix(with: Fixture.ip("192.0.2.1"), length: 24))
        #expect(!Fixture.ip("192.0.3.1").sharesPrefix(with: Fixture.ip("192.0.2.1"), length: 24))
        #expect(Fixture.ip("192.0.3.1").sharesPrefix(with: Fixture.ip("192.0.2.1"), length: 23))
        #expect(Fixture.ip("239.1.1.1").isMulticast && Fixture.ip("ff02::1").isMulticast && !Fixture.ip("192.0.2.1").isMulticast)
    }

    @Test("media addresses: schemes, brackets for IPv6, SSM source, no port 0")
    func mediaAddresses() {
        #expect(MediaAddress("rtp://[FF3E::1234]:5004")?.description == "rtp://[ff3e::1234]:5004")
        #expect(MediaAddress("udp://192.0.2.9@232.1.1.1:5000")?.sourceFilter == Fixture.ip("192.0.2.9"))
        for bad in ["udp://192.0.2.1:0", "udp://192.0.2.1", "http://192.0.2.1:80", "udp://ff3e::1:5000", "udp://[192.0.2.1]:5",
                    "udp://host.example:5000", "udp://192.0.2.1:65536", "udp://192.0.2.1:05"] {
            #expect(MediaAddress(bad) == nil, "\(bad)")
        }
    }

    @Test("every accepted ssh key type parses and re-renders to the same line")
    func sshKeysRoundTrip() throws {
        for line in [Fixture.ed25519, Fixture.p256, Fixture.p521, Fixture.rsa2048] {
            #expect(try SSHPublicKey(line).description == line)
        }
        #expect(try SSHPublicKey(Fixture.p384).comment == nil)
        #expect(try SSHPublicKey(Fixture.ed25519).fingerprint == Fixture.ed25519Fingerprint)
    }

    @Test("ssh keys are refused for a bad type, bad base64, a mismatched embedded type, a truncated blob or a short RSA modulus")
    func sshKeysRefused() {
        let ed25519Blob = Fixture.ed25519.split(separator: " ")[1]
        let p256Blob = Fixture.p256.split(separator: " ")[1]
        let cases: [(String, String)] = [
            ("ssh-dss AAAA", "key type \"ssh-dss\" is not accepted"),
            ("ssh-ed25519 !!!!", "the key data is not valid base64"),
            ("ssh-rsa \(ed25519Blob)", "the key data does not hold a ssh-rsa key"),
            ("ecdsa-sha2-nistp384 \(p256Blob)", "the key data does not hold a ecdsa-sha2-nistp384 key"),
            ("ssh-ed25519 \(ed25519Blob.dropLast(4))", "the ssh-ed25519 key must hold a 32-octet public key"),
            (Fixture.rsa1024, "the ssh-rsa key has 1024 bits; at least 2048 are required"),
            ("ssh-ed25519", "expected \"TYPE BASE64 [COMMENT]\""),
        ]
        for (line, message) in cases {
            #expect(throws: SSHKeyError.self) { try SSHPublicKey(line) }
            do {
                _ = try SSHPublicKey(line)
            } catch {
                #expect(error.message.hasPrefix(message), "\(line): \(error.message)")
            }
        }
    }

    @Test("an ECDSA key whose point is not on the curve is refused")
    func ecdsaPointChecked() throws {
        let blob = try #require(Data(base64Encoded: String(Fixture.p256.split(separator: " ")[1])))
        var bytes = [UInt8](blob)
        bytes[bytes.count - 1] ^= 0x01
        let line = "ecdsa-sha2-nistp256 " + Data(bytes).base64EncodedString()
        #expect(throws: SSHKeyError("the ecdsa-sha2-nistp256 key's point is not on the nistp256 curve")) { try SSHPublicKey(line) }
    }

    @Test("names, host names and interface names follow their rules")
    func nameRules() {
        #expect(ConfigName.isValid("cam-1_a") && !ConfigName.isValid("1cam") && !ConfigName.isValid("Cam") && !ConfigName.isValid(String(repeating: "a", count: 33)))
        #expect(SystemSettings.isValidHostname("9enc") && !SystemSettings.isValidHostname("enc.01") && !SystemSettings.isValidHostname(String(repeating: "a", count: 64)))
        #expect(NetworkHost("Collector.Example.NET")?.description == "collector.example.net")
        #expect(NetworkHost("1.2.3.999") == nil && NetworkHost("a..b") == nil)
        #expect(InterfaceConfig.isValidName("eth0.100") && !InterfaceConfig.isValidName("eth0/1") && !InterfaceConfig.isValidName("averyveryverylong0"))
    }

    @Test("engine IDs follow RFC 3411 §5 formats")
    func engineIDFormats() {
        #expect(SNMPEngineID(octets: [0x80, 0, 0x7e, 0xd9, 3, 0, 1, 2, 3, 4, 5]).formatProblem == nil)
        #expect(SNMPEngineID(octets: [0x00, 0, 0x7e, 0xd9, 1, 2, 3, 4, 5, 6, 7, 8]).formatProblem == nil)
        #expect(SNMPEngineID(octets: [0x00, 0, 0x7e, 0xd9, 1]).formatProblem != nil)
        #expect(SNMPEngineID(octets: [0x80, 0, 0x7e, 0xd9, 7, 1]).formatProblem == "format 7 is reserved (RFC 3411 §5)")
        #expect(SNMPEngineID(octets: Array(repeating: 0xff, count: 8)).formatProblem != nil)
    }
}
