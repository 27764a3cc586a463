import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Supervisor
import Foundation
import Glibc
import Testing

/// Runs the real `procmon` binary on a temporary appliance root with a
/// manifest written by the test, and reads what it does: its control socket,
/// its audit events (a datagram socket bound where auditd's would be), its
/// logs and `/proc`.
final class ProcmonHarness: @unchecked Sendable {
    static var binDirectory: String {
        if let explicit = ProcessInfo.processInfo.environment["APPLIANCE_BIN_DIR"] { return explicit }
        // The test bundle lives in the build folder beside the executables.
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return (exe as NSString).deletingLastPathComponent
    }

    let root: String
    let portBase: Int
    let process: ChildProcess
    /// The stand-in for auditd; nil when the manifest runs the real auditd.
    let standIn: AuditReceiver?
    var audit: AuditReceiver { standIn! }
    var paths: AppliancePaths { AppliancePaths(root: root) }
    var client: ControlClient { ControlClient(paths: paths, daemon: "procmon", timeout: .seconds(5)) }

    /// `manifest` may use `{bin}` for the binaries folder.
    /// procmon gets this test process's environment plus `environment`, less `unsetting`.
    /// `launcher` runs procmon through another program (e.g. `ip netns exec NS`), which must exec it.
    init(manifest: String, portBase: Int = 20000, arguments: [String] = [], environment: [String: String] = [:], unsetting: [String] = [],
         auditStandIn: Bool = true, launcher: [String] = []) throws {
        root = NSTemporaryDirectory() + "procmon-test-" + UUID().uuidString.prefix(8)
        self.portBase = portBase
        try FileManager.default.createDirectory(atPath: root + "/run/appliance", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/etc/appliance", withIntermediateDirectories: true)
        try manifest.replacingOccurrences(of: "{bin}", with: Self.binDirectory)
            .write(toFile: root + "/etc/appliance/services.conf", atomically: true, encoding: .utf8)
        standIn = auditStandIn ? try AuditReceiver(path: root + "/run/appliance/audit.sock") : nil
        let procmonArguments = ["--root", root, "--foreground", "--port-base", String(portBase)] + arguments
        let command = launcher + [Self.binDirectory + "/procmon"] + procmonArguments
        var childEnvironment: [String: String?] = environment
        for name in unsetting { childEnvironment[name] = .some(nil) }
        FileManager.default.createFile(atPath: root + "/procmon.err", contents: nil)
        process = try ChildProcess(command[0], Array(command.dropFirst()), environment: childEnvironment,
                                   standardError: .file(root + "/procmon.err"))
    }

    var procmonLog: String { (try? String(contentsOfFile: root + "/procmon.err", encoding: .utf8)) ?? "" }

    func serviceLog(_ name: String) -> String {
        (try? String(contentsOfFile: paths.logFile(name), encoding: .utf8)) ?? ""
    }

    func processes() throws -> [ProcessStatus] {
        try client.callBlocking(ProcmonMethod.Processes.self, NoValue())
    }

    func status(_ name: String) -> ProcessStatus? {
        (try? processes())?.first { $0.name == name }
    }

    /// Polls until `condition` holds or `timeout` passes; records an issue naming `what` on timeout.
    @discardableResult
    func waitUntil(_ what: String, timeout: Duration = .seconds(20), _ condition: () throws -> Bool) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if (try? condition()) == true { return true }
            usleep(20_000)
        }
        Issue.record("timed out waiting for \(what); procmon log:\n\(procmonLog)")
        return false
    }

    func running(_ name: String) -> ProcessStatus? {
        guard let status = status(name), status.state == "running" else { return nil }
        return status
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
        }
        standIn?.close()
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// Stands in for auditd's intake: a datagram socket at `run/appliance/audit.sock`,
/// drained continuously (the kernel queues only `net.unix.max_dgram_qlen`
/// datagrams, 10 by default, before senders are refused).
final class AuditReceiver: @unchecked Sendable {
    let fd: Int32
    let path: String
    private let received = NSLock()
    private var messages: [String] = []
    private var closed = false

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        chmod(path, 0o666)
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&poller, 1, 100)
                received.lock()
                let done = closed
                received.unlock()
                if done { return }
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                guard n > 0 else { continue }
                let text = String(decoding: buffer[0..<n], as: UTF8.self)
                received.lock()
                messages.append(text)
                received.unlock()
            }
        }
        thread.start()
    }

    /// Every event received so far.
    func events() -> [String] {
        received.lock()
        defer { received.unlock() }
        return messages
    }

    func events(kind: String) -> [String] {
        events().filter { $0.contains(" \(kind) [") || $0.contains(" \(kind) - ") }
    }

    func close() {
        received.lock()
        let wasClosed = closed
        closed = true
        received.unlock()
        guard !wasClosed else { return }
        unlink(path)
        usleep(150_000)  // the drain thread sees `closed` within one poll
        Glibc.close(fd)
    }
}

/// Fields of `/proc/<pid>/status`.
func procStatus(_ pid: Int32) -> [String: String] {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [:] }
    var fields: [String: String] = [:]
    for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return fields
}

func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}

/// The processes running program `name` of the set: the one executable
/// (/proc/PID/exe, resolved) under that program's name (/proc/PID/comm, the
/// link's name it was started by).
func pids(ofProgram name: String) -> [Int32] {
    let executable = URL(fileURLWithPath: ProcmonHarness.binDirectory + "/appliance").resolvingSymlinksInPath().path
    let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc").compactMap(Int32.init)) ?? []
    return pids.filter { pid in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) == executable
            && (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) == name + "\n"
    }
}
