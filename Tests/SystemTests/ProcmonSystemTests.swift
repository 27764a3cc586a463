import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Supervisor
import Foundation
import Glibc
import Testing

/// procmon supervising the real test service, one behaviour per test.
/// Serialized: tests create OS users and bind ports.
@Suite(.serialized) struct ProcmonSystemTests {
    static let testService = "{bin}/appliance-testsvc --foreground"

    /// A service killed with SIGKILL is started again, its start count grows
    /// by one, and the restart is an audit event.
    @Test func killedServiceIsRestartedCountedAndAudited() throws {
        let harness = try ProcmonHarness(manifest: """
        [service worker]
        exec = \(Self.testService)
        stable-after = 1s
        """)
        defer { harness.stop() }
        var first: ProcessStatus?
        harness.waitUntil("worker running") { first = harness.running("worker"); return first != nil }
        let pid = try #require(first?.pid)
        #expect(first?.startCount == 1)
        kill(pid, SIGKILL)
        var second: ProcessStatus?
        harness.waitUntil("worker restarted") { second = harness.running("worker"); return second.map { $0.pid != pid } ?? false }
        #expect(second?.startCount == 2)
        #expect(second?.lastExit == "killed by signal 9 (SIGKILL)")
        harness.waitUntil("restart audit event") { !harness.audit.events(kind: "service-restart").isEmpty }
        let event = try #require(harness.audit.events(kind: "service-restart").first)
        #expect(event.contains(#"service="worker""#) && event.contains(#"status="killed by signal 9 (SIGKILL)""#))
    }

    /// A service that dies at once is restarted with growing delays, then
    /// marked failed at the start limit (not restarted in a tight loop) and audited.
    @Test func crashingServiceBacksOffThenIsMarkedFailed() throws {
        let harness = try ProcmonHarness(manifest: """
        [service crasher]
        exec = \(Self.testService) --crash-after 0 --exit-code 3
        restart-delay = 50ms
        start-limit = 3
        """)
        defer { harness.stop() }
        harness.waitUntil("crasher failed") { harness.status("crasher")?.state == "failed" }
        let status = try #require(harness.status("crasher"))
        #expect(status.startCount == 4)
        #expect(status.failureReason == "3 restarts failed in a row; last: exit status 3")
        harness.waitUntil("failed audit event") { !harness.audit.events(kind: "service-failed").isEmpty }
        let restarts = harness.audit.events(kind: "service-restart")
        #expect(restarts.count == 3)
        #expect(restarts.map { $0.contains(#"restart-in="0 ms""#) } == [true, false, false])
        #expect(restarts.last?.contains(#"restart-in="100 ms""#) == true)
        usleep(500_000)
        #expect(harness.status("crasher")?.startCount == 4)
    }

    /// A service whose RSS stays over its memory limit is restarted, and that is audited.
    @Test func serviceOverItsMemoryLimitIsRestarted() throws {
        let harness = try ProcmonHarness(manifest: """
        [service hog]
        exec = \(Self.testService) --grow-mi-b 96
        memory-limit = 48M
        memory-grace = 1s
        """)
        defer { harness.stop() }
        harness.waitUntil("memory limit audit event") { !harness.audit.events(kind: "service-memory-limit").isEmpty }
        harness.waitUntil("hog restarted") { (harness.status("hog")?.startCount ?? 0) >= 2 }
        let event = try #require(harness.audit.events(kind: "service-memory-limit").first)
        #expect(event.contains(#"limit="50331648""#))
        #expect(harness.procmonLog.contains("hog over its memory limit"))
    }

