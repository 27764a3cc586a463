import Configuration
import ApplianceProtocol
import Crypto

/// One API token of an account, as configd keeps it: never the secret itself,
/// only its SHA-256 (the secret is 256 random bits, so a plain hash is as
/// strong as a password hash would be, and checking it costs nothing).
public struct APIToken: Codable, Sendable, Equatable {
    /// 16 hex digits, public: how the token is listed and revoked.
    public var id: String
    /// The name of the account whose role the token carries, when issued.
    public var account: String
    /// The id of that account (`Account.id`): what the token is bound to. A
    /// token of an older file without it is bound once, by name, when configd
    /// loads the file.
    public var accountID: String?
    /// What the admin called it ("nms-poller").
    public var label: String
    /// Unix seconds.
    public var created: Int64
    /// SHA-256 of the secret, 64 hex digits.
    public var secretHash: String
}

/// The API tokens: bearer credentials for scripts, created and revoked by an
/// admin, each acting as one account with that account's current role (so a
/// lock, a role change or a deletion takes effect at once). A token is bound
/// to its account's id, never reused, not to its name: an account deleted
/// and made again under the same name does not get the old tokens back.
///
/// A secret reads `apt_<id>_<64 hex digits>`: the id finds the entry without
/// scanning, the rest is compared by hash in constant time. The prefix tells
/// it apart from a session token (64 hex digits) wherever either is accepted.
public struct APITokenStore: Codable, Sendable, Equatable {
    public private(set) var tokens: [APIToken] = []

    /// Tokens per account, so a runaway script cannot grow the file for ever.
    public static let perAccountLimit = 16
    public static let prefix = APITokenSecret.prefix

    public init() {}

    /// A new token for the account `account` whose id is `accountID`;
    /// returns its entry and the secret, which is shown once and never stored.
    public mutating func issue<Generator: RandomNumberGenerator>(account: String, accountID: String, label: String, now: Int64,
                                                                 using generator: inout Generator) throws(APITokenRefusal) -> (APIToken, String) {
        guard tokens.filter({ $0.accountID == accountID }).count < Self.perAccountLimit else {
            throw APITokenRefusal("\(account) already has \(Self.perAccountLimit) API tokens; revoke one first")
        }
        var id: String
        repeat {
            id = Hex.encode((0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        } while tokens.contains { $0.id == id }
        let random = Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        let secret = Self.prefix + id + "_" + random
        let entry = APIToken(id: id, account: account, accountID: accountID, label: label, created: now, secretHash: Self.hash(secret))
        tokens.append(entry)
        return (entry, secret)
    }

    /// The entry a presented secret belongs to; nil for anything malformed,
    /// unknown or revoked.
    public func match(_ secret: String) -> APIToken? {
        guard let id = Self.id(of: secret), let entry = tokens.first(where: { $0.id == id }) else { return nil }
        let expected = Array(entry.secretHash.utf8), given = Array(Self.hash(secret).utf8)
        guard expected.count == given.count else { return nil }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0 ? entry : nil
    }

    /// Removes the token `id`; returns it, or nil if there is none.
    public mutating func revoke(id: String) -> APIToken? {
        guard let index = tokens.firstIndex(where: { $0.id == id }) else { return nil }
        return tokens.remove(at: index)
    }

    /// Removes every token whose account id is not in `accountIDs` (deleted
    /// accounts', and unbound ones); returns them.
    public mutating func keepOnly(accountIDs: Set<String>) -> [APIToken] {
        let gone = tokens.filter { !accountIDs.contains($0.accountID ?? "") }
        tokens.removeAll { !accountIDs.contains($0.accountID ?? "") }
        return gone
    }

    /// Binds tokens of an older file, which name their account only, to the
    /// id of the account of that name in `accounts` (name to id); tokens
    /// with no such account are left unbound (and `keepOnly` removes them).
    /// Returns whether anything changed.
    public mutating func bindUnbound(accounts: [String: String]) -> Bool {
        var changed = false
        for index in tokens.indices where tokens[index].accountID == nil {
            if let id = accounts[tokens[index].account] {
                tokens[index].accountID = id
                changed = true
            }
        }
        return changed
    }

    public static func looksLikeSecret(_ text: String) -> Bool { APITokenSecret.looksLikeSecret(text) }
    static func id(of secret: String) -> String? { APITokenSecret.id(of: secret) }

    static func hash(_ secret: String) -> String { Hex.encode(Array(SHA256.hash(data: Array(secret.utf8)))) }
}

/// Why a token could not be issued.
public struct APITokenRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
