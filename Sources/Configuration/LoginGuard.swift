/// When a login attempt happens, on both clocks: the wall clock for password
/// expiry (a date), the monotonic clock for failure windows and lockouts (a
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

/// Counts failed logins per name, locks a name after too many, and checks
/// passwords, as a pure state machine: the caller passes the time and takes
/// the audit events.
///
/// Against account discovery: an unknown name costs one scrypt verification
/// like a known one (against a dummy hash made at the same cost), gets the
/// same `badCredentials`, and is counted and locked out like a known one, so
/// `locked` does not tell that a name exists either. Against memory
/// exhaustion by made-up names: at most `maximumTrackedNames` names are
/// tracked, and only unknown names are ever evicted, so a spray of names
/// cannot lift a real account's lockout.
///
/// A lockout kept "until an administrator unlocks" lives in this guard's
/// memory; configd should also set the account's `locked` flag when it sees
/// `lockedOut(until: nil)` for a known account, so that a restart keeps it,
/// and end the account's sessions (`SessionTable.endAll(account:)`).
public struct LoginGuard: Sendable {
    private struct Record: Sendable {
        var failures: [MonotonicInstant] = []
        var lockedUntil: MonotonicInstant?
        var lockedIndefinitely = false
        var lastSeen: MonotonicInstant

        func isLocked(at now: MonotonicInstant) -> Bool {
            lockedIndefinitely || (lockedUntil.map { now < $0 } ?? false)
        }
    }

    private var accounts: [String: Account] = [:]
    private var policy: SecurityPolicy
    private let hasher: PasswordHasher
    private let dummyHash: String
    private var records: [String: Record] = [:]
    private var events: [LoginAuditEvent] = []

    /// The most names tracked at once.
    public let maximumTrackedNames: Int

    /// A guard over `config`'s accounts and policy. Makes one hash at the
    /// hasher's cost (the dummy for unknown names).
    public init(config: ApplianceConfig, hasher: PasswordHasher, maximumTrackedNames: Int = 4096) {
        self.policy = config.policy
        self.hasher = hasher
        self.dummyHash = hasher.makeDummyHash()
        self.maximumTrackedNames = max(1, maximumTrackedNames)
        update(config: config)
    }

    /// Takes a new configuration (accounts and policy); failure counts and
    /// lockouts are kept.
    public mutating func update(config: ApplianceConfig) {
        policy = config.policy
        accounts = Dictionary(config.accounts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Checks one login attempt (verifies the password here; see
    /// `hashToVerify(for:)` and `conclude(...)` to verify elsewhere).
    public mutating func authenticate(name: String, password: String, now: LoginTime) -> LoginOutcome {
        let storedHash = hashToVerify(for: name)
        return conclude(name: name, verifiedHash: storedHash, matched: hasher.verify(password, against: storedHash), now: now)
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
    /// between makes the attempt fail.
    public mutating func conclude(name: String, verifiedHash: String, matched: Bool, now: LoginTime) -> LoginOutcome {
        let key = LoginGuard.key(for: name)
        let account = accounts[name]
        let known = account != nil
        var record = records[key] ?? Record(lastSeen: now.monotonic)
        record.lastSeen = now.monotonic
        let passwordMatches = matched && account?.passwordHash != nil && account?.passwordHash == verifiedHash

        if record.isLocked(at: now.monotonic) {
            records[key] = record
            events.append(.loginFailed(name: name, reason: .locked, knownAccount: known))
            return .failure(.locked)
        }
        if record.lockedUntil != nil {
            // The lockout ran out: start counting afresh.
            record.lockedUntil = nil
            record.failures = []
        }

        guard passwordMatches, let account else {
            let window = UInt64(policy.loginFailureWindowSeconds) * 1_000_000_000
            record.failures = record.failures.filter { now.monotonic.nanoseconds(since: $0) < window }
            record.failures.append(now.monotonic)
            events.append(.loginFailed(name: name, reason: .badCredentials, knownAccount: known))
            if record.failures.count >= policy.loginMaxFailures {
                let count = record.failures.count
                record.failures = []
                if policy.lockoutSeconds == 0 {
                    record.lockedIndefinitely = true
                    events.append(.lockedOut(name: name, knownAccount: known, failures: count, until: nil))
                } else {
                    let until = now.monotonic.advanced(bySeconds: policy.lockoutSeconds)
                    record.lockedUntil = until
                    events.append(.lockedOut(name: name, knownAccount: known, failures: count, until: until))
                }
            }
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

    /// Lifts a lockout and forgets the failures of `name` (an administrator's act).
    public mutating func unlock(name: String) {
        let key = LoginGuard.key(for: name)
        if let record = records[key], record.lockedIndefinitely || record.lockedUntil != nil {
            events.append(.unlocked(name: name))
        }
        records[key] = nil
    }

    /// Whether `name` is locked out at `now`.
    public func isLocked(name: String, now: MonotonicInstant) -> Bool {
        records[LoginGuard.key(for: name)]?.isLocked(at: now) ?? false
    }

    /// Failures counted against `name` within the window ending at `now`.
    public func recentFailures(name: String, now: MonotonicInstant) -> Int {
        let window = UInt64(policy.loginFailureWindowSeconds) * 1_000_000_000
        return records[LoginGuard.key(for: name)]?.failures.filter { now.nanoseconds(since: $0) < window }.count ?? 0
    }

    /// The audit events since the last call.
    public mutating func takeEvents() -> [LoginAuditEvent] {
        defer { events = [] }
        return events
    }

    /// Names longer than any account name share one record: they cannot
    /// be accounts, and must not cost memory by their length.
    private static func key(for name: String) -> String {
        name.utf8.count <= 64 ? name : "\u{0}overlong"
    }

    private mutating func trimRecords(now: MonotonicInstant) {
        guard records.count > maximumTrackedNames else { return }
        let window = UInt64(policy.loginFailureWindowSeconds) * 1_000_000_000
        records = records.filter { _, record in
            record.isLocked(at: now) || record.failures.contains { now.nanoseconds(since: $0) < window }
        }
        guard records.count > maximumTrackedNames else { return }
        let evictable = records.filter { accounts[$0.key] == nil }.sorted { ($0.value.lastSeen, $0.key) < ($1.value.lastSeen, $1.key) }
        for (name, _) in evictable.prefix(records.count - maximumTrackedNames) {
            records[name] = nil
        }
    }
}
