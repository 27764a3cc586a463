import Glibc

/// Runs CPU-heavy or blocking work (a password hash) on threads of its own,
/// at most `width` at a time, so that it neither occupies Swift concurrency's
/// cooperative threads nor, under a flood, exhausts memory: callers beyond
/// the width wait their turn in order.
public actor BlockingWorkPool {
    private let width: Int
    private var running = 0
    private var queue: [CheckedContinuation<Void, Never>] = []

    public init(width: Int) {
        self.width = max(1, width)
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        if running >= width {
            await withCheckedContinuation { queue.append($0) }
        } else {
            running += 1
        }
        let value = await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            DedicatedThread.start(name: "work") { continuation.resume(returning: body()) }
        }
        if queue.isEmpty {
            running -= 1
        } else {
            queue.removeFirst().resume()   // the slot passes straight to the next caller
        }
        return value
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
