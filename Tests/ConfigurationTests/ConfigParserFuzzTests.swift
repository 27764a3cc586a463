import Testing
@testable import Configuration

@Suite("Configuration parser under random input")
struct ConfigParserFuzzTests {
    /// Pieces that random lines are built from: keywords, values valid and
    /// not, quotes, escapes, control and format characters.
    static let words = ["hostname", "system", "location", "contact", "banner", "login", "security", "password", "min-length",
                        "classes", "history", "expiry-days", "grace-days", "max-failures", "window", "lockout", "session",
                        "idle-timeout", "max-per-account", "account", "role", "admin", "guest", "password-hash", "changed",
                        "locked", "password-history", "ssh-key", "interface", "dhcp", "address", "gateway", "dns", "ntp",
                        "server", "logging", "remote", "port", "trust", "ca-signed", "ca-bundle", "fingerprint",
                        "client-certificate", "client-key", "retention", "days", "max-mib", "snmp", "engine-id", "user",
                        "auth", "auth-key", "priv", "priv-key", "trap-receiver", "trap", "inform", "stream", "source",
                        "destination", "encapsulation", "ts-udp", "ts-rtp", "ttl", "tos", "mtu", "shaping", "on", "off",
                        "ceiling", "autostart", "no", "cam1", "eth0", "0", "1", "65535", "65536", "0xb8", "0x", "-1",
                        "99999999999999999999", "192.0.2.1", "::", "ff3e::1", "[ff3e::1]", "192.0.2.1/24", "udp://239.1.1.1:5000",
                        "rtp://[ff3e::1]:5004", "udp://@:", "file:/srv/a.ts", "file:", "sha256:" + String(repeating: "a", count: 64),
                        "$scrypt$ln=4,r=1,p=1$AQEBAQEBAQEBAQEBAQEBAQ$AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE",
                        "$scrypt$ln=99,r=1,p=1$AA$AA", "sha-256", "aes-128", "0x" + String(repeating: "ab", count: 32),
                        "\"", "\"\"", "\"a b\"", "\"\\n\"", "\"\\q\"", "\\", "!", "\u{0}", "\u{7f}", "\u{202e}", "é", "日本",
                        "\t", "\r", "\"" + Fixture.ed25519 + "\""]

    static let validLines = ConfigRenderer.render(Fixture.richConfig()).split(separator: "\n").map(String.init)

    /// A random line: a valid line mutated, or words strung together.
    static func randomLine(_ generator: inout SplitMix64) -> String {
        var scalars: [Unicode.Scalar]
        if Bool.random(using: &generator) {
            scalars = Array(validLines.randomElement(using: &generator)!.unicodeScalars)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = scalars.isEmpty ? 0 : Int.random(in: 0..<scalars.count, using: &generator)
                switch Int.random(in: 0..<5, using: &generator) {
                case 0 where !scalars.isEmpty: scalars.remove(at: position)
                case 1: scalars.insert(Unicode.Scalar(UInt8.random(in: 0...127, using: &generator)), at: position)
                case 2 where !scalars.isEmpty: scalars[position] = Unicode.Scalar(UInt8.random(in: 32...126, using: &generator))
                case 3: scalars.insert(contentsOf: words.randomElement(using: &generator)!.unicodeScalars, at: position)
                default: scalars = Array(scalars.prefix(position))
                }
            }
        } else {
            let count = Int.random(in: 0...8, using: &generator)
            scalars = Array((0..<count).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ").unicodeScalars)
        }
        var line = String.UnicodeScalarView()
        line.append(contentsOf: scalars)
        return String(line)
    }

    @Test("2,000 random and mutated lines (fixed seed) either apply or throw an error positioned inside the line")
    func randomLinesParseOrFailWithPosition() throws {
        var generator = SplitMix64(seed: 0x5EED_C0FF_EE00_0001)
        var applied = 0, refused = 0
        var config = Fixture.richConfig()
        for _ in 0..<2000 {
            let line = Self.randomLine(&generator)
            let length = line.unicodeScalars.count
            do {
                try ConfigParser.apply(line: line, to: &config, lineNumber: 7)
                applied += 1
            } catch {
                refused += 1
                #expect(error.line == 7)
                #expect((1...length + 1).contains(error.column), "column \(error.column) outside \(line.debugDescription)")
                #expect(!error.expected.isEmpty)
            }
        }
        // Both paths must have been exercised for the test to mean anything.
        #expect(applied > 50)
        #expect(refused > 500)
        // Whatever the accepted lines built still renders and reads back the same.
        #expect(try ConfigParser.parse(ConfigRenderer.render(config)) == config)
    }

    @Test("200 random multi-line files (fixed seed) parse or fail at a line and column that exist")
    func randomFilesParseOrFailWithPosition() {
        var generator = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let lines = (0..<Int.random(in: 1...12, using: &generator)).map { _ in Self.randomLine(&generator) }
            let text = lines.joined(separator: "\n")
            do {
                let config = try ConfigParser.parse(text)
                // Whatever parses renders to text that parses to the same model.
                #expect(try ConfigParser.parse(ConfigRenderer.render(config)) == config)
            } catch {
                let physical = ConfigParser.lines(of: text)
                #expect((1...physical.count).contains(error.line))
                if (1...physical.count).contains(error.line) {
                    #expect((1...physical[error.line - 1].count + 1).contains(error.column))
                }
            }
        }
    }
}
