import ApplianceProtocol
@testable import ConfigDaemon
import Testing
@testable import Configuration

@Suite("Login guard")
struct LoginGuardTests {
    static let password = "Operator-Pass-1"
    static let adminPassword = "Admin-Pass-123"
    /// The attacker's address and a colleague's, as the review used them.
    static let attacker = LoginSource(origin: RequestOrigin(channel: "web", peer: "192.0.2.1:40001"))
    static let colleague = LoginSource(origin: RequestOrigin(channel: "web", peer: "198.51.100.2:50000"))

    private func config(_ edit: (inout ApplianceConfig) -> Void = { _ in }) -> ApplianceConfig {
        var config = ApplianceConfig()
        config.accounts = [
            Account(name: "admin", role: .admin, passwordHash: Fixture.hash(Self.adminPassword), passwordChangedAt: 0),
            Account(name: "alice", role: .operator, passwordHash: Fixture.hash(Self.password), passwordChangedAt: 0),
            Account(name: "keyonly", role: .viewer, sshKeys: [Fixture.key(Fixture.ed25519)]),
        ]
        edit(&config)
        return config
    }

    private func at(_ seconds: UInt64, wall: Int64 = 1_000_000) -> LoginTime {
        LoginTime(epochSeconds: wall, monotonic: .seconds(seconds))
    }

    /// Five wrong passwords for `name` from `source`, at seconds 1...5.
    private func fiveFailures(_ guardian: inout LoginGuard, _ name: String = "alice", from source: LoginSource = Self.attacker) {
        for second in 1...5 { _ = guardian.authenticate(name: name, password: "bad", source: source, now: at(UInt64(second))) }
    }

