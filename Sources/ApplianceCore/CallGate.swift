import Synchronization

/// At most `limit` holders at once; the others wait their turn, first come
/// first served. A front end passes its calls to a daemon through one, so
/// a burst of its own clients queues instead of running into the daemon's
/// cap on connections per peer (16: `ControlServer.Limits.perUID`) and
/// being refused.
public final class CallGate: Sendable {
    private struct State {
        var holders = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
        var firstWaiting = 0
    }
    public let limit: Int
    private let state = Mutex(State())

    public init(limit: Int) {
        precondition(limit > 0)
        self.limit = limit
    }

    /// Runs `body` once a place is free, and frees it after.
    public func run<T: Sendable, E: Error>(_ body: () async throws(E) -> T) async throws(E) -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    /// Holders now (for tests and status).
    public var holders: Int { state.withLock { $0.holders } }

    private func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state in
                guard state.holders < limit else {
                    state.waiting.append(continuation)
                    return false
                }
                state.holders += 1
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    private func leave() {
        // A waiter takes the place over: the holder count stays.
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.firstWaiting < state.waiting.count else {
                state.holders -= 1
                state.waiting.removeAll(keepingCapacity: true)
                state.firstWaiting = 0
                return nil
            }
            defer { state.firstWaiting += 1 }
            return state.waiting[state.firstWaiting]
        }
        next?.resume()
    }
}
