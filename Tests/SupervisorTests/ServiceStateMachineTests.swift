import Testing
@testable import Supervisor

/// The restart state machine, cell by cell: each test puts the machine in one
/// state, feeds one event, and checks the new state and the actions.
@Suite struct ServiceStateMachineTests {
    let t0 = ContinuousClock.now
    var policy: RestartPolicy {
        var policy = RestartPolicy()
        policy.initialDelay = .milliseconds(100)
        policy.maximumDelay = .milliseconds(1000)
        policy.stableAfter = .seconds(10)
        policy.startLimit = 3
        return policy
    }

    func running(pid: Int32 = 10) -> ServiceStateMachine {
        var machine = ServiceStateMachine(policy: policy)
        _ = machine.handle(.start)
        _ = machine.handle(.spawned(pid: pid, at: t0))
        _ = machine.handle(.ready(pid: pid, at: t0))
        return machine
    }

    @Test func stoppedStartSpawns() {
        var machine = ServiceStateMachine(policy: policy)
        #expect(machine.handle(.start) == [.spawn])
        #expect(machine.state == .stopped)
    }

    @Test func spawnedEntersStartingCountsTheStartAndArmsReadyTimer() {
        var machine = ServiceStateMachine(policy: policy)
        _ = machine.handle(.start)
        #expect(machine.handle(.spawned(pid: 7, at: t0)) == [.armReadyTimer(pid: 7)])
        #expect(machine.state == .starting(pid: 7, since: t0))
        #expect(machine.startCount == 1)
    }

    @Test func readyFromTheRightPidMakesItRunning() {
        var machine = ServiceStateMachine(policy: policy)
        _ = machine.handle(.spawned(pid: 7, at: t0))
        #expect(machine.handle(.ready(pid: 8, at: t0)) == [])
        #expect(machine.state.name == "starting")
        #expect(machine.handle(.ready(pid: 7, at: t0)) == [])
        #expect(machine.state == .running(pid: 7, since: t0))
    }

    @Test func crashAfterStableRunRestartsImmediately() {
        var machine = running()
        let actions = machine.handle(.exited(pid: 10, status: .signaled(9), at: t0 + .seconds(60)))
        #expect(actions == [.audit(.crashed(status: .signaled(9), restartIn: .zero)), .scheduleRestart(attempt: 1, delay: .zero)])
        #expect(machine.state == .backoff(attempt: 1))
        #expect(machine.consecutiveFailures == 1)
        #expect(machine.lastExit == .signaled(9))
    }

    @Test func quickCrashesBackOffDoublingThenGiveUpAtStartLimit() {
        var machine = ServiceStateMachine(policy: policy)
        var delays: [Duration] = []
        var pid: Int32 = 100
        _ = machine.handle(.start)
        for _ in 0..<3 {
            _ = machine.handle(.spawned(pid: pid, at: t0))
            let actions = machine.handle(.exited(pid: pid, status: .exited(1), at: t0 + .milliseconds(5)))
            guard case .scheduleRestart(let attempt, let delay) = actions.last else {
                Issue.record("expected a scheduled restart, got \(actions)")
                return
            }
            delays.append(delay)
            #expect(machine.handle(.backoffElapsed(attempt: attempt)) == [.spawn])
            pid += 1
        }
        #expect(delays == [.zero, .milliseconds(100), .milliseconds(200)])
        _ = machine.handle(.spawned(pid: pid, at: t0))
        let final = machine.handle(.exited(pid: pid, status: .exited(1), at: t0 + .milliseconds(5)))
        #expect(final == [.audit(.gaveUp(failures: 3, last: "exit status 1"))])
        guard case .failed = machine.state else {
            Issue.record("expected failed, got \(machine.state)")
            return
        }
        #expect(machine.startCount == 4)
    }

    @Test func backoffDelayIsCappedAtMaximum() {
        #expect(policy.delay(afterFailures: 1) == .zero)
        #expect(policy.delay(afterFailures: 2) == .milliseconds(100))
        #expect(policy.delay(afterFailures: 5) == .milliseconds(800))
        #expect(policy.delay(afterFailures: 6) == .milliseconds(1000))
        #expect(policy.delay(afterFailures: 60) == .milliseconds(1000))
    }

    @Test func stableRunResetsTheFailureCount() {
        var machine = ServiceStateMachine(policy: policy)
        _ = machine.handle(.spawned(pid: 1, at: t0))
        _ = machine.handle(.exited(pid: 1, status: .exited(1), at: t0))
        _ = machine.handle(.spawned(pid: 2, at: t0))
        _ = machine.handle(.exited(pid: 2, status: .exited(1), at: t0))
        #expect(machine.consecutiveFailures == 2)
        _ = machine.handle(.spawned(pid: 3, at: t0))
        _ = machine.handle(.ready(pid: 3, at: t0))
        _ = machine.handle(.exited(pid: 3, status: .exited(1), at: t0 + .seconds(11)))
        #expect(machine.consecutiveFailures == 1)
    }

    @Test func staleBackoffTimerIsIgnored() {
        var machine = running()
        _ = machine.handle(.exited(pid: 10, status: .exited(1), at: t0))
        #expect(machine.handle(.backoffElapsed(attempt: 99)) == [])
        #expect(machine.state == .backoff(attempt: 1))
    }

