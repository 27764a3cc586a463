/// How a process ended, from waitpid(2).
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    public var isClean: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "killed by signal \(signal)\(signalName(signal).map { " (\($0))" } ?? "")"
        }
    }

    private func signalName(_ signal: Int32) -> String? {
        [1: "SIGHUP", 2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM"][signal]
    }
}

/// The lifecycle of one supervised service, apart from any I/O: events in,
/// actions out (s6-supervise keeps its logic in one state × event table; this
/// is that table, and `ServiceStateMachineTests` checks it cell by cell).
///
/// Times are monotonic instants given by the caller, so tests drive it with a
/// fake clock.
public struct ServiceStateMachine: Sendable {
    public enum State: Sendable, Equatable {
        case stopped
        /// Spawned, waiting for its readiness notification.
        case starting(pid: Int32, since: ContinuousClock.Instant)
        case running(pid: Int32, since: ContinuousClock.Instant)
        /// Asked to stop (SIGTERM sent); `then` says what follows the exit.
        case stopping(pid: Int32, then: AfterStop)
        /// Waiting to restart; `attempt` identifies the timer that ends it.
        case backoff(attempt: Int)
        /// Gave up after the start limit, or a failed start with restart=never.
        case failed(reason: String)

        public var name: String {
            switch self {
            case .stopped: "stopped"
            case .starting: "starting"
            case .running: "running"
            case .stopping: "stopping"
            case .backoff: "backoff"
            case .failed: "failed"
            }
        }

        public var pid: Int32? {
            switch self {
            case .starting(let pid, _), .running(let pid, _), .stopping(let pid, _): pid
            default: nil
            }
        }
    }

    public enum AfterStop: Sendable, Equatable {
        /// Stay stopped (an operator's stop, or shutdown).
        case stay
        /// Start again at once (an operator's restart).
        case restart
        /// It was killed for a fault (memory, readiness); treat the exit as a failure.
        case failure(String)
    }

    public enum Event: Sendable, Equatable {
        case start
        case stop
        case restart
        case spawned(pid: Int32, at: ContinuousClock.Instant)
        case spawnFailed(reason: String)
        case ready(pid: Int32, at: ContinuousClock.Instant)
        case readyTimeout(pid: Int32)
        case exited(pid: Int32, status: ExitStatus, at: ContinuousClock.Instant)
        case backoffElapsed(attempt: Int)
        case stopTimeout(pid: Int32)
        case memoryExceeded(pid: Int32, rss: Int, limit: Int)
    }

    public enum Action: Sendable, Equatable {
        case spawn
        case signal(pid: Int32, signal: Int32)
        /// Arm the timer that sends `.stopTimeout` after the stop grace period.
        case armStopTimer(pid: Int32)
        /// Arm the timer that sends `.readyTimeout`.
        case armReadyTimer(pid: Int32)
        /// Arm the timer that sends `.backoffElapsed(attempt)` after `delay`.
        case scheduleRestart(attempt: Int, delay: Duration)
        case audit(Notice)
    }

    /// Facts worth an audit event and a log line.
    public enum Notice: Sendable, Equatable {
        case crashed(status: ExitStatus, restartIn: Duration)
        case startFailed(reason: String, restartIn: Duration)
        case gaveUp(failures: Int, last: String)
        case memoryLimit(rss: Int, limit: Int)
        case readyTimeout
        case exitedForGood(status: ExitStatus)
    }

    /// May change on a manifest reload; applies from the next event on.
    public var policy: RestartPolicy
    public private(set) var state: State = .stopped
    /// Processes started over the service's life (NX-OS "start count").
    public private(set) var startCount = 0
    /// Consecutive failures since the last stable run.
    public private(set) var consecutiveFailures = 0
    public private(set) var lastExit: ExitStatus?
    private var attempt = 0

    public init(policy: RestartPolicy) {
        self.policy = policy
    }

    public mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        case (.stopped, .start), (.failed, .start), (.backoff, .start), (.stopped, .restart), (.failed, .restart), (.backoff, .restart):
            if case .failed = state { consecutiveFailures = 0 }
            return [.spawn]

