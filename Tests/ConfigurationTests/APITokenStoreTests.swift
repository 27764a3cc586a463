import ApplianceProtocol
@testable import ConfigDaemon
import Foundation
import Testing
import TestSupport
@testable import Configuration

@Suite struct APITokenStoreTests {
    /// A secret issued matches its own entry, and only its own.
    @Test func anIssuedSecretMatchesItsEntryOnly() throws {
        var store = APITokenStore()
        var generator = SeededGenerator(seed: 1)
        let (first, secret) = try store.issue(account: "otto", accountID: "0000000000000001", label: "nms", now: 100, using: &generator)
        let (second, other) = try store.issue(account: "vera", accountID: "0000000000000002", label: "backup", now: 101, using: &generator)
        #expect(store.match(secret) == first)
        #expect(store.match(other) == second)
        #expect(secret.hasPrefix("apt_" + first.id + "_") && secret.utf8.count == 85)
    }

    /// A wrong, altered or malformed secret matches nothing, even with a known id.
    @Test func alteredOrMalformedSecretsMatchNothing() throws {
        var store = APITokenStore()
        var generator = SeededGenerator(seed: 2)
        let (_, secret) = try store.issue(account: "otto", accountID: "0000000000000001", label: "nms", now: 0, using: &generator)
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
        let (a, secretA) = try store.issue(account: "otto", accountID: "0000000000000001", label: "a", now: 0, using: &generator)
        let (_, secretB) = try store.issue(account: "otto", accountID: "0000000000000001", label: "b", now: 0, using: &generator)
        let (_, secretC) = try store.issue(account: "vera", accountID: "0000000000000002", label: "c", now: 0, using: &generator)
        #expect(store.revoke(id: a.id)?.label == "a")
        #expect(store.revoke(id: a.id) == nil)
        #expect(store.match(secretA) == nil && store.match(secretB) != nil)
        #expect(store.keepOnly(accountIDs: ["0000000000000001"]).map(\.account) == ["vera"])
        #expect(store.match(secretC) == nil && store.match(secretB) != nil)
    }

    /// What is kept on disk holds the hash, never the secret; it round-trips.
    @Test func theStoredFormHoldsNoSecret() throws {
        var store = APITokenStore()
        var generator = SeededGenerator(seed: 4)
        let (_, secret) = try store.issue(account: "otto", accountID: "0000000000000001", label: "nms", now: 0, using: &generator)
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
        for index in 0..<APITokenStore.perAccountLimit { _ = try store.issue(account: "otto", accountID: "0000000000000001", label: "t\(index)", now: 0, using: &generator) }
        #expect(throws: APITokenRefusal.self) { _ = try store.issue(account: "otto", accountID: "0000000000000001", label: "one-more", now: 0, using: &generator) }
        _ = try store.issue(account: "vera", accountID: "0000000000000002", label: "other-account", now: 0, using: &generator)
    }

    /// A token is bound to its account's id: pruning by id removes the
    /// token of a deleted account even when an account of the same name
    /// exists again with another id.
    @Test func aTokenIsBoundToTheAccountIdNotTheName() throws {
        var store = APITokenStore()
        var generator = SeededGenerator(seed: 6)
        let (old, secret) = try store.issue(account: "bob", accountID: "00000000000000b1", label: "old-bob", now: 0, using: &generator)
        #expect(old.accountID == "00000000000000b1")
        // bob deleted and made again: a new id under the old name.
        #expect(store.keepOnly(accountIDs: ["00000000000000b2"]).map(\.id) == [old.id])
        #expect(store.match(secret) == nil)
    }

    /// Tokens of an older file (no account id) are bound once by name to the
    /// account of that name; those of a name that no longer exists are not,
    /// and go at the next pruning.
    @Test func tokensOfAnOlderFileAreBoundByNameOnce() throws {
        let older = #"{"tokens":[{"id":"00000000000000aa","account":"otto","label":"nms","created":1,"secretHash":"00"},"#
            + #"{"id":"00000000000000bb","account":"gone","label":"old","created":1,"secretHash":"00"}]}"#
        var store = try JSONDecoder().decode(APITokenStore.self, from: Data(older.utf8))
        let first = store.bindUnbound(accounts: ["otto": "0000000000000001"])
        let second = store.bindUnbound(accounts: ["otto": "0000000000000001"])
        #expect(first && !second, "bound once")
        #expect(store.tokens.map(\.accountID) == ["0000000000000001", nil])
        #expect(store.keepOnly(accountIDs: ["0000000000000001"]).map(\.account) == ["gone"])
    }
}
