import Synchronization

/// What webd refused or did, counted (OpenBSD snmpd style) and answered by
/// `status` on `run/appliance/webd.sock`.
public final class WebCounters: Sendable {
    public enum Counter: String, CaseIterable, Sendable {
        /// Connections accepted on 443.
        case connectionsAccepted
        /// Connections closed at once because `maximumConnections` were open.
        case connectionsRefused
        /// Requests without the session's (or the sign-in form's) CSRF token.
        case csrfRefusals
        case signInsSucceeded
        /// Wrong password, locked, expired or too many sessions (configd's outcome).
        case signInsRefused
        /// State-changing requests a daemon behind webd refused or did not answer.
        case changesFailed
        /// Requests answered 503 because a daemon did not answer.
        case daemonsUnavailable
        /// Sign-ins answered 429: the client's address was over its rate.
        case signInsThrottled
    }

    private let values = Mutex<[Counter: Int]>([:])
    /// Connections on 443 now.
    let open = Atomic<Int>(0)

    public init() {}

    public func add(_ counter: Counter, _ amount: Int = 1) {
        values.withLock { $0[counter, default: 0] += amount }
    }

    public func value(_ counter: Counter) -> Int {
        values.withLock { $0[counter] ?? 0 }
    }

    public var snapshot: [String: Int] {
        values.withLock { table in Dictionary(uniqueKeysWithValues: Counter.allCases.map { ($0.rawValue, table[$0] ?? 0) }) }
    }

    public var openConnections: Int { open.load(ordering: .relaxed) }
}
