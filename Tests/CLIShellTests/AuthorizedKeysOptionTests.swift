import Testing
@testable import CLIShell

/// sshd's forced command for a development root is written inside
/// `command="…"`: a quote, backslash or control character in it (by Unicode
/// scalar: `"` followed by a combining mark is one Swift Character) would end
/// the option early or break the line, so such a command is refused.
@Suite struct AuthorizedKeysOptionTests {
    @Test func aCommandWithAQuoteBackslashOrControlCharacterIsRefused() {
        #expect(AuthorizedKeys.commandOption("/usr/bin/cli --root /srv/dev --account alice") == "command=\"/usr/bin/cli --root /srv/dev --account alice\"")
        for root in ["/srv/a\"", "/srv/a\"\u{301},permitopen=*:*", "/srv/a\\\u{301}", "/srv/a\n\u{301}ssh-ed25519 AAAA", "/srv/a\u{7F}"] {
            #expect(AuthorizedKeys.commandOption("/usr/bin/cli --root \(root) --account alice") == nil, "\(root.debugDescription)")
        }
    }
}
