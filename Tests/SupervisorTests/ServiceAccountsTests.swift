import ApplianceCore
import Glibc
import Logging
import Synchronization
import Testing
@testable import Supervisor

@Suite(.serialized) struct ServiceAccountsTests {
    /// procmon's supervisor reaps every child (`waitpid(-1)`) on SIGCHLD while
    /// SSHAccess runs useradd/userdel on another thread. The account tool's
    /// exit status must reach ServiceAccounts whoever reaps the child: a tool
    /// that fails is never reported as a success.
    @Test func aFailingAccountToolIsReportedAsAFailureWhileTheSupervisorReaps() async throws {
        let paths = AppliancePaths(root: "/nonexistent-appliance-root")
        let settings = SupervisorSettings(paths: paths, binDirectory: "/nonexistent", portBase: 10000, listenAddress: "127.0.0.1", dropsPrivileges: false)
        let supervisor = try Supervisor(settings: settings, manifest: ServiceManifest(file: "test", services: []),
                                        logger: Logger(label: "test"), audit: AuditClient(socketPath: "/nonexistent/audit.sock", appName: "test"))
        let stop = Atomic(false)
        // The supervisor's reaper, as busy as SIGCHLDs can make it.
        let reaper = Task.detached {
            while !stop.load(ordering: .relaxed) { await supervisor.reapChildren() }
        }
        let runs = 200
        let successes = await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            DedicatedThread.start(name: "account tool") {
                var successes = 0
                for _ in 0..<runs {
                    // A stand-in for a useradd that fails (exit status 3).
                    if (try? ServiceAccounts.runTool("/bin/sh", ["-c", "exit 3"])) != nil { successes += 1 }
                }
                continuation.resume(returning: successes)
            }
        }
        stop.store(true, ordering: .relaxed)
        await reaper.value
        #expect(successes == 0, "\(successes) of \(runs) failing runs were reported as successes")
    }

    /// The tool's own status still comes back when nobody else reaps.
    @Test func aSucceedingAndAFailingToolAreToldApart() throws {
        try ServiceAccounts.runTool("/bin/sh", ["-c", "exit 0"])
        #expect(throws: ServiceAccounts.AccountError.self) { try ServiceAccounts.runTool("/bin/sh", ["-c", "exit 1"]) }
    }
}
