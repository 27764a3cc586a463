import Testing
@testable import WebInterface

/// webd's per-client sign-in rate (issue 13 #5): a token bucket per
/// address in a bounded table, so one client's flood is answered 429
/// while another client still signs in.
@Suite struct SignInLimiterTests {
    static let second: Int64 = 1_000_000_000

    @Test func aBurstFromOneAddressIsLimitedWhileAnotherStillSignsIn() {
        let limiter = SignInLimiter(settings: .init(burst: 3, secondsPerAttempt: 2))
        let t0: Int64 = 1_000 * Self.second
        #expect((0..<3).map { _ in limiter.admit("192.0.2.7", now: t0) } == [.allowed, .allowed, .allowed])
        #expect(limiter.admit("192.0.2.7", now: t0) == .limited(retryAfterSeconds: 2))
        #expect(limiter.admit("198.51.100.9", now: t0) == .allowed, "another client is not held back")
        // One attempt regained after 2 s, not more.
        #expect(limiter.admit("192.0.2.7", now: t0 + Self.second) == .limited(retryAfterSeconds: 1))
        #expect(limiter.admit("192.0.2.7", now: t0 + 2 * Self.second) == .allowed)
        #expect(limiter.admit("192.0.2.7", now: t0 + 2 * Self.second) == .limited(retryAfterSeconds: 2))
        // A quiet client is whole again, never above the burst.
        let later = t0 + 3_600 * Self.second
        #expect((0..<4).map { _ in limiter.admit("192.0.2.7", now: later) } == [.allowed, .allowed, .allowed, .limited(retryAfterSeconds: 2)])
    }

    /// An IPv6 client is one client per /64 (a host picks any address in
    /// its prefix); an IPv4-mapped address is the IPv4 client.
    @Test func ipv6ClientsAreCountedByTheirSlash64() {
        #expect(SignInLimiter.clientKey("2001:db8:1:2::7") == SignInLimiter.clientKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"))
        #expect(SignInLimiter.clientKey("2001:db8:1:2::7") != SignInLimiter.clientKey("2001:db8:1:3::7"))
        #expect(SignInLimiter.clientKey("::ffff:192.0.2.7") == "192.0.2.7")
        #expect(SignInLimiter.clientKey("fe80::1%eth0") == SignInLimiter.clientKey("fe80::2"))
        let limiter = SignInLimiter(settings: .init(burst: 1, secondsPerAttempt: 60))
        #expect(limiter.admit("2001:db8:1:2::1", now: 0) == .allowed)
        #expect(limiter.admit("2001:db8:1:2::ffff", now: 0) == .limited(retryAfterSeconds: 60))
    }

    /// The table never grows past its bound: refilled buckets go first
    /// (forgetting them changes nothing), else the one untouched longest;
    /// a client being limited is not forgotten for a newcomer's sake while
    /// a refilled one can go.
    @Test func theTableStaysBounded() {
        let limiter = SignInLimiter(settings: .init(burst: 1, secondsPerAttempt: 10, maximumClients: 100))
        for index in 0..<1_000 { _ = limiter.admit("10.0.\(index / 256).\(index % 256)", now: Int64(index) * Self.second) }
        #expect(limiter.trackedClients <= 100)
        let flooder = "192.0.2.66"
        let now: Int64 = 2_000 * Self.second
        #expect(limiter.admit(flooder, now: now) == .allowed)
        #expect(limiter.admit(flooder, now: now) == .limited(retryAfterSeconds: 10))
        for index in 0..<60 { _ = limiter.admit("172.16.0.\(index)", now: now) }
        #expect(limiter.trackedClients <= 100)
        #expect(limiter.admit(flooder, now: now) == .limited(retryAfterSeconds: 10), "the flooder's empty bucket was kept")
    }
}
