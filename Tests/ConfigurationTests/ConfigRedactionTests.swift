import Testing
@testable import Configuration

/// The one redaction of configuration secrets, shared by the CLI's audit
/// records and webd's answers.
@Suite struct ConfigRedactionTests {
    static let authKey = String(repeating: "a1", count: 32)
    static let privKey = String(repeating: "b2", count: 16)

    @Test func anSNMPUserLineKeepsEverythingButItsKeys() {
        let line = "snmp user nms role viewer auth sha-256 auth-key \(Self.authKey) priv aes-128 priv-key \(Self.privKey)"
        #expect(ConfigRedaction.redacted(line: line) == "snmp user nms role viewer auth sha-256 auth-key <redacted> priv aes-128 priv-key <redacted>")
    }

    @Test func quotedPasswordHashesAndAMessageQuotingTheLineAreRedacted() {
        let hash = Fixture.hash("Correct-Horse-9")
        let line = "account alice role admin password-hash \"\(hash)\" password-history \"\(hash)\""
        #expect(ConfigRedaction.redacted(line: line) == "account alice role admin password-hash \"<redacted>\" password-history \"<redacted>\"")
        // configd's parser error quotes the word found; webd redacts it with the lines it sent.
        let message = "expected a 32-octet localized key for sha-256 (64 hex digits), found \"\(Self.authKey)\""
        #expect(ConfigRedaction.redacted(message, secretsOf: ["snmp user x auth-key \(Self.authKey)"])
            == "expected a 32-octet localized key for sha-256 (64 hex digits), found \"<redacted>\"")
        // A line the lexer would refuse (an unclosed quote elsewhere) is still redacted.
        #expect(ConfigRedaction.redacted(line: "snmp user x\" auth-key \(Self.authKey) priv-key").contains("<redacted>"))
    }

    /// The secret keywords are exactly the words the renderer writes only
    /// when secrets are disclosed, and every rendered secret is redacted.
    @Test func theSecretKeywordsAreTheWordsTheRendererWithholds() {
        let config = Fixture.richConfig()
        let withSecrets = ConfigRenderer.render(config, secrets: .all)
        let without = ConfigRenderer.render(config, secrets: .none)
        func keywords(_ text: String) -> Set<String> {
            Set(text.split(separator: "\n").flatMap { $0.split(separator: " ").map(String.init) }.filter { $0.hasSuffix("-key") || $0.hasPrefix("password-") })
        }
        #expect(keywords(withSecrets).subtracting(keywords(without)) == ConfigRedaction.secretKeywords)
        let secrets = config.accounts.flatMap { [$0.passwordHash].compactMap { $0 } + $0.passwordHistory }
            + config.snmp.users.flatMap { [$0.authKey.hex, $0.privKey.hex] }
        #expect(!secrets.isEmpty)
        for line in withSecrets.split(separator: "\n").map(String.init) {
            let redacted = ConfigRedaction.redacted(line: line)
            for secret in secrets { #expect(!redacted.contains(secret), "\(redacted)") }
        }
    }
}
