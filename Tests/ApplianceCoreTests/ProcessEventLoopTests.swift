import ApplianceCore
import Glibc
import TestSupport
import Testing

@Suite struct ProcessEventLoopTests {
    /// The loop's sleep waits about as long as asked.
    @Test func sleepWaitsItsDuration() async throws {
        let began = ContinuousClock.now
        try await ProcessEventLoop.sleep(for: .milliseconds(50))
        let waited = ContinuousClock.now - began
        #expect(waited >= .milliseconds(50) && waited < .seconds(5), "\(waited)")
    }

    /// Cancelling the sleeping task ends the sleep at once with
    /// CancellationError, as Task.sleep does (a daemon's loops stop on it).
    @Test func cancellingEndsTheSleepAtOnce() async {
        let began = ContinuousClock.now
        let sleeper = Task { try await ProcessEventLoop.sleep(for: .seconds(30)) }
        try? await ProcessEventLoop.sleep(for: .milliseconds(20))
        sleeper.cancel()
        let outcome = await sleeper.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(ContinuousClock.now - began < .seconds(5))
        // Already cancelled before it starts: no wait at all.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            try await ProcessEventLoop.sleep(for: .seconds(30))
        }
        let earlyOutcome = await early.result
        #expect(throws: CancellationError.self) { try earlyOutcome.get() }
    }

    /// No daemon code sleeps with Task.sleep: since Swift 6.3 it starts
    /// Dispatch's timer threads, which the one-loop budget has no room for.
    @Test func noSourceSleepsWithTaskSleep() throws {
        let sources = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        let listing = try #require(popenLines("cd /\(sources)/Sources && grep -rln 'Task\\.sleep(' --include=*.swift ."))
        let offenders = listing.filter { !$0.hasSuffix("ApplianceCore/ProcessEventLoop.swift") }
        #expect(offenders.isEmpty, "Task.sleep in \(offenders): use ProcessEventLoop.sleep")
    }
}

/// The lines a shell command prints.
private func popenLines(_ command: String) -> [String]? {
    guard let pipe = popen(command, "r") else { return nil }
    defer { pclose(pipe) }
    var lines: [String] = []
    var buffer = [CChar](repeating: 0, count: 4096)
    while fgets(&buffer, Int32(buffer.count), pipe) != nil {
        lines.append(String(cString: buffer).trimmingSuffix("\n"))
    }
    return lines
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
