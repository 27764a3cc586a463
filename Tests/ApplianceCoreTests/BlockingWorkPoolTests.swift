import ApplianceCore
import Glibc
import Synchronization
import Testing

/// The password-hash pool under a flood (issue 13 #5): the queue is
/// bounded (a caller beyond it is refused at once), and work whose caller
/// left is never started.
@Suite struct BlockingWorkPoolTests {
    /// A body that holds its thread until the gate opens.
    final class Gate: Sendable {
        private let open = Mutex(false)
        let entered = Mutex(0)
        func pass() {
            entered.withLock { $0 += 1 }
            while !open.withLock({ $0 }) { usleep(1_000) }
        }
        func release() { open.withLock { $0 = true } }
    }

    /// Waits (deadline 5 s) until `condition` holds.
    static func eventually(_ what: String, _ condition: () async -> Bool) async {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try? await Task.sleep(for: .milliseconds(2))
        }
        Issue.record("timed out waiting for \(what)")
    }

    @Test func aFullQueueRefusesAtOnceAsBusy() async throws {
        let pool = BlockingWorkPool(width: 1, queueLimit: 2)
        let gate = Gate()
        let running = Task { try await pool.run { gate.pass(); return 1 } }
        await Self.eventually("the first job on its thread") { gate.entered.withLock { $0 } == 1 }
        let queued = (0..<2).map { index in Task { try await pool.run { index + 10 } } }
        await Self.eventually("two jobs queued") { await pool.waiting == 2 }
        let began = ContinuousClock.now
        await #expect(throws: BlockingWorkRefusal.busy) { _ = try await pool.run { 99 } }
        #expect(ContinuousClock.now - began < .milliseconds(500), "a refusal does not wait for a slot")
        gate.release()
        let first = try await running.value
        let second = try await queued[0].value, third = try await queued[1].value
        #expect(first == 1)
        #expect(second == 10 && third == 11, "the queued jobs still run")
        let counters = await pool.counters
        #expect(counters == .init(started: 3, refusedBusy: 1, droppedAbandoned: 0))
    }

    /// A queued job whose task is cancelled (webd gave up, the control
    /// server's deadline passed) leaves the queue at once and never runs.
    @Test func aCancelledWaiterIsNeverRun() async throws {
        let pool = BlockingWorkPool(width: 1, queueLimit: 4)
        let gate = Gate()
        let ran = Mutex(false)
        let running = Task { try await pool.run { gate.pass() } }
        await Self.eventually("the first job on its thread") { gate.entered.withLock { $0 } == 1 }
        let abandoned = Task { try await pool.run { ran.withLock { $0 = true } } }
        await Self.eventually("the second job queued") { await pool.waiting == 1 }
        abandoned.cancel()
        await #expect(throws: BlockingWorkRefusal.abandoned) { try await abandoned.value }
        let waiting = await pool.waiting
        #expect(waiting == 0, "a cancelled waiter does not hold a place in the queue")
        gate.release()
        try await running.value
        let next = try await pool.run { 7 }
        #expect(next == 7)
        #expect(!ran.withLock { $0 }, "abandoned work never ran")
        let dropped = await pool.counters.droppedAbandoned
        #expect(dropped == 1)
    }

    /// A queued job whose deadline passed before its turn is dropped unrun;
    /// the slot goes to the next caller still waiting.
    @Test func aWaiterPastItsDeadlineIsDroppedUnrun() async throws {
        let pool = BlockingWorkPool(width: 1, queueLimit: 4)
        let gate = Gate()
        let ran = Mutex(false)
        let running = Task { try await pool.run { gate.pass() } }
        await Self.eventually("the first job on its thread") { gate.entered.withLock { $0 } == 1 }
        let late = Task { try await pool.run(deadline: .now + .milliseconds(50)) { ran.withLock { $0 = true } } }
        await Self.eventually("the late job queued") { await pool.waiting == 1 }
        let patient = Task { try await pool.run(deadline: .now + .seconds(60)) { 5 } }
        await Self.eventually("the patient job queued") { await pool.waiting == 2 }
        try await Task.sleep(for: .milliseconds(100))  // past the late job's deadline, by design
        gate.release()
        try await running.value
        await #expect(throws: BlockingWorkRefusal.abandoned) { try await late.value }
        let patientValue = try await patient.value
        #expect(patientValue == 5)
        #expect(!ran.withLock { $0 }, "work past its deadline never ran")
    }

    /// The work threads run at a raised nice value, so hashes yield the CPU.
    @Test func workThreadsRunAtTheGivenNiceness() async throws {
        let base = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let pool = BlockingWorkPool(width: 1, niceness: 10)
        let inside = try await pool.run { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        #expect(inside == min(19, base + 10))
    }
}