    @Test("the right password logs in with the account's role")
    func successCarriesRole() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(1)) == .success(role: .operator, mustChangePassword: false))
        #expect(guardian.takeEvents() == [.loginSucceeded(account: "alice", role: .operator)])
        #expect(guardian.takeEvents() == [])
    }

    @Test("an unknown name, a wrong password and a key-only account all give badCredentials")
    func unknownUserAndWrongPasswordLookTheSame() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        let wrongPassword = guardian.authenticate(name: "alice", password: "nope", source: Self.attacker, now: at(1))
        let unknownName = guardian.authenticate(name: "mallory", password: Self.password, source: Self.attacker, now: at(1))
        let keyOnly = guardian.authenticate(name: "keyonly", password: "", source: Self.attacker, now: at(1))
        #expect(wrongPassword == .failure(.badCredentials))
        #expect(unknownName == wrongPassword)
        #expect(keyOnly == wrongPassword)
        #expect(guardian.takeEvents() == [
            .loginFailed(name: "alice", reason: .badCredentials, knownAccount: true),
            .loginFailed(name: "mallory", reason: .badCredentials, knownAccount: false),
            .loginFailed(name: "keyonly", reason: .badCredentials, knownAccount: true),
        ])
    }

    @Test("the limit of failures from one source makes that source wait, even with the right password, and says so in the audit")
    func limitMakesTheSourceWait() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)   // 5 failures / 300 s, first wait 900 s
        for second in 1...4 {
            #expect(guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(UInt64(second))) == .failure(.badCredentials))
        }
        #expect(!guardian.isLocked(name: "alice", source: Self.attacker, now: .seconds(4)))
        _ = guardian.takeEvents()
        #expect(guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(5)) == .failure(.badCredentials))
        #expect(guardian.takeEvents() == [
            .loginFailed(name: "alice", reason: .badCredentials, knownAccount: true),
            .lockedOut(name: "alice", source: "192.0.2.1", knownAccount: true, failures: 5, until: .seconds(905)),
        ])
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(6)) == .failure(.locked))
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(904)) == .failure(.locked))
    }

    @Test("failures from 192.0.2.1 do not delay a login from 198.51.100.2")
    func failuresFromOneSourceDoNotDelayAnother() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        fiveFailures(&guardian, "admin")
        #expect(guardian.isLocked(name: "admin", source: Self.attacker, now: .seconds(6)))
        #expect(!guardian.isLocked(name: "admin", source: Self.colleague, now: .seconds(6)))
        #expect(guardian.authenticate(name: "admin", password: Self.adminPassword, source: Self.colleague, now: at(6)) == .success(role: .admin, mustChangePassword: false))
        // The colleague's success does not lift the attacker's wait.
        #expect(guardian.authenticate(name: "admin", password: Self.adminPassword, source: Self.attacker, now: at(7)) == .failure(.locked))
    }

    @Test("each failure after a wait doubles the next wait, up to the cap; the right password after a wait clears the record")
    func theWaitGrows() {
        var guardian = LoginGuard(config: config { $0.policy.lockoutSeconds = 60 }, hasher: Fixture.hasher)
        fiveFailures(&guardian)
        var now: UInt64 = 5
        var waits: [UInt64] = []
        for _ in 0..<14 {
            let until = guardian.blockedUntil(name: "alice", source: Self.attacker, now: .seconds(now))!
            waits.append((until.nanoseconds - MonotonicInstant.seconds(now).nanoseconds) / 1_000_000_000)
            #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(until.nanoseconds / 1_000_000_000 - 1)) == .failure(.locked))
            now = until.nanoseconds / 1_000_000_000
            #expect(guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(now)) == .failure(.badCredentials))
        }
        #expect(waits == [60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, 61440, 86400, 86400, 86400])
        let last = guardian.blockedUntil(name: "alice", source: Self.attacker, now: .seconds(now))!.nanoseconds / 1_000_000_000
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(last)) == .success(role: .operator, mustChangePassword: false))
        #expect(guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(last + 1)) == .failure(.badCredentials))
        #expect(!guardian.isLocked(name: "alice", source: Self.attacker, now: .seconds(last + 1)), "the success started the count afresh")
    }

    @Test("a source quiet for a whole window after its wait starts afresh")
    func quietSourceStartsAfresh() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        fiveFailures(&guardian)
        // The wait ends at 905; a failure within the window after it waits twice as long...
        #expect(guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(906)) == .failure(.badCredentials))
        #expect(guardian.blockedUntil(name: "alice", source: Self.attacker, now: .seconds(906)) == .seconds(906 + 1800))
        // ...and one a window after that wait counts as the first of a new run.
        #expect(guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(906 + 1800 + 300)) == .failure(.badCredentials))
        #expect(!guardian.isLocked(name: "alice", source: Self.attacker, now: .seconds(906 + 1800 + 300)))
        #expect(guardian.recentFailures(name: "alice", source: Self.attacker, now: .seconds(906 + 1800 + 300)) == 1)
    }

    @Test("failures older than the window are forgotten")
    func failuresOutsideWindowForgotten() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        for second in [0, 100, 200, 299] as [UInt64] {
            _ = guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(second))
        }
        // At 301 the failure at 0 is outside the 300 s window: 4 in the window, no wait.
        #expect(guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(301)) == .failure(.badCredentials))
        #expect(!guardian.isLocked(name: "alice", source: Self.attacker, now: .seconds(302)))
        #expect(guardian.recentFailures(name: "alice", source: Self.attacker, now: .seconds(301)) == 4)
    }

    @Test("unknown names are throttled like real ones, so 'locked' does not reveal which names exist")
    func unknownNamesWaitToo() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        fiveFailures(&guardian, "mallory")
        #expect(guardian.authenticate(name: "mallory", password: "bad", source: Self.attacker, now: at(6)) == .failure(.locked))
    }

    @Test("an administrator's unlock clears the records of every source at once, and is audited")
    func unlockClearsEverySource() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        fiveFailures(&guardian, from: Self.attacker)
        fiveFailures(&guardian, from: Self.colleague)
        _ = guardian.takeEvents()
        guardian.unlock(name: "alice")
        #expect(guardian.takeEvents() == [.unlocked(name: "alice")])
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(6)) == .success(role: .operator, mustChangePassword: false))
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.colleague, now: at(6)) == .success(role: .operator, mustChangePassword: false))
    }

    @Test("lockout 0 keeps a source waiting until an administrator unlocks, which is audited")
    func indefiniteWaitUntilUnlock() {
        var guardian = LoginGuard(config: config { $0.policy.lockoutSeconds = 0; $0.policy.loginMaxFailures = 2 }, hasher: Fixture.hasher)
        _ = guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(1))
        _ = guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(2))
        #expect(guardian.takeEvents().last == .lockedOut(name: "alice", source: "192.0.2.1", knownAccount: true, failures: 2, until: nil))
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(1_000_000)) == .failure(.locked))
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.colleague, now: at(1_000_000)) == .success(role: .operator, mustChangePassword: false))
        guardian.unlock(name: "alice")
        #expect(guardian.takeEvents().last == .unlocked(name: "alice"))
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(1_000_001)) == .success(role: .operator, mustChangePassword: false))
    }

    @Test("lockout 0 never keeps the last usable admin out for good: its waits grow from 900 s instead")
    func theLastAdminIsNeverLockedForGood() {
        var guardian = LoginGuard(config: config { $0.policy.lockoutSeconds = 0 }, hasher: Fixture.hasher)
        fiveFailures(&guardian, "admin")
        #expect(guardian.takeEvents().last == .lockedOut(name: "admin", source: "192.0.2.1", knownAccount: true, failures: 5, until: .seconds(905)))
        #expect(guardian.authenticate(name: "admin", password: Self.adminPassword, source: Self.attacker, now: at(905)) == .success(role: .admin, mustChangePassword: false))
        // With a second usable admin, lockout 0 applies to both.
        var two = LoginGuard(config: config { $0.policy.lockoutSeconds = 0; $0.accounts[1].role = .admin }, hasher: Fixture.hasher)
        fiveFailures(&two, "admin")
        #expect(two.blockedUntil(name: "admin", source: Self.attacker, now: .seconds(10_000_000)) == MonotonicInstant(nanoseconds: .max))
    }

    @Test("a wrong password checked elsewhere (a password change's current password) counts like a failed login")
    func recordedFailuresCount() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher)
        for second in 1...5 { guardian.recordFailure(name: "alice", source: Self.attacker, now: .seconds(UInt64(second))) }
        #expect(guardian.takeEvents().last == .lockedOut(name: "alice", source: "192.0.2.1", knownAccount: true, failures: 5, until: .seconds(905)))
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(6)) == .failure(.locked))
    }

    @Test("sources are addresses without the port; IPv6 counts by /64, IPv4-mapped IPv6 as IPv4; other peers by channel and name")
    func sourcesFromOrigins() {
        func source(_ channel: String, _ peer: String) -> String { LoginSource(origin: RequestOrigin(channel: channel, peer: peer)).description }
        #expect(source("web", "192.0.2.1:40001") == "192.0.2.1")
        #expect(source("web", "192.0.2.1:40002") == source("ssh", "192.0.2.1:22"))
        #expect(source("web", "192.0.2.1") == "192.0.2.1")
        #expect(source("web", "[2001:db8:1:2:aaaa::1]:443") == "2001:db8:1:2::/64")
        #expect(source("web", "[2001:db8:1:2:bbbb::9]:443") == "2001:db8:1:2::/64")
        #expect(source("web", "[::ffff:192.0.2.1]:443") == "192.0.2.1")
        #expect(source("cli", "/dev/pts/3") == "cli:/dev/pts/3")
    }

    @Test("configd's unlock is `no account NAME locked`, however the name is written")
    func unlocksAreFound() {
        #expect(ConfigService.unlockedAccounts(in: ["no account bob locked", "no account \"carol\" locked", "no account dave", "account erin locked",
                                                     "no account frank password-hash"]) == ["bob", "carol"])
    }

    @Test("an administratively locked account says 'locked' only after the right password")
    func adminLockRevealedOnlyWithRightPassword() {
        var guardian = LoginGuard(config: config { $0.accounts[1].locked = true }, hasher: Fixture.hasher)
        #expect(guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(1)) == .failure(.badCredentials))
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(2)) == .failure(.locked))
    }

    @Test("an expired password logs in with mustChangePassword; beyond the grace period it is refused as expired")
    func expiry() {
        let day: Int64 = 86_400
        var guardian = LoginGuard(config: config { $0.policy.passwordExpiryDays = 30; $0.policy.passwordExpiryGraceDays = 5 }, hasher: Fixture.hasher)
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(1, wall: 29 * day)) == .success(role: .operator, mustChangePassword: false))
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(2, wall: 31 * day)) == .success(role: .operator, mustChangePassword: true))
        #expect(guardian.authenticate(name: "alice", password: Self.password, source: Self.attacker, now: at(3, wall: 36 * day)) == .failure(.expired))
        #expect(guardian.authenticate(name: "alice", password: "bad", source: Self.attacker, now: at(4, wall: 36 * day)) == .failure(.badCredentials))
    }

    @Test("a spray of made-up names or sources is bounded in memory; unknown names go first")
    func sprayIsBounded() {
        var guardian = LoginGuard(config: config(), hasher: Fixture.hasher, maximumTrackedRecords: 16)
        fiveFailures(&guardian)
        for index in 0..<100 { _ = guardian.authenticate(name: "user\(index)", password: "bad", source: Self.attacker, now: at(10 + UInt64(index))) }
        #expect(guardian.trackedRecords <= 16)
        #expect(guardian.isLocked(name: "alice", source: Self.attacker, now: .seconds(111)))
        #expect(guardian.recentFailures(name: "user0", source: Self.attacker, now: .seconds(111)) == 0, "the oldest made-up name is evicted")
        #expect(guardian.recentFailures(name: "user99", source: Self.attacker, now: .seconds(111)) == 1, "the newest is kept")
        for index in 0..<100 {
            let source = LoginSource(origin: RequestOrigin(channel: "web", peer: "203.0.113.\(index):1"))
            _ = guardian.authenticate(name: "admin", password: "bad", source: source, now: at(200 + UInt64(index)))
        }
        #expect(guardian.trackedRecords <= 16)
    }

    @Test("an unknown name costs a password hash like a known one (no fast path that times out the difference)")
    func unknownNameCostsAHash() {
        // ~1-10 ms per hash: large against a dictionary lookup, small for a unit test.
        let hasher = PasswordHasher(cost: ScryptCost(logN: 11, blockSize: 8, parallelism: 1))
        var config = ApplianceConfig()
        config.accounts = [Account(name: "alice", role: .operator, passwordHash: try! hasher.hash(Self.password))]
        var guardian = LoginGuard(config: config, hasher: hasher, maximumTrackedRecords: 64)
        let clock = ContinuousClock()
        var known = Duration.seconds(1000), unknown = Duration.seconds(1000)
        for index in 0..<5 {  // interleaved, so that load from elsewhere hits both alike
            let now = at(UInt64(index) * 1000)
            known = min(known, clock.measure { _ = guardian.authenticate(name: "alice", password: "wrong", source: Self.attacker, now: now) })
            unknown = min(unknown, clock.measure { _ = guardian.authenticate(name: "nobody", password: "wrong", source: Self.attacker, now: now) })
        }
        // Minimums resist load spikes; without the dummy hash `unknown` would be microseconds.
        #expect(unknown > known * 0.3, "known \(known), unknown \(unknown)")
    }
}
