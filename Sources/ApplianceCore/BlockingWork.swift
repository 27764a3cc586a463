import Glibc

/// Why `BlockingWorkPool` did not run a piece of work.
public enum BlockingWorkRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// Every thread is busy and the queue is full: refused at once, so a
    /// flood costs a refusal, not memory or a long wait.
    case busy
    /// Its caller left before its turn came (the task was cancelled, or
    /// its deadline passed in the queue): the work was never started.
    case abandoned

    public var description: String {
        switch self {
        case .busy: "too many requests are waiting; try again shortly"
        case .abandoned: "the caller gave up before the work started"
        }
    }
}

/// Runs CPU-heavy or blocking work (a password hash) on threads of its own,
/// at most `width` at a time, so that it neither occupies Swift concurrency's
/// cooperative threads nor, under a flood, exhausts memory or the CPU:
/// callers beyond the width wait their turn in order, at most `queueLimit`
/// of them (more are refused at once with `busy`), and a waiter whose task is
/// cancelled or whose deadline passes is dropped without running. The
/// threads run at a lower priority (`niceness`), so a flood of hashes yields
/// the CPU to the streams.
public actor BlockingWorkPool {
    private struct Waiter {
        var id: UInt64
        var deadline: ContinuousClock.Instant?
        /// Resumed with true when the slot passes to it, false when it is dropped.
        var continuation: CheckedContinuation<Bool, Never>
    }

    /// What the pool has done, for status and tests.
    public struct Counters: Sendable, Equatable {
        public var started = 0
        public var refusedBusy = 0
        public var droppedAbandoned = 0

        public init(started: Int = 0, refusedBusy: Int = 0, droppedAbandoned: Int = 0) {
            self.started = started
            self.refusedBusy = refusedBusy
            self.droppedAbandoned = droppedAbandoned
        }
    }

    private let width: Int
    private let queueLimit: Int
    private let niceness: Int32
    private var running = 0
    private var queue: [Waiter] = []
    private var nextID: UInt64 = 0
    public private(set) var counters = Counters()

    /// `niceness` is added to each work thread's nice value (0: unchanged).
    public init(width: Int, queueLimit: Int = Int.max, niceness: Int32 = 0) {
        self.width = max(1, width)
        self.queueLimit = max(0, queueLimit)
        self.niceness = niceness
    }

    /// The callers waiting for a thread now.
    public var waiting: Int { queue.count }

    /// Runs `body` on a thread of its own once a slot is free. Throws `busy`
    /// at once when the queue is full, and `abandoned` (without running it)
    /// when the calling task is cancelled or `deadline` passes first.
    public func run<T: Sendable>(deadline: ContinuousClock.Instant? = nil, _ body: @escaping @Sendable () -> T) async throws(BlockingWorkRefusal) -> T {
        if running < width && queue.isEmpty {
            running += 1
        } else {
            guard queue.count < queueLimit else {
                counters.refusedBusy += 1
                throw .busy
            }
            nextID += 1
            let id = nextID
            let granted = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                    queue.append(Waiter(id: id, deadline: deadline, continuation: continuation))
                }
            } onCancel: {
                Task { await self.drop(id) }
            }
            guard granted else {
                counters.droppedAbandoned += 1
                throw .abandoned
            }
        }
        // The slot is ours; a caller that left meanwhile gives it on unused.
        if Task.isCancelled || deadline.map({ ContinuousClock.now >= $0 }) == true {
            counters.droppedAbandoned += 1
            release()
            throw .abandoned
        }
        counters.started += 1
        let niceness = self.niceness
        let value = await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            DedicatedThread.start(name: "work") {
                if niceness != 0 { BlockingWorkPool.lowerPriority(by: niceness) }
                continuation.resume(returning: body())
            }
        }
        release()
        return value
    }

    /// A cancelled waiter leaves the queue at once.
    private func drop(_ id: UInt64) {
        guard let index = queue.firstIndex(where: { $0.id == id }) else { return }
        queue.remove(at: index).continuation.resume(returning: false)
    }

    /// Passes the slot to the next waiter still wanted; a waiter whose
    /// deadline passed in the queue is dropped, never run.
    private func release() {
        let now = ContinuousClock.now
        while !queue.isEmpty {
            let next = queue.removeFirst()
            if let deadline = next.deadline, now >= deadline {
                next.continuation.resume(returning: false)
                continue
            }
            next.continuation.resume(returning: true)
            return
        }
        running -= 1
    }

    /// Linux keeps a nice value per thread, and `who` 0 is the calling
    /// thread (setpriority(2), NOTES): this one's rises by `amount`.
    static func lowerPriority(by amount: Int32) {
        errno = 0
        let current = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        guard errno == 0 else { return }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, min(19, current + amount))
    }
}

/// Runs an async body from synchronous `main` (which must stay synchronous
/// until the signal mask is set) and returns its value.
public func runBlocking(_ body: @escaping @Sendable () async -> Int32) -> Int32 {
    let done = OneShotSignal()
    let result = ResultBox()
    Task {
        result.value = await body()
        done.signal()
    }
    done.wait()
    return result.value
}

private final class ResultBox: @unchecked Sendable {
    var value: Int32 = 0  // written once before `signal`, read after `wait`
}

/// A one-shot wake-up over a pipe: no Dispatch, no Foundation.
private final class OneShotSignal: @unchecked Sendable {
    private var fds: [Int32] = [-1, -1]
    init() { _ = pipe(&fds) }
    func signal() { var byte: UInt8 = 1; _ = write(fds[1], &byte, 1) }
    func wait() { var byte: UInt8 = 0; while read(fds[0], &byte, 1) < 0 && errno == EINTR {} }
}