        case (_, .spawned(let pid, let at)):
            startCount += 1
            state = .starting(pid: pid, since: at)
            return [.armReadyTimer(pid: pid)]

        case (_, .spawnFailed(let reason)):
            return failure(reason: reason, status: nil, ranFor: nil)

        case (.starting(let pid, _), .ready(let readyPID, let at)) where pid == readyPID:
            state = .running(pid: pid, since: at)
            return []

        case (.starting(let pid, _), .readyTimeout(let timedOut)) where pid == timedOut:
            state = .stopping(pid: pid, then: .failure("not ready in time"))
            return [.audit(.readyTimeout), .signal(pid: pid, signal: 9)]

        case (.starting(let pid, let since), .exited(let exited, let status, let at)) where pid == exited:
            lastExit = status
            return failure(reason: status.description, status: status, ranFor: since.duration(to: at))

        case (.running(let pid, let since), .exited(let exited, let status, let at)) where pid == exited:
            lastExit = status
            return failure(reason: status.description, status: status, ranFor: since.duration(to: at))

        case (.stopping(let pid, let then), .exited(let exited, let status, _)) where pid == exited:
            lastExit = status
            switch then {
            case .stay:
                state = .stopped
                return []
            case .restart:
                state = .stopped
                return [.spawn]
            case .failure(let reason):
                return failure(reason: reason, status: nil, ranFor: nil)
            }

        case (.starting(let pid, _), .stop), (.running(let pid, _), .stop):
            state = .stopping(pid: pid, then: .stay)
            return [.signal(pid: pid, signal: 15), .armStopTimer(pid: pid)]

        case (.starting(let pid, _), .restart), (.running(let pid, _), .restart):
            state = .stopping(pid: pid, then: .restart)
            return [.signal(pid: pid, signal: 15), .armStopTimer(pid: pid)]

        case (.stopping(let pid, _), .stop):
            state = .stopping(pid: pid, then: .stay)
            return []

        case (.backoff, .stop), (.failed, .stop):
            state = .stopped
            return []

        case (.running(let pid, _), .memoryExceeded(let over, let rss, let limit)) where pid == over,
             (.starting(let pid, _), .memoryExceeded(let over, let rss, let limit)) where pid == over:
            state = .stopping(pid: pid, then: .failure("memory limit exceeded"))
            return [.audit(.memoryLimit(rss: rss, limit: limit)), .signal(pid: pid, signal: 15), .armStopTimer(pid: pid)]

        case (.stopping(let pid, _), .stopTimeout(let timedOut)) where pid == timedOut:
            return [.signal(pid: pid, signal: 9)]

        case (.backoff(let current), .backoffElapsed(let elapsed)) where current == elapsed:
            return [.spawn]

        default:
            // Stale timers, duplicate requests, events about an old pid: no effect.
            return []
        }
    }

    /// The process failed (crashed, exited while it should run, could not
    /// start): restart by policy with backoff, or give up at the start limit.
    private mutating func failure(reason: String, status: ExitStatus?, ranFor: Duration?) -> [Action] {
        if let ranFor, ranFor >= policy.stableAfter { consecutiveFailures = 0 }
        let restarts: Bool
        switch policy.mode {
        case .always: restarts = true
        case .onFailure: restarts = !(status?.isClean ?? false)
        case .never: restarts = false
        }
        guard restarts else {
            if let status, status.isClean || policy.mode == .onFailure {
                state = .stopped
            } else {
                state = .failed(reason: reason)
            }
            return [.audit(.exitedForGood(status: status ?? .exited(-1)))]
        }
        consecutiveFailures += 1
        if consecutiveFailures > policy.startLimit {
            state = .failed(reason: "\(consecutiveFailures - 1) restarts failed in a row; last: \(reason)")
            return [.audit(.gaveUp(failures: consecutiveFailures - 1, last: reason))]
        }
        let delay = policy.delay(afterFailures: consecutiveFailures)
        attempt += 1
        state = .backoff(attempt: attempt)
        let notice: Notice = status.map { .crashed(status: $0, restartIn: delay) } ?? .startFailed(reason: reason, restartIn: delay)
        return [.audit(notice), .scheduleRestart(attempt: attempt, delay: delay)]
    }
}
