import Glibc
import Synchronization

/// The sign-in rate of each client address: a token bucket per address
/// (an IPv6 client by its /64, which one host usually holds whole), in a
/// table of bounded size. Every attempt takes a token, because every
/// attempt costs configd a password hash; with none left the answer is
/// 429 with `Retry-After`, before configd is asked. One client's flood
/// thus cannot queue out everyone else's sign-ins, and configd's bounded
/// hash queue (503, busy) covers many addresses at once.
public final class SignInLimiter: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Attempts a client may make at once.
        public var burst: Int
        /// Seconds per attempt regained.
        public var secondsPerAttempt: Int
        /// Addresses tracked at most; beyond, the one seen longest ago goes.
        public var maximumClients: Int

        /// 10 at once, then one every 3 s (20 a minute).
        public init(burst: Int = 10, secondsPerAttempt: Int = 3, maximumClients: Int = 4096) {
            self.burst = max(1, burst)
            self.secondsPerAttempt = max(1, secondsPerAttempt)
            self.maximumClients = max(1, maximumClients)
        }
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        /// Over the rate: try again after this many seconds.
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket {
        /// Tokens, in nanoseconds of refill (`interval` is one attempt).
        var tokens: Int64
        var updated: Int64
    }

    public let settings: Settings
    private let table = Mutex<[String: Bucket]>([:])
    /// Nanoseconds per whole token.
    private var interval: Int64 { Int64(settings.secondsPerAttempt) * 1_000_000_000 }

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// The addresses tracked now.
    public var trackedClients: Int { table.withLock { $0.count } }

    /// Takes one attempt from `address`'s bucket (`now`: monotonic
    /// nanoseconds; the default is CLOCK_MONOTONIC).
    public func admit(_ address: String, now: Int64 = SignInLimiter.monotonicNanoseconds()) -> Decision {
        let key = Self.clientKey(address)
        let capacity = Int64(settings.burst) * interval
        return table.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated))
            bucket.updated = now
            let decision: Decision
            if bucket.tokens >= interval {
                bucket.tokens -= interval
                decision = .allowed
            } else {
                let missing = interval - bucket.tokens
                decision = .limited(retryAfterSeconds: Int((missing + 999_999_999) / 1_000_000_000))
            }
            if buckets[key] == nil && buckets.count >= settings.maximumClients {
                Self.makeRoom(in: &buckets, capacity: capacity, now: now)
            }
            buckets[key] = bucket
            return decision
        }
    }

    /// Drops the buckets that have refilled (forgetting them changes
    /// nothing); if none has, the one untouched longest.
    private static func makeRoom(in buckets: inout [String: Bucket], capacity: Int64, now: Int64) {
        let before = buckets.count
        buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) < capacity }
        if buckets.count < before { return }
        if let oldest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key { buckets[oldest] = nil }
    }

    /// The bucket's key: an IPv4 address as it is (also when written as
    /// IPv4-mapped IPv6), an IPv6 address by its first 64 bits, anything
    /// else as given.
    public static func clientKey(_ address: String) -> String {
        var text = address
        if let percent = text.firstIndex(of: "%") { text = String(text[..<percent]) }
        if text.lowercased().hasPrefix("::ffff:"), text.contains(".") { return String(text.dropFirst(7)) }
        guard text.contains(":") else { return text }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return text }
        let octets = withUnsafeBytes(of: v6) { Array($0.prefix(8)) }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    public static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}
