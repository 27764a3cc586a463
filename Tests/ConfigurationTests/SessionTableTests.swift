import ApplianceProtocol
@testable import ConfigDaemon
import Testing
@testable import Configuration

@Suite("Session table")
struct SessionTableTests {
    private func table(idle: Int = 900, perAccount: Int = 4) -> SessionTable {
        var policy = SecurityPolicy()
        policy.sessionIdleTimeoutSeconds = idle
        policy.maxSessionsPerAccount = perAccount
        return SessionTable(policy: policy)
    }

    @Test("a session's token is 32 random octets in hex and prints abbreviated")
    func tokenShape() throws {
        var sessions = table()
        let session = try sessions.create(account: "alice", role: .operator, now: .seconds(0))
        #expect(session.token.hex.count == 64)
        #expect(SessionToken(hex: session.token.hex) == session.token)
        #expect(SessionToken(hex: "zz") == nil)
        #expect(session.token.description.count == 11)
        let other = try sessions.create(account: "alice", role: .operator, now: .seconds(0))
        #expect(other.token != session.token)
    }

    @Test("a session idle for the timeout expires on the monotonic clock; activity keeps it alive")
    func idleExpiry() throws {
        var sessions = table(idle: 900)
        var generator = SplitMix64(seed: 1)
        let session = try sessions.create(account: "alice", role: .operator, now: .seconds(100), using: &generator)
        #expect(sessions.touch(session.token, now: .seconds(999)) != nil)       // 899 s idle: alive, and touched
        #expect(sessions.touch(session.token, now: .seconds(1898)) != nil)      // 899 s since the touch
        #expect(sessions.session(session.token, now: .seconds(2798)) == nil)    // 900 s idle: gone
        #expect(sessions.touch(session.token, now: .seconds(2798)) == nil)
        #expect(sessions.count == 0)
    }

    @Test("wall-clock jumps neither expire nor extend a session: only monotonic instants count")
    func wallClockIndependence() throws {
        // A fake pair of clocks: the wall clock jumps a day forward, then a
        // year back, while the monotonic clock advances steadily.
        var wall: Int64 = 1_763_700_000
        var monotonic = MonotonicInstant.seconds(50)
        var sessions = table(idle: 600)
        let session = try sessions.create(account: "bob", role: .viewer, now: monotonic)

        wall += 86_400
        monotonic = monotonic.advanced(bySeconds: 10)
        #expect(sessions.touch(session.token, now: monotonic) != nil, "a forward jump of \(wall) must not expire it")

        wall -= 365 * 86_400
        monotonic = monotonic.advanced(bySeconds: 600)
        #expect(sessions.touch(session.token, now: monotonic) == nil, "a backward jump must not extend it")
    }

    @Test("the per-account limit refuses a new session with a clear reason; other accounts are unaffected")
    func concurrentSessionLimit() throws {
        var sessions = table(perAccount: 2)
        _ = try sessions.create(account: "alice", role: .operator, now: .seconds(0))
        _ = try sessions.create(account: "alice", role: .operator, now: .seconds(1))
        let refusal = try #require(throws: SessionRefusal.self) {
            try sessions.create(account: "alice", role: .operator, now: .seconds(2))
        }
        #expect(refusal.description == "account \"alice\" already has 2 open session(s), the most allowed (security session max-per-account); log out of one first")
        _ = try sessions.create(account: "bob", role: .viewer, now: .seconds(2))
        // Idle sessions do not count: after the timeout a new one is allowed.
        _ = try sessions.create(account: "alice", role: .operator, now: .seconds(2 + 900))
    }

    @Test("ending one session frees a slot; ending all of an account's sessions leaves others")
    func endAndEndAll() throws {
        var sessions = table(perAccount: 2)
        let first = try sessions.create(account: "alice", role: .operator, now: .seconds(0))
        _ = try sessions.create(account: "alice", role: .operator, now: .seconds(1))
        let bob = try sessions.create(account: "bob", role: .viewer, now: .seconds(1))
        #expect(sessions.end(first.token) == first)
        _ = try sessions.create(account: "alice", role: .operator, now: .seconds(2))
        #expect(sessions.endAll(account: "alice").count == 2)
        #expect(sessions.sessions(of: "alice", now: .seconds(3)).isEmpty)
        #expect(sessions.touch(bob.token, now: .seconds(3)) != nil)
    }

    @Test("expireIdle returns the sessions it ended, for the audit log")
    func expireIdleReturnsEnded() throws {
        var sessions = table(idle: 60)
        let old = try sessions.create(account: "a", role: .viewer, now: .seconds(0))
        let fresh = try sessions.create(account: "b", role: .viewer, now: .seconds(30))
        #expect(sessions.expireIdle(now: .seconds(60)) == [old])
        #expect(sessions.session(fresh.token, now: .seconds(60)) != nil)
    }
}