    /// SIGTERM to procmon stops every service (one ignoring SIGTERM is
    /// killed after its grace period) and leaves no process behind.
    @Test func sigtermStopsEveryServiceAndLeavesNoProcess() throws {
        let harness = try ProcmonHarness(manifest: """
        [service base]
        exec = \(Self.testService)

        [service stubborn]
        exec = \(Self.testService) --ignore-term
        after = base
        stop-timeout = 500ms
        """)
        var pids: [Int32] = []
        harness.waitUntil("both running") {
            pids = (try harness.processes()).compactMap { $0.state == "running" ? $0.pid : nil }
            return pids.count == 2
        }
        kill(harness.process.processIdentifier, SIGTERM)
        harness.process.waitUntilExit()
        #expect(harness.process.terminationStatus == 0)
        for pid in pids { #expect(!processExists(pid), "service pid \(pid) survived procmon") }
        #expect(harness.procmonLog.contains("all services stopped"))
        harness.waitUntil("procmon stop audit") { !harness.audit.events(kind: "procmon-stop").isEmpty }
        harness.stop()
    }

    /// A service starts only once the services it is `after` are ready.
    @Test func dependentStartsAfterItsDependencyIsReady() throws {
        let harness = try ProcmonHarness(manifest: """
        [service first]
        exec = \(Self.testService) --ready-delay 700

        [service second]
        exec = \(Self.testService)
        after = first
        """)
        defer { harness.stop() }
        harness.waitUntil("first starting") { harness.status("first")?.state == "starting" }
        #expect(harness.status("second")?.state == "waiting")
        harness.waitUntil("second running") { harness.running("second") != nil }
        let log = harness.procmonLog
        let firstReady = try #require(log.range(of: "service ready pid=")?.lowerBound)
        let secondStarted = try #require(log.range(of: "service started pid=", range: firstReady..<log.endIndex))
        #expect(log[secondStarted.lowerBound...].contains("service=second"))
    }

    /// A service that never declares readiness is killed at its ready timeout and retried.
    @Test func serviceNeverReadyIsKilledAtTheReadyTimeout() throws {
        let harness = try ProcmonHarness(manifest: """
        [service mute]
        exec = \(Self.testService) --no-ready
        ready-timeout = 300ms
        """)
        defer { harness.stop() }
        harness.waitUntil("ready timeout audit") { !harness.audit.events(kind: "service-ready-timeout").isEmpty }
        harness.waitUntil("mute retried") { (harness.status("mute")?.startCount ?? 0) >= 2 }
    }

    /// Each service's stdout/stderr lands in var/log/<name>.log.
    @Test func serviceOutputIsCapturedInItsLogFile() throws {
        let harness = try ProcmonHarness(manifest: "[service talker]\nexec = \(Self.testService)\n")
        defer { harness.stop() }
        harness.waitUntil("talker log") { harness.serviceLog("talker").contains("testsvc ready pid=") }
    }

    /// SIGHUP re-reads the manifest: a service added to it starts.
    @Test func sighupStartsAServiceAddedToTheManifest() throws {
        let harness = try ProcmonHarness(manifest: "[service one]\nexec = \(Self.testService)\n")
        defer { harness.stop() }
        harness.waitUntil("one running") { harness.running("one") != nil }
        try "[service one]\nexec = \(ProcmonHarness.binDirectory)/appliance-testsvc -d\n\n[service two]\nexec = \(ProcmonHarness.binDirectory)/appliance-testsvc -d\n"
            .write(toFile: harness.root + "/etc/appliance/services.conf", atomically: true, encoding: .utf8)
        kill(harness.process.processIdentifier, SIGHUP)
        harness.waitUntil("two running") { harness.running("two") != nil }
    }

    /// A bad manifest stops procmon at start with the file, line and problem.
    @Test func badManifestIsRefusedWithFileLineAndProblem() throws {
        let harness = try ProcmonHarness(manifest: "[service one]\nexec = x\nrestrat = always\n")
        harness.process.waitUntilExit()
        #expect(harness.process.terminationStatus == 78)
        #expect(harness.procmonLog.contains("services.conf:3: unknown key \"restrat\""))
        harness.stop()
    }

    /// `procmon status` prints the NX-OS-style table; `stop` by root works and is audited.
    @Test func statusTableAndStopCommandWork() throws {
        let harness = try ProcmonHarness(manifest: "[service shown]\nexec = \(Self.testService)\n")
        defer { harness.stop() }
        harness.waitUntil("shown running") { harness.running("shown") != nil }
        let status = try run(ProcmonHarness.binDirectory + "/procmon", ["--root", harness.root, "status"])
        #expect(status.code == 0)
        #expect(status.output.hasPrefix("PID "))
        #expect(status.output.contains(" running ") && status.output.hasSuffix("shown\n"))
        let stopped = try run(ProcmonHarness.binDirectory + "/procmon", ["--root", harness.root, "stop", "shown"])
        #expect(stopped.code == 0)
        harness.waitUntil("shown stopped") { harness.status("shown")?.state == "stopped" }
        harness.waitUntil("stop audit") { !harness.audit.events(kind: "service-stop").isEmpty }
        let unknown = try run(ProcmonHarness.binDirectory + "/procmon", ["--root", harness.root, "stop", "nosuch"])
        #expect(unknown.code == 1)
        #expect(unknown.error.contains("no service \"nosuch\"; services: shown"))
    }

    /// As root: a caller with another uid may read `processes` but is denied
    /// `stop`, and the refusal is audited.
    @Test(.enabled(if: getuid() == 0, "needs root to call as another uid"))
    func otherUsersMayReadButNotStopServices() throws {
        let harness = try ProcmonHarness(manifest: "[service guarded]\nexec = \(Self.testService)\n")
        defer { harness.stop() }
        harness.waitUntil("guarded running") { harness.running("guarded") != nil }
        chmod(harness.root, 0o755)
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", ProcmonHarness.binDirectory + "/procmon", "--root", harness.root]
        let read = try run("/usr/bin/setpriv", asNobody + ["status"])
        #expect(read.code == 0 && read.output.contains("guarded"))
        let stop = try run("/usr/bin/setpriv", asNobody + ["stop", "guarded"])
        #expect(stop.code == 1)
        #expect(stop.error.contains("stop is allowed to root or uid 0, not to uid 65534"))
        #expect(harness.status("guarded")?.state == "running")
        harness.waitUntil("refusal audited") { harness.audit.events(kind: "control-refused").contains { $0.contains(#"uid="65534""#) } }
    }

    /// As root (appliance mode): the service runs as its own user with no
    /// groups, NoNewPrivs, exactly the manifest's capabilities, and serves the
    /// privileged port procmon bound for it.
    @Test(.enabled(if: getuid() == 0, "privilege dropping needs root"))
    func applianceModeDropsPrivilegesAndPassesThePrivilegedSocket() throws {
        let harness = try ProcmonHarness(manifest: """
        [service shaper]
        exec = \(Self.testService)
        user = appliance-test
        capabilities = net_admin
        listen = hello tcp 7 127.0.0.1
        """, portBase: 0)
        defer { harness.stop() }
        var status: ProcessStatus?
        harness.waitUntil("shaper running") { status = harness.running("shaper"); return status != nil }
        let pid = try #require(status?.pid)
        let proc = procStatus(pid)
        let uid = try #require(proc["Uid"]?.split(separator: "\t").first.flatMap { UInt32($0) })
        #expect(uid != 0)
        #expect(getpwnam("appliance-test")?.pointee.pw_uid == uid)
        #expect(proc["Uid"] == "\(uid)\t\(uid)\t\(uid)\t\(uid)")
        #expect(proc["Gid"]?.hasPrefix("0") == false)
        #expect(proc["Groups"] == "")
        #expect(proc["NoNewPrivs"] == "1")
        let netAdmin = String(format: "%016x", 1 << 12)
        #expect(proc["CapEff"] == netAdmin)
        #expect(proc["CapPrm"] == netAdmin)
        #expect(proc["CapAmb"] == netAdmin)
        #expect(proc["CapBnd"] == netAdmin)
        #expect(status?.user == "appliance-test")
        // Only 0, 1, 2 and the passed socket are open in the service.
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").compactMap(Int.init).sorted()
        #expect(fds.prefix(4) == [0, 1, 2, 3])
        let reply = try tcpRequest(port: 7)
        #expect(reply == "hello hello \(pid)\n")
        let environment = try String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8).split(separator: "\0").map(String.init)
        #expect(environment.contains("APPLIANCE_SERVICE=shaper"))
        #expect(!environment.contains { $0.hasPrefix("HOME=") || $0.hasPrefix("SUDO") })
    }
}

/// Runs a command and returns its exit code, standard output and standard error.
func run(_ executable: String, _ arguments: [String]) throws -> (code: Int32, output: String, error: String) {
    try ChildProcess.run(executable, arguments)
}

/// A TCP connection to 127.0.0.1:port; the caller closes it.
func tcpConnect(port: UInt16) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    guard connected == 0 else {
        let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECONNREFUSED)
        close(fd)
        throw error
    }
    return fd
}

/// Connects to 127.0.0.1:port and reads until the peer closes.
func tcpRequest(port: UInt16) throws -> String {
    let fd = try tcpConnect(port: port)
    defer { close(fd) }
    var reply: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { break }
        reply += buffer[0..<n]
    }
    return String(decoding: reply, as: UTF8.self)
}