    @Test func exitOfAnUnknownPidIsIgnored() {
        var machine = running()
        #expect(machine.handle(.exited(pid: 11, status: .exited(0), at: t0)) == [])
        #expect(machine.state == .running(pid: 10, since: t0))
    }

    @Test func stopSendsTermArmsTimerAndEndsStopped() {
        var machine = running()
        #expect(machine.handle(.stop) == [.signal(pid: 10, signal: 15), .armStopTimer(pid: 10)])
        #expect(machine.state == .stopping(pid: 10, then: .stay))
        #expect(machine.handle(.stopTimeout(pid: 10)) == [.signal(pid: 10, signal: 9)])
        #expect(machine.handle(.exited(pid: 10, status: .signaled(9), at: t0)) == [])
        #expect(machine.state == .stopped)
        #expect(machine.consecutiveFailures == 0)
    }

    @Test func restartStopsThenSpawnsWithoutCountingAFailure() {
        var machine = running()
        #expect(machine.handle(.restart) == [.signal(pid: 10, signal: 15), .armStopTimer(pid: 10)])
        #expect(machine.handle(.exited(pid: 10, status: .exited(0), at: t0)) == [.spawn])
        #expect(machine.consecutiveFailures == 0)
    }

    @Test func stopTimeoutAfterExitIsIgnored() {
        var machine = running()
        _ = machine.handle(.stop)
        _ = machine.handle(.exited(pid: 10, status: .exited(0), at: t0))
        #expect(machine.handle(.stopTimeout(pid: 10)) == [])
    }

    @Test func memoryExceededAuditsStopsAndCountsAFailure() {
        var machine = running()
        let actions = machine.handle(.memoryExceeded(pid: 10, rss: 200, limit: 100))
        #expect(actions == [.audit(.memoryLimit(rss: 200, limit: 100)), .signal(pid: 10, signal: 15), .armStopTimer(pid: 10)])
        let after = machine.handle(.exited(pid: 10, status: .exited(0), at: t0 + .seconds(60)))
        #expect(after == [.audit(.startFailed(reason: "memory limit exceeded", restartIn: .zero)), .scheduleRestart(attempt: 1, delay: .zero)])
        #expect(machine.consecutiveFailures == 1)
    }

    @Test func readyTimeoutKillsAndRestartsAsAFailure() {
        var machine = ServiceStateMachine(policy: policy)
        _ = machine.handle(.spawned(pid: 5, at: t0))
        #expect(machine.handle(.readyTimeout(pid: 5)) == [.audit(.readyTimeout), .signal(pid: 5, signal: 9)])
        let after = machine.handle(.exited(pid: 5, status: .signaled(9), at: t0))
        #expect(after.last == .scheduleRestart(attempt: 1, delay: .zero))
    }

    @Test func readyTimeoutWhenAlreadyRunningIsIgnored() {
        var machine = running()
        #expect(machine.handle(.readyTimeout(pid: 10)) == [])
    }

    @Test func spawnFailureIsAFailureWithBackoff() {
        var machine = ServiceStateMachine(policy: policy)
        _ = machine.handle(.start)
        let actions = machine.handle(.spawnFailed(reason: "execve failed"))
        #expect(actions == [.audit(.startFailed(reason: "execve failed", restartIn: .zero)), .scheduleRestart(attempt: 1, delay: .zero)])
    }

    @Test func startFromFailedResetsTheCount() {
        var machine = ServiceStateMachine(policy: policy)
        for pid in Int32(1)...4 {
            _ = machine.handle(.spawned(pid: pid, at: t0))
            _ = machine.handle(.exited(pid: pid, status: .exited(1), at: t0))
        }
        #expect(machine.state.name == "failed")
        #expect(machine.handle(.start) == [.spawn])
        #expect(machine.consecutiveFailures == 0)
    }

    @Test func stopInBackoffOrFailedGoesStopped() {
        var machine = running()
        _ = machine.handle(.exited(pid: 10, status: .exited(1), at: t0))
        #expect(machine.handle(.stop) == [])
        #expect(machine.state == .stopped)
        #expect(machine.handle(.backoffElapsed(attempt: 1)) == [])
    }

    @Test func onFailurePolicyLeavesACleanExitStopped() {
        var onFailure = policy
        onFailure.mode = .onFailure
        var machine = ServiceStateMachine(policy: onFailure)
        _ = machine.handle(.spawned(pid: 3, at: t0))
        #expect(machine.handle(.exited(pid: 3, status: .exited(0), at: t0)) == [.audit(.exitedForGood(status: .exited(0)))])
        #expect(machine.state == .stopped)
        _ = machine.handle(.spawned(pid: 4, at: t0))
        #expect(machine.handle(.exited(pid: 4, status: .exited(2), at: t0)).last == .scheduleRestart(attempt: 1, delay: .zero))
    }

    @Test func neverPolicyMarksACrashFailed() {
        var never = policy
        never.mode = .never
        var machine = ServiceStateMachine(policy: never)
        _ = machine.handle(.spawned(pid: 3, at: t0))
        #expect(machine.handle(.exited(pid: 3, status: .signaled(11), at: t0)) == [.audit(.exitedForGood(status: .signaled(11)))])
        #expect(machine.state.name == "failed")
    }

    @Test func duplicateStartWhileRunningDoesNothing() {
        var machine = running()
        #expect(machine.handle(.start) == [])
        #expect(machine.state == .running(pid: 10, since: t0))
    }
}
