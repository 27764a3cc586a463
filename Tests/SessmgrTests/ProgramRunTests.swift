import ApplianceCore
import Glibc
import Synchronization
import Testing
@testable import Sessmgr

@Suite struct ProgramRunTests {
    /// The pipes (`pipe:[inode]`) a child of ProgramRun (ls) holds above fd 2.
    static func pipesOfAChild() -> [String] {
        ProgramRun.run(["/bin/ls", "-l", "/proc/self/fd"]).output.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard let arrow = words.firstIndex(of: "->"), arrow > 0, arrow + 1 < words.count,
                  let fd = Int(words[arrow - 1]), fd > 2, words[arrow + 1].hasPrefix("pipe:") else { return nil }
            return String(words[arrow + 1])
        }
    }

    /// ProgramRun's output pipe must be close-on-exec from the moment it
    /// exists: made with pipe(2) and marked afterwards, a program another
    /// thread starts in between inherits it (and holds the other run's output
    /// open). Many runs on several threads at once; no child may hold a pipe
    /// but its own output.
    @Test func concurrentRunsLeakNoPipeIntoEachOthersChildren() async throws {
        // Pipes this process already holds without close-on-exec are not ProgramRun's.
        let inherited = Set(Self.pipesOfAChild())
        let leaks = LeakLog()
        let threads = 8, runs = 300
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<threads {
                group.addTask {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        DedicatedThread.start(name: "program-run") {
                            for _ in 0..<runs {
                                let extra = Self.pipesOfAChild().filter { !inherited.contains($0) }
                                if !extra.isEmpty { leaks.list.withLock { $0 += extra } }
                            }
                            continuation.resume()
                        }
                    }
                }
            }
        }
        let found = leaks.list.withLock { $0 }
        #expect(found.isEmpty, "\(found.count) pipes of other runs leaked into children, e.g. \(found.prefix(3))")
    }
}

final class LeakLog: Sendable {
    let list = Mutex<[String]>([])
}
