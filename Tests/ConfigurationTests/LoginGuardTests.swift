import Testing
@testable import Configuration

@Suite("Login guard")
struct LoginGuardTests {
    static let password = "Operator-Pass-1"

    private func config(_ edit: (inout ApplianceConfig) -> Void = { _ in }) -> ApplianceConfig {
        var config = ApplianceConfig()
        config.accounts = [
            Account(name: "admin", role: .admin, passwordHash: Fixture.hash("Admin-Pass-123"), passwordChangedAt: 0),
            Account(name: "alice", role: .operator, passwordHash: Fixture.hash(Self.password), passwordChangedAt: 0),
            Account(name: "keyonly", role: .viewer, sshKeys: [Fixture.key(Fixture.ed25519)]),
        ]
        edit(&config)
        return config
    }

    private func at(_ seconds: UInt64, wall: Int64 = 1_000_000) -> LoginTime {
        LoginTime(epochSeconds: wall, monotonic: .seconds(seconds))
    }

    @Test("the right password logs in with the account's role")
    func successCarriesRole() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(1)) == .success(role: .operator, mustChangePassword: false))
        #expect(guardian.takeEvents() == [.loginSucceeded(account: "alice", role: .operator)])
        #expect(guardian.takeEvents() == [])
    }

    @Test("an unknown name, a wrong password and a key-only account all give badCredentials")
    func unknownUserAndWrongPasswordLookTheSame() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        let wrongPassword = guardian.authenticate(name: "alice", password: "nope", now: at(1))
        let unknownName = guardian.authenticate(name: "mallory", password: Self.password, now: at(1))
        let keyOnly = guardian.authenticate(name: "keyonly", password: "", now: at(1))
        #expect(wrongPassword == .failure(.badCredentials))
        #expect(unknownName == wrongPassword)
        #expect(keyOnly == wrongPassword)
        #expect(guardian.takeEvents() == [
            .loginFailed(name: "alice", reason: .badCredentials, knownAccount: true),
            .loginFailed(name: "mallory", reason: .badCredentials, knownAccount: false),
            .loginFailed(name: "keyonly", reason: .badCredentials, knownAccount: true),
        ])
    }

    @Test("the limit of failures within the window locks the name, even against the right password, and says so in the audit")
    func lockoutAfterLimit() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)   // 5 failures / 300 s, locked 900 s
        for second in 1...4 {
            #expect(guardian.authenticate(name: "alice", password: "bad", now: at(UInt64(second))) == .failure(.badCredentials))
        }
        #expect(!guardian.isLocked(name: "alice", now: .seconds(4)))
        _ = guardian.takeEvents()
        #expect(guardian.authenticate(name: "alice", password: "bad", now: at(5)) == .failure(.badCredentials))
        #expect(guardian.takeEvents() == [
            .loginFailed(name: "alice", reason: .badCredentials, knownAccount: true),
            .lockedOut(name: "alice", knownAccount: true, failures: 5, until: .seconds(905)),
        ])
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(6)) == .failure(.locked))
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(904)) == .failure(.locked))
    }

    @Test("the lockout ends after its duration and the count starts afresh")
    func unlockAfterDuration() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        for second in 1...5 { _ = guardian.authenticate(name: "alice", password: "bad", now: at(UInt64(second))) }
        #expect(guardian.isLocked(name: "alice", now: .seconds(904)))
        #expect(!guardian.isLocked(name: "alice", now: .seconds(905)))
        #expect(guardian.authenticate(name: "alice", password: "bad", now: at(905)) == .failure(.badCredentials))
        #expect(guardian.recentFailures(name: "alice", now: .seconds(905)) == 1)
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(906)) == .success(role: .operator, mustChangePassword: false))
    }

    @Test("failures older than the window are forgotten")
    func failuresOutsideWindowForgotten() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        for second in [0, 100, 200, 299] as [UInt64] {
            _ = guardian.authenticate(name: "alice", password: "bad", now: at(second))
        }
        // At 301 the failure at 0 is outside the 300 s window: 4 in the window, no lockout.
        #expect(guardian.authenticate(name: "alice", password: "bad", now: at(301)) == .failure(.badCredentials))
        #expect(!guardian.isLocked(name: "alice", now: .seconds(302)))
        #expect(guardian.recentFailures(name: "alice", now: .seconds(301)) == 4)
    }

    @Test("unknown names are locked out like real ones, so 'locked' does not reveal which names exist")
    func unknownNamesLockToo() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        for second in 1...5 { _ = guardian.authenticate(name: "mallory", password: "bad", now: at(UInt64(second))) }
        #expect(guardian.authenticate(name: "mallory", password: "bad", now: at(6)) == .failure(.locked))
    }

    @Test("lockout 0 lasts until an administrator unlocks, which is audited")
    func indefiniteLockUntilUnlock() {
        var guardian = LoginGuard(config: config { $0.policy.lockoutSeconds = 0; $0.policy.loginMaxFailures = 2 }, hasher: Fixture.hasher)
        _ = guardian.authenticate(name: "alice", password: "bad", now: at(1))
        _ = guardian.authenticate(name: "alice", password: "bad", now: at(2))
        #expect(guardian.takeEvents().last == .lockedOut(name: "alice", knownAccount: true, failures: 2, until: nil))
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(1_000_000)) == .failure(.locked))
        guardian.unlock(name: "alice")
        #expect(guardian.takeEvents().last == .unlocked(name: "alice"))
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(1_000_001)) == .success(role: .operator, mustChangePassword: false))
    }

    @Test("an administratively locked account says 'locked' only after the right password")
    func adminLockRevealedOnlyWithRightPassword() {
        var guardian = LoginGuard(config: config { $0.accounts[1].locked = true }, hasher: Fixture.hasher)
        #expect(guardian.authenticate(name: "alice", password: "bad", now: at(1)) == .failure(.badCredentials))
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(2)) == .failure(.locked))
    }

    @Test("an expired password logs in with mustChangePassword; beyond the grace period it is refused as expired")
    func expiry() {
        let day: Int64 = 86_400
        var guardian = LoginGuard(config: config { $0.policy.passwordExpiryDays = 30; $0.policy.passwordExpiryGraceDays = 5 }, hasher: Fixture.hasher)
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(1, wall: 29 * day)) == .success(role: .operator, mustChangePassword: false))
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(2, wall: 31 * day)) == .success(role: .operator, mustChangePassword: true))
        #expect(guardian.authenticate(name: "alice", password: Self.password, now: at(3, wall: 36 * day)) == .failure(.expired))
        #expect(guardian.authenticate(name: "alice", password: "bad", now: at(4, wall: 36 * day)) == .failure(.badCredentials))
    }

    @Test("a spray of made-up names is bounded in memory and cannot evict a real account's lockout")
    func sprayCannotEvictRealLockout() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher, maximumTrackedNames: 16)
        for second in 1...5 { _ = guardian.authenticate(name: "alice", password: "bad", now: at(UInt64(second))) }
        for index in 0..<100 { _ = guardian.authenticate(name: "user\(index)", password: "bad", now: at(10 + UInt64(index))) }
        #expect(guardian.isLocked(name: "alice", now: .seconds(111)))
        #expect(guardian.recentFailures(name: "user0", now: .seconds(111)) == 0, "the oldest made-up name is evicted")
        #expect(guardian.recentFailures(name: "user99", now: .seconds(111)) == 1, "the newest is kept")
    }

    @Test("an unknown name costs a password hash like a known one (no fast path that times out the difference)")
    func unknownNameCostsAHash() {
        // ~1-10 ms per hash: large against a dictionary lookup, small for a unit test.
        let hasher = PasswordHasher(cost: ScryptCost(logN: 11, blockSize: 8, parallelism: 1))
        var config = ApplianceConfig()
        config.accounts = [Account(name: "alice", role: .operator, passwordHash: try! hasher.hash(Self.password))]
        var guardian = LoginGuard(config: config, hasher: hasher, maximumTrackedNames: 64)
        let clock = ContinuousClock()
        var known = Duration.seconds(1000), unknown = Duration.seconds(1000)
        for index in 0..<5 {  // interleaved, so that load from elsewhere hits both alike
            let now = at(UInt64(index) * 1000)
            known = min(known, clock.measure { _ = guardian.authenticate(name: "alice", password: "wrong", now: now) })
            unknown = min(unknown, clock.measure { _ = guardian.authenticate(name: "nobody", password: "wrong", now: now) })
        }
        // Minimums resist load spikes; without the dummy hash `unknown` would be microseconds.
        #expect(unknown > known * 0.3, "known \(known), unknown \(unknown)")
    }
}
