import Configuration
import ApplianceProtocol
/// A session's bearer token: 32 random octets, written as 64 hex digits
/// (the web cookie, the CLI's handle). Prints abbreviated so that logs
/// never hold a usable token.
public struct SessionToken: Hashable, Sendable, CustomStringConvertible {
    /// The 64 hex digits.
    public let hex: String

    /// Token length in octets: 256 bits, far beyond guessing.
    public static let length = 32

    /// A token from its 64 lowercase hex digits; nil for anything else.
    public init?(hex: String) {
        guard hex.utf8.count == SessionToken.length * 2, let octets = Hex.decode(hex), Hex.encode(octets) == hex else { return nil }
        self.hex = hex
    }

    /// A fresh token from `generator`, which must be cryptographically
    /// secure outside tests (`SystemRandomNumberGenerator` is: getrandom(2)).
    public init<Generator: RandomNumberGenerator>(using generator: inout Generator) {
        hex = Hex.encode((0..<SessionToken.length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public var description: String { String(hex.prefix(8)) + "..." }
}

/// One logged-in session.
public struct Session: Equatable, Sendable {
    /// Its token.
    public let token: SessionToken
    /// The account.
    public let account: String
    /// The role it logged in with.
    public let role: Role
    /// When it began (monotonic).
    public let createdAt: MonotonicInstant
    /// When it was last used (monotonic).
    public internal(set) var lastActivity: MonotonicInstant
}

/// Why a session was not created.
public struct SessionRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// The account.
    public let account: String
    /// The limit it reached.
    public let limit: Int

    public var description: String {
        "account \"\(account)\" already has \(limit) open session(s), the most allowed (security session max-per-account); log out of one first"
    }
}

/// The open sessions, as a pure state machine over a monotonic clock: the
/// caller passes `now`, so neither setting the wall clock nor a test's fake
/// clock can make a session outlive or undercut its idle timeout.
public struct SessionTable: Sendable {
    private var sessions: [SessionToken: Session] = [:]

    /// A session unused for this long ends.
    public private(set) var idleTimeoutSeconds: Int
    /// Sessions one account may hold at once.
    public private(set) var maximumPerAccount: Int

    /// A table enforcing `policy`'s idle timeout and per-account limit.
    public init(policy: SecurityPolicy) {
        idleTimeoutSeconds = policy.sessionIdleTimeoutSeconds
        maximumPerAccount = policy.maxSessionsPerAccount
    }

    /// Takes a new policy; open sessions over a lowered limit stay until they end.
    public mutating func update(policy: SecurityPolicy) {
        idleTimeoutSeconds = policy.sessionIdleTimeoutSeconds
        maximumPerAccount = policy.maxSessionsPerAccount
    }

    /// Opens a session with a token from the system's CSPRNG.
    public mutating func create(account: String, role: Role, now: MonotonicInstant) throws(SessionRefusal) -> Session {
        var generator = SystemRandomNumberGenerator()
        return try create(account: account, role: role, now: now, using: &generator)
    }

    /// Opens a session, after dropping idle ones; refuses when `account`
    /// already holds the most sessions allowed (the new one is refused, not
    /// an old one ended: whoever holds the old ones is as likely legitimate).
    public mutating func create<Generator: RandomNumberGenerator>(account: String, role: Role, now: MonotonicInstant,
                                                                  using generator: inout Generator) throws(SessionRefusal) -> Session {
        _ = expireIdle(now: now)
        let open = sessions.values.filter { $0.account == account }.count
        guard open < maximumPerAccount else { throw SessionRefusal(account: account, limit: maximumPerAccount) }
        var token = SessionToken(using: &generator)
        while sessions[token] != nil { token = SessionToken(using: &generator) }
        let session = Session(token: token, account: account, role: role, createdAt: now, lastActivity: now)
        sessions[token] = session
        return session
    }

    /// The live session for `token`, marked as used at `now`; nil (and the
    /// session ended) if it has been idle for the timeout or longer.
    public mutating func touch(_ token: SessionToken, now: MonotonicInstant) -> Session? {
        guard var session = sessions[token] else { return nil }
        guard !isIdle(session, now: now) else {
            sessions[token] = nil
            return nil
        }
        session.lastActivity = max(session.lastActivity, now)
        sessions[token] = session
        return session
    }

    /// The live session for `token` without marking it used.
    public func session(_ token: SessionToken, now: MonotonicInstant) -> Session? {
        sessions[token].flatMap { isIdle($0, now: now) ? nil : $0 }
    }

    /// Ends one session (logout); returns it if it was open.
    @discardableResult
    public mutating func end(_ token: SessionToken) -> Session? {
        sessions.removeValue(forKey: token)
    }

    /// Ends every session of `account` (locked, deleted, role changed);
    /// returns them.
    @discardableResult
    public mutating func endAll(account: String) -> [Session] {
        let ended = sessions.values.filter { $0.account == account }
        for session in ended { sessions[session.token] = nil }
        return ended.sorted { $0.createdAt < $1.createdAt }
    }

    /// Ends the sessions idle at `now`; returns them (for the audit log).
    public mutating func expireIdle(now: MonotonicInstant) -> [Session] {
        let idle = sessions.values.filter { isIdle($0, now: now) }
        for session in idle { sessions[session.token] = nil }
        return idle.sorted { $0.createdAt < $1.createdAt }
    }

    /// The open sessions of `account` at `now`, oldest first.
    public func sessions(of account: String, now: MonotonicInstant) -> [Session] {
        sessions.values.filter { $0.account == account && !isIdle($0, now: now) }.sorted { $0.createdAt < $1.createdAt }
    }

    /// How many sessions are held (idle ones included until expired).
    public var count: Int { sessions.count }

    private func isIdle(_ session: Session, now: MonotonicInstant) -> Bool {
        now.nanoseconds(since: session.lastActivity) >= UInt64(idleTimeoutSeconds) * 1_000_000_000
    }
}
