/// When and how fast a service that stopped is started again.
public struct RestartPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable {
        /// Restart after any exit.
        case always
        /// Restart after a non-zero exit or a signal; a clean exit stays stopped.
        case onFailure = "on-failure"
        /// Never restart.
        case never
    }

    public var mode: Mode = .always
    /// Delay before the second consecutive quick restart; doubles after each,
    /// up to `maximumDelay`. The first restart after a stable run is immediate.
    public var initialDelay: Duration = .milliseconds(100)
    public var maximumDelay: Duration = .seconds(30)
    /// A run at least this long resets the count of consecutive failures.
    public var stableAfter: Duration = .seconds(10)
    /// Consecutive failures after which the service is marked failed.
    public var startLimit: Int = 5

    public init() {}

    /// Delay before the restart that follows the `failures`-th consecutive failure (1-based).
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 1 else { return .zero }
        var delay = initialDelay
        for _ in 2..<failures {
            delay = delay * 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }
}
