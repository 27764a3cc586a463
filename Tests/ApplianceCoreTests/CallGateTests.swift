import ApplianceCore
import Synchronization
import Testing

private final class Inside: Sendable {
    let figures = Mutex((now: 0, most: 0, served: 0))
}

@Suite struct CallGateTests {
    /// 60 callers through a gate of 3: never more than 3 inside at once, the
    /// gate full at some point, every caller served, the gate empty after.
    @Test func neverMoreThanTheLimitInsideAndEveryCallerServed() async {
        let gate = CallGate(limit: 3)
        let inside = Inside()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    await gate.run { () async -> Void in
                        inside.figures.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        await Task.yield()
                        try? await Task.sleep(for: .milliseconds(2))
                        inside.figures.withLock { $0.now -= 1; $0.served += 1 }
                    }
                }
            }
        }
        let figures = inside.figures.withLock { $0 }
        #expect(figures.most == 3 && figures.served == 60 && figures.now == 0)
        #expect(gate.holders == 0)
    }

    /// A body's error passes through and frees the place.
    @Test func anErrorPassesThroughAndFreesThePlace() async {
        struct Refused: Error {}
        let gate = CallGate(limit: 1)
        await #expect(throws: Refused.self) { try await gate.run { () async throws(Refused) -> Int in throw Refused() } }
        #expect(gate.holders == 0)
        #expect(await gate.run { () async -> Int in 7 } == 7)
    }
}
