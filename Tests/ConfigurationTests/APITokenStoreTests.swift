import Foundation
import Testing
import TestSupport
@testable import Configuration

@Suite struct APITokenStoreTests {
    /// A secret issued matches its own entry, and only its own.
    @Test func anIssuedSecretMatchesItsEntryOnly() throws {
        var store = APITokenStore()
        var generator = SeededGenerator(seed: 1)
        let (first, secret) = try store.issue(account: "otto", label: "nms", now: 100, using: &generator)
        let (second, other) = try store.issue(account: "vera", label: "backup", now: 101, using: &generator)
        #expect(store.match(secret) == first)
        #expect(store.match(other) == second)
        #expect(secret.hasPrefix("apt_" + first.id + "_") && secret.utf8.count == 85)
    }

    /// A wrong, altered or malformed secret matches nothing, even with a known id.
    @Test func alteredOrMalformedSecretsMatchNothing() throws {
        var store = APITokenStore()
        var generator = SeededGenerator(seed: 2)
        let (_, secret) = try store.issue(account: "otto", label: "nms", now: 0, using: &generator)
        var altered = Array(secret)
        altered[altered.count - 1] = altered.last == "0" ? "1" : "0"
        for bad in [String(altered), String(secret.dropLast()), secret + "0", secret.uppercased(), "", String(repeating: "a", count: 64),
                    secret.replacingOccurrences(of: "apt_", with: "apx_"), secret.replacingOccurrences(of: "_", with: "-")] {
            #expect(store.match(bad) == nil, "\(bad)")
        }
        #expect(!APITokenStore.looksLikeSecret(String(repeating: "a", count: 64)), "a session token is not taken for an API token")
    }

    /// Revoking removes exactly that token; an account's deletion removes its tokens.
    @Test func revokedAndOrphanedTokensStopMatching() throws {
        var store = APITokenStore()
        var generator = SeededGenerator(seed: 3)
        let (a, secretA) = try store.issue(account: "otto", label: "a", now: 0, using: &generator)
        let (_, secretB) = try store.issue(account: "otto", label: "b", now: 0, using: &generator)
        let (_, secretC) = try store.issue(account: "vera", label: "c", now: 0, using: &generator)
        #expect(store.revoke(id: a.id)?.label == "a")
        #expect(store.revoke(id: a.id) == nil)
        #expect(store.match(secretA) == nil && store.match(secretB) != nil)
        #expect(store.keepOnly(accounts: ["otto"]).map(\.account) == ["vera"])
        #expect(store.match(secretC) == nil && store.match(secretB) != nil)
    }

    /// What is kept on disk holds the hash, never the secret; it round-trips.
    @Test func theStoredFormHoldsNoSecret() throws {
        var store = APITokenStore()
        var generator = SeededGenerator(seed: 4)
        let (_, secret) = try store.issue(account: "otto", label: "nms", now: 0, using: &generator)
        let encoded = try JSONEncoder().encode(store)
        let text = String(decoding: encoded, as: UTF8.self)
        #expect(!text.contains(String(secret.suffix(64))))
        let decoded = try JSONDecoder().decode(APITokenStore.self, from: encoded)
        #expect(decoded.match(secret) != nil)
    }

    /// An account holds at most perAccountLimit tokens.
    @Test func anAccountsTokensAreBounded() throws {
        var store = APITokenStore()
        var generator = SeededGenerator(seed: 5)
        for index in 0..<APITokenStore.perAccountLimit { _ = try store.issue(account: "otto", label: "t\(index)", now: 0, using: &generator) }
        #expect(throws: APITokenRefusal.self) { _ = try store.issue(account: "otto", label: "one-more", now: 0, using: &generator) }
        _ = try store.issue(account: "vera", label: "other-account", now: 0, using: &generator)
    }
}
