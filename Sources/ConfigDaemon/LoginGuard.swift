import Configuration
import ApplianceProtocol
/// When a login attempt happens, on both clocks: the wall clock for password
/// expiry (a date), the monotonic clock for failure windows and delays (a
/// duration, which setting the clock must not shorten or stretch).
public struct LoginTime: Equatable, Sendable {
    /// Wall-clock seconds since the Unix epoch.
    public var epochSeconds: Int64
    /// The monotonic clock.
    public var monotonic: MonotonicInstant

    public init(epochSeconds: Int64, monotonic: MonotonicInstant) {
        self.epochSeconds = epochSeconds
        self.monotonic = monotonic
    }
}

/// Where a password attempt comes from, as the throttle counts it: the
/// client's IP address (an IPv6 client by its /64, which one host commonly
/// holds whole), or, for a peer that is no address (a terminal), the channel
/// and the peer as the front-end named them.
public struct LoginSource: Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = String(description.prefix(96))
    }

    /// The source of a request from `origin`: the address in its peer
    /// (`192.0.2.7:51544`, `[2001:db8::7]:51544`, `192.0.2.7`), without the
    /// port; IPv4-mapped IPv6 addresses count as their IPv4 address.
    public init(origin: RequestOrigin) {
        if let address = Self.address(in: origin.peer) {
            self.init(Self.describe(address))
        } else {
            self.init(origin.channel + ":" + origin.peer)
        }
    }

    private static func address(in peer: String) -> IPAddress? {
        if peer.hasPrefix("["), let close = peer.firstIndex(of: "]") {
            return IPAddress(String(peer[peer.index(after: peer.startIndex)..<close]))
        }
        if let whole = IPAddress(peer) { return whole }
        if let colon = peer.lastIndex(of: ":"), !peer[..<colon].contains(":") {
            return IPAddress(String(peer[..<colon]))
        }
        return nil
    }

    private static func describe(_ address: IPAddress) -> String {
        guard address.family == .ipv6 else { return address.description }
        let octets = address.octets
        if octets[0..<10].allSatisfy({ $0 == 0 }) && octets[10] == 0xff && octets[11] == 0xff,
           let v4 = IPAddress(octets: Array(octets[12..<16])) {
            return v4.description
        }
        let prefix = IPAddress(octets: Array(octets[0..<8]) + [UInt8](repeating: 0, count: 8)) ?? address
        return prefix.description + "/64"
    }
}

/// Throttles failed password attempts per (account name, source address),
/// and checks passwords, as a pure state machine: the caller passes the time
/// and takes the audit events.
///
/// The throttle (as OpenSSH's per-source penalties and PAM's faillock do it):
/// after `loginMaxFailures` failures within `loginFailureWindowSeconds` from
/// one source, that source must wait `lockoutSeconds` before its next
/// attempt for that name, and each further failure after a wait doubles the
/// wait, up to `maximumDelaySeconds` (or `lockoutSeconds` when larger). A
/// source quiet for a whole window after its wait starts afresh, and a right
/// password clears its record. Other sources are not touched: failures from
/// the network cannot keep a name's owner out from elsewhere. `lockoutSeconds`
/// 0 makes the wait last until an administrator unlocks the account, except
/// for the last usable admin, whose waits grow from `lastAdminFirstDelaySeconds`
/// instead: no source can lock the last admin out for good.
///
/// The throttle only ever refuses password attempts: a login with an ssh key
/// and the local console never ask it. It never sets the account's `locked`
/// flag, which is an administrator's act alone.
///
/// Against account discovery: an unknown name costs one scrypt verification
/// like a known one (against a dummy hash made at the same cost), gets the
/// same `badCredentials`, and is throttled like a known one, so `locked` does
/// not tell that a name exists either. Against memory exhaustion by made-up
/// names or many sources: at most `maximumTrackedRecords` records are kept;
/// unknown names are evicted first, then the least recently seen.
public struct LoginGuard: Sendable {
    private struct Key: Hashable, Sendable {
        var name: String
        var source: String
    }

    private struct Record: Sendable {
        /// Failures within the window, before the first wait.
        var failures: [MonotonicInstant] = []
        /// Failures of this run, waits included.
        var total = 0
        /// Waits imposed in this run.
        var strikes = 0
        var blockedUntil: MonotonicInstant?
        var blockedIndefinitely = false
        var lastSeen: MonotonicInstant

        func isBlocked(at now: MonotonicInstant) -> Bool {
            blockedIndefinitely || (blockedUntil.map { now < $0 } ?? false)
        }
    }

    /// The longest wait the doubling reaches (one day), unless the policy's
    /// `lockoutSeconds` is longer.
    public static let maximumDelaySeconds = 86_400
    /// The first wait of the last usable admin under `lockoutSeconds` 0.
    public static let lastAdminFirstDelaySeconds = 900

