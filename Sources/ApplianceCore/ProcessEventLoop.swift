import CApplianceSystem
import NIOCore
import NIOPosix
import Synchronization

/// A daemon's one event-loop group: NIO's singleton, sized to what the
/// daemon needs (one thread for most), that also runs Swift concurrency's
/// tasks and timers in place of Dispatch's pools. A daemon's threads are then
/// its main thread (waiting for the service's end), the signal reader, these
/// event loops, and the dedicated threads of its blocking work (docs/DESIGN.md,
/// "Threads").
public enum ProcessEventLoop {
    /// Call once, first thing, before any task or NIO use: the group's size is
    /// fixed when it is first used.
    public static func install(threads: Int) {
        NIOSingletons.groupLoopCountSuggestion = max(1, threads)
        // Nothing of ours uses NIO's blocking pool; a library that does gets one thread.
        NIOSingletons.blockingPoolThreadCountSuggestion = 1
        appliance_install_concurrency_hooks()
    }
}

/// The hooks' way in (CApplianceSystem/concurrency.c): a job to run now.
@_cdecl("appliance_enqueue_job")
func applianceEnqueueJob(_ job: UnsafeMutableRawPointer) {
    let job = unsafeBitCast(job, to: UnownedJob.self)
    MultiThreadedEventLoopGroup.singleton.any().enqueue(ExecutorJob(job))
}

/// A job to run once `nanoseconds` have passed (a Task.sleep's wake-up).
@_cdecl("appliance_enqueue_job_after")
func applianceEnqueueJobAfter(_ job: UnsafeMutableRawPointer, _ nanoseconds: Int64) {
    let job = unsafeBitCast(job, to: UnownedJob.self)
    let loop = MultiThreadedEventLoopGroup.singleton.any()
    loop.scheduleTask(in: .nanoseconds(nanoseconds)) { loop.enqueue(ExecutorJob(job)) }
}

extension ProcessEventLoop {
    /// `Task.sleep(for:)` on the event loop's timer. Since Swift 6.3 a
    /// Task.sleep goes to Dispatch's timer whatever the global executor is,
    /// and Dispatch starts its manager and worker threads for it; this one
    /// starts none. Cancelling the task ends the wait at once with
    /// CancellationError, as Task.sleep does.
    public static func sleep(for duration: Duration) async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let (seconds, attoseconds) = duration.components
        let nanoseconds = seconds >= Int64.max / 1_000_000_000 ? Int64.max : max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        let wait = SleepState()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                wait.start(continuation) {
                    loop.scheduleTask(in: .nanoseconds(nanoseconds)) { wait.finish(nil) }
                }
            }
        } onCancel: {
            wait.finish(CancellationError())
        }
    }
}

/// One sleep's continuation and timer: whichever of the timer and a
/// cancellation comes first resumes it, once.
private final class SleepState: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Void, any Error>?
        var timer: Scheduled<Void>?
        var finished: (any Error)??
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<Void, any Error>, timer: () -> Scheduled<Void>) {
        let early: (any Error)?? = state.withLock { state in
            if let finished = state.finished { return .some(finished) }
            state.continuation = continuation
            return nil
        }
        if let early {
            continuation.resume(with: early.map { .failure($0) } ?? .success(()))
            return
        }
        let scheduled = timer()
        let cancelNow = state.withLock { state in
            state.timer = scheduled
            return state.finished != nil
        }
        if cancelNow { scheduled.cancel() }
    }

    func finish(_ error: (any Error)?) {
        let (continuation, timer) = state.withLock { state -> (CheckedContinuation<Void, any Error>?, Scheduled<Void>?) in
            guard state.finished == nil else { return (nil, nil) }
            state.finished = .some(error)
            defer { state.continuation = nil }
            return (state.continuation, state.timer)
        }
        if error != nil { timer?.cancel() }
        continuation?.resume(with: error.map { .failure($0) } ?? .success(()))
    }
}
