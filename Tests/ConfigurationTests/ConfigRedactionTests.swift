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

    /// A misspelt secret keyword (a line the language refuses) still keeps
    /// its value out of the audit trail; the words the language uses beside
    /// them (`auth`, `priv`, their algorithms, names) are kept.
    @Test func aMisspeltSecretKeywordStillWithholdsTheNextWord() {
        #expect(ConfigRedaction.redacted(line: "snmp user nms auth sha-256 auth-ky \(Self.authKey) priv aes-128 privkey \(Self.privKey)")
                == "snmp user nms auth sha-256 auth-ky <redacted> priv aes-128 privkey <redacted>")
        #expect(ConfigRedaction.redacted(line: "account bob password Correct-Horse-9") == "account bob password <redacted>")
        #expect(ConfigRedaction.redacted(line: "account bob Pasword-Hash \"$scrypt$x\"") == "account bob Pasword-Hash \"<redacted>\"")
        for kept in ["stream cam1 ttl 8 tos 184", "snmp user nms role viewer auth sha-256 priv aes-128", "hostname auth-key", "account bob role operator"] {
            #expect(ConfigRedaction.redacted(line: kept) == kept)
        }
        #expect(ConfigRedaction.editDistance("auth-ky", "auth-key", atMost: 2) == 1)
        #expect(ConfigRedaction.editDistance("priv", "priv-key", atMost: 2) == 3)
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