    private var accounts: [String: Account] = [:]
    private var lastUsableAdmin: String?
    private var policy: SecurityPolicy
    private let hasher: PasswordHasher
    private let dummyHash: String
    private var records: [Key: Record] = [:]
    private var events: [LoginAuditEvent] = []

    /// The most (name, source) records kept at once.
    public let maximumTrackedRecords: Int

    /// A guard over `config`'s accounts and policy. Makes one hash at the
    /// hasher's cost (the dummy for unknown names).
    public init(config: ApplianceConfig, hasher: PasswordHasher, maximumTrackedRecords: Int = 4096) {
        self.policy = config.policy
        self.hasher = hasher
        self.dummyHash = hasher.makeDummyHash()
        self.maximumTrackedRecords = max(1, maximumTrackedRecords)
        update(config: config)
    }

    /// Takes a new configuration (accounts and policy); failure records are
    /// kept (`unlock(name:)` clears an account's).
    public mutating func update(config: ApplianceConfig) {
        policy = config.policy
        accounts = Dictionary(config.accounts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let admins = config.accounts.filter(ConfigValidator.isUsableAdmin)
        lastUsableAdmin = admins.count == 1 ? admins[0].name : nil
    }

    /// Checks one login attempt (verifies the password here; see
    /// `hashToVerify(for:)` and `conclude(...)` to verify elsewhere).
    public mutating func authenticate(name: String, password: String, source: LoginSource, now: LoginTime) -> LoginOutcome {
        let storedHash = hashToVerify(for: name)
        return conclude(name: name, source: source, verifiedHash: storedHash, matched: hasher.verify(password, against: storedHash), now: now)
    }

    /// The hash a password for `name` is to be verified against: the
    /// account's, or the dummy one for an unknown name or an account without a
    /// password, so that every attempt costs one verification.
    public func hashToVerify(for name: String) -> String {
        accounts[name]?.passwordHash ?? dummyHash
    }

    /// The hasher verifications must use.
    public var passwordHasher: PasswordHasher { hasher }

    /// Concludes an attempt whose password was verified against
    /// `verifiedHash` (from `hashToVerify`) outside the guard, so a caller can
    /// run the costly hash without holding the guard. A password changed in
    /// between makes the attempt fail. A source that must wait is refused
    /// `locked` whatever the password.
    public mutating func conclude(name: String, source: LoginSource, verifiedHash: String, matched: Bool, now: LoginTime) -> LoginOutcome {
        let key = Key(name: LoginGuard.nameKey(name), source: source.description)
        let account = accounts[name]
        let known = account != nil
        var record = records[key] ?? Record(lastSeen: now.monotonic)
        record.lastSeen = now.monotonic
        let passwordMatches = matched && account?.passwordHash != nil && account?.passwordHash == verifiedHash

        if record.isBlocked(at: now.monotonic) {
            records[key] = record
            events.append(.loginFailed(name: name, reason: .locked, knownAccount: known))
            return .failure(.locked)
        }

        guard passwordMatches, let account else {
            fail(&record, name: name, source: source, known: known, now: now.monotonic)
            records[key] = record
            trimRecords(now: now.monotonic)
            return .failure(.badCredentials)
        }

        // The right password: from here on the answer may say more.
        records[key] = nil
        let passwords = PasswordPolicy(policy)
        if account.locked {
            events.append(.loginFailed(name: name, reason: .locked, knownAccount: true))
            return .failure(.locked)
        }
        if passwords.isExpiredBeyondGrace(account, now: now.epochSeconds) {
            events.append(.loginFailed(name: name, reason: .expired, knownAccount: true))
            return .failure(.expired)
        }
        events.append(.loginSucceeded(account: name, role: account.role))
        return .success(role: account.role, mustChangePassword: passwords.mustChange(account, now: now.epochSeconds))
    }

    /// Counts a wrong password for `name` from `source` that was checked
    /// elsewhere (the current password of a password change).
    public mutating func recordFailure(name: String, source: LoginSource, now: MonotonicInstant) {
        let key = Key(name: LoginGuard.nameKey(name), source: source.description)
        var record = records[key] ?? Record(lastSeen: now)
        record.lastSeen = now
        fail(&record, name: name, source: source, known: accounts[name] != nil, now: now)
        records[key] = record
        trimRecords(now: now)
    }

    private mutating func fail(_ record: inout Record, name: String, source: LoginSource, known: Bool, now: MonotonicInstant) {
        let window = UInt64(policy.loginFailureWindowSeconds) * 1_000_000_000
        if let until = record.blockedUntil, now >= until, now.nanoseconds(since: until) >= window {
            // Quiet for a whole window after the last wait: start afresh.
            record = Record(lastSeen: now)
        }
        record.failures = record.failures.filter { now.nanoseconds(since: $0) < window }
        record.failures.append(now)
        record.total = record.strikes == 0 ? record.failures.count : record.total + 1
        events.append(.loginFailed(name: name, reason: .badCredentials, knownAccount: known))
        guard record.strikes > 0 || record.failures.count >= policy.loginMaxFailures else { return }
        record.strikes += 1
        record.failures = []
        if policy.lockoutSeconds == 0 && name != lastUsableAdmin {
            record.blockedIndefinitely = true
            events.append(.lockedOut(name: name, source: source.description, knownAccount: known, failures: record.total, until: nil))
            return
        }
        let first = policy.lockoutSeconds == 0 ? Self.lastAdminFirstDelaySeconds : policy.lockoutSeconds
        let delay = Self.delay(first: first, strike: record.strikes)
        let until = now.advanced(bySeconds: delay)
        record.blockedUntil = until
        events.append(.lockedOut(name: name, source: source.description, knownAccount: known, failures: record.total, until: until))
    }

    /// The wait after the `strike`-th (1-based) throttle of a run: `first`,
    /// doubling each time, up to `maximumDelaySeconds` (or `first` if larger).
    static func delay(first: Int, strike: Int) -> Int {
        let cap = max(first, maximumDelaySeconds)
        var delay = first
        for _ in 1..<max(1, strike) {
            delay *= 2
            if delay >= cap { return cap }
        }
        return min(delay, cap)
    }

    /// Forgets every failure and wait of `name`, from every source (an
    /// administrator's unlock, a role change, a password reset).
    public mutating func unlock(name: String) {
        let key = LoginGuard.nameKey(name)
        let mine = records.filter { $0.key.name == key }
        guard !mine.isEmpty else { return }
        if mine.values.contains(where: { $0.blockedIndefinitely || $0.blockedUntil != nil }) {
            events.append(.unlocked(name: name))
        }
        for (found, _) in mine { records[found] = nil }
    }

    /// Whether `source` must wait before its next attempt for `name`.
    public func isLocked(name: String, source: LoginSource, now: MonotonicInstant) -> Bool {
        records[Key(name: LoginGuard.nameKey(name), source: source.description)]?.isBlocked(at: now) ?? false
    }

    /// When `source` may try `name` again: nil if it need not wait, or
    /// `.max` for a wait until an administrator unlocks.
    public func blockedUntil(name: String, source: LoginSource, now: MonotonicInstant) -> MonotonicInstant? {
        guard let record = records[Key(name: LoginGuard.nameKey(name), source: source.description)], record.isBlocked(at: now) else { return nil }
        return record.blockedIndefinitely ? MonotonicInstant(nanoseconds: .max) : record.blockedUntil
    }

    /// Failures from `source` against `name` within the window ending at
    /// `now` that have not yet led to a wait.
    public func recentFailures(name: String, source: LoginSource, now: MonotonicInstant) -> Int {
        let window = UInt64(policy.loginFailureWindowSeconds) * 1_000_000_000
        return records[Key(name: LoginGuard.nameKey(name), source: source.description)]?.failures.filter { now.nanoseconds(since: $0) < window }.count ?? 0
    }

    /// How many (name, source) records are kept.
    public var trackedRecords: Int { records.count }

    /// The audit events since the last call.
    public mutating func takeEvents() -> [LoginAuditEvent] {
        defer { events = [] }
        return events
    }

    /// Names longer than any account name share one record: they cannot
    /// be accounts, and must not cost memory by their length.
    private static func nameKey(_ name: String) -> String {
        name.utf8.count <= 64 ? name : "\u{0}overlong"
    }

    private mutating func trimRecords(now: MonotonicInstant) {
        guard records.count > maximumTrackedRecords else { return }
        let window = UInt64(policy.loginFailureWindowSeconds) * 1_000_000_000
        records = records.filter { _, record in
            record.isBlocked(at: now) || record.failures.contains { now.nanoseconds(since: $0) < window }
                || (record.blockedUntil.map { now < $0 || now.nanoseconds(since: $0) < window } ?? false)
        }
        guard records.count > maximumTrackedRecords else { return }
        // Unknown names first, then the least recently seen.
        let order = records.sorted { left, right in
            let leftKnown = accounts[left.key.name] != nil, rightKnown = accounts[right.key.name] != nil
            if leftKnown != rightKnown { return !leftKnown }
            return (left.value.lastSeen, left.key.name, left.key.source) < (right.value.lastSeen, right.key.name, right.key.source)
        }
        for (key, _) in order.prefix(records.count - maximumTrackedRecords) {
            records[key] = nil
        }
    }
}
