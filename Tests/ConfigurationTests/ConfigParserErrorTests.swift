import Testing
@testable import Configuration

@Suite("Configuration parser errors")
struct ConfigParserErrorTests {
    /// Parses `text` and returns the error's message (or "no error").
    private func message(_ text: String) -> String {
        do {
            _ = try ConfigParser.parse(text)
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test("an out-of-range ttl names line, column of the value, the range and the word found")
    func ttlOutOfRange() throws {
        let text = """
        hostname enc-01
        ! streams
        stream cam1 source file:/a.ts destination udp://192.0.2.1:5000 ttl 300
        """
        let error = try #require(throws: ConfigSyntaxError.self) { try ConfigParser.parse(text) }
        #expect(error == ConfigSyntaxError(line: 3, column: 68, expected: "a number 1-255 for ttl", found: "300"))
        #expect(error.description == "line 3, column 68: expected a number 1-255 for ttl, found \"300\"")
    }

    @Test("malformed lines give the exact position and expectation", arguments: [
        ("frobnicate on", "line 1, column 1: expected a command (hostname, system, banner, security, account, interface, ntp, logging, snmp, stream), found \"frobnicate\""),
        ("hostname -bad-", "line 1, column 10: expected an RFC 1123 host name label: 1-63 letters, digits or hyphens, not starting or ending with a hyphen, found \"-bad-\""),
        ("hostname", "line 1, column 9: expected an RFC 1123 host name label: 1-63 letters, digits or hyphens, not starting or ending with a hyphen, found end of line"),
        ("hostname a b", "line 1, column 12: expected end of line, found \"b\""),
        ("system location \"Truck 3", "line 1, column 25: expected a closing quote for the string opened at column 17, found end of line"),
        ("banner login \"a\\tb\"", "line 1, column 16: expected an escape \\\", \\\\ or \\n, found \"\\\\t\""),
        ("system contact \"x\"y", "line 1, column 19: expected a space after the closing quote, found \"y\""),
        ("security password min-length 7", "line 1, column 30: expected a number 8-128 for password min-length, found \"7\""),
        ("security login max-failures 5 max-failures 6", "line 1, column 31: expected \"max-failures\" at most once per line, found \"max-failures\""),
        ("account Alice role admin", "line 1, column 9: expected an account name (1-32 lowercase letters, digits, '-' or '_', starting with a letter), found \"Alice\""),
        ("account bob role root", "line 1, column 18: expected a role (admin, operator or viewer), found \"root\""),
        ("account bob password-hash \"$5$abc\"", "line 1, column 27: expected a password hash \"$scrypt$ln=N,r=N,p=N$SALT$HASH\", found \"$5$abc\""),
        ("stream cam1 ttl 5", "line 1, column 18: expected source and destination for the new stream \"cam1\", found end of line"),
        ("stream cam1 source file:/a.ts destination udp://192.0.2.1:0", "line 1, column 43: expected a destination, udp://HOST:PORT or rtp://HOST:PORT (IPv6 in brackets), found \"udp://192.0.2.1:0\""),
        ("stream cam1 source file:/a.ts destination udp://192.0.2.9@232.1.1.1:5000", "line 1, column 43: expected a destination, udp://HOST:PORT or rtp://HOST:PORT (IPv6 in brackets) without SOURCE@ (a source filter is for inputs), found \"udp://192.0.2.9@232.1.1.1:5000\""),
        ("stream cam1 source file:relative.ts", "line 1, column 20: expected a source, file:/ABSOLUTE/PATH, udp://[SOURCE@]HOST:PORT or rtp://[SOURCE@]HOST:PORT, found \"file:relative.ts\""),
        ("no stream cam9", "line 1, column 11: expected the name of an existing stream, found \"cam9\""),
        ("snmp user nms role viewer auth sha-256 auth-key 0x0102 priv aes-128 priv-key 0x00112233445566778899aabbccddeeff", "line 1, column 49: expected a 32-octet localized key for sha-256 (64 hex digits), found \"0x0102\""),
        ("snmp user nms role viewer auth md5", "line 1, column 32: expected an authentication protocol (sha-1, sha-224, sha-256, sha-384, sha-512), found \"md5\""),
        ("snmp trap-receiver 192.0.2.10 port 162", "line 1, column 39: expected user NAME (the SNMP user whose keys protect the notifications), found end of line"),
        ("snmp engine-id 0x0000000000", "line 1, column 16: expected an RFC 3411 engine ID (this one must not be all zeros or all 0xff (RFC 3411 §5)), found \"0x0000000000\""),
        ("logging remote 192.0.2.300", "line 1, column 16: expected an IPv4 address, an IPv6 address or an RFC 1123 host name, found \"192.0.2.300\""),
        ("logging remote log.example.net trust fingerprint sha256:abcd", "line 1, column 50: expected a certificate fingerprint, sha256: followed by 64 hex digits (colons between octets allowed), found \"sha256:abcd\""),
        ("interface eth0 address 192.0.2.5/33", "line 1, column 24: expected an address with prefix length, like 192.0.2.5/24 or 2001:db8::5/64, found \"192.0.2.5/33\""),
        ("account bob ssh-key \"\(Fixture.rsa1024)\"", "line 1, column 21: expected an ssh public key (the ssh-rsa key has 1024 bits; at least 2048 are required), found \"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQCwyogUFodt8dTI39FkgYAL...\""),
        ("hostname enc\u{7}01", "line 1, column 13: expected printable text (write a newline inside quotes as \\n), found \"U+7\""),
        ("system location \"a\u{202E}b\"", "line 1, column 19: expected printable text (write a newline inside quotes as \\n), found \"U+202E\""),
        ("no", "line 1, column 3: expected a command to undo (hostname, system, banner, security, account, interface, ntp, logging, snmp, stream), found end of line"),
    ])
    func malformedLine(line: String, expected: String) {
        #expect(message(line) == expected)
    }

    @Test("an error on a later line of a file names that line")
    func errorNamesLaterLine() {
        let text = "hostname enc-01\nntp server 192.0.2.1\n\n! x\nntp server 192.0.2.1 prefer\n"
        #expect(message(text) == "line 5, column 22: expected end of line, found \"prefer\"")
    }

    @Test("a configuration over 1 MiB is refused before it is read")
    func oversizedTextRefused() {
        let text = String(repeating: "! padding padding padding padding\n", count: 40_000)
        #expect(message(text).hasPrefix("line 1, column 1: expected a configuration of at most 1 MiB"))
    }
}
