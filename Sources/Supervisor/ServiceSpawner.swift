import ApplianceCore
import CApplianceSystem
import Glibc

/// Everything a service process is started with, resolved by the parent.
public struct SpawnRequest: Sendable {
    public var executable: String
    public var arguments: [String]
    public var environment: [String: String]
    /// Who to become; nil keeps procmon's own identity (not root, or told to).
    public var identity: (uid: UInt32, gid: UInt32)?
    public var capabilities: Set<Int>
    public var standardOutput: Int32
    public var standardError: Int32
    /// Listening sockets (`LISTEN_FDS`, from fd 3) and their names.
    public var listenSockets: [(name: String, fd: Int32)]
    /// Write end of the readiness pipe, passed after the listening sockets.
    public var readinessFD: Int32?
    public var workingDirectory: String
    /// >0: procmon may put its threads under SCHED_FIFO: RLIMIT_RTTIME 1 s.
    public var realtimePriority: Int = 0
}

public struct SpawnError: Error, CustomStringConvertible {
    public var executable: String
    public var step: String
    public var code: Int32
    public var description: String {
        "cannot start \(executable): \(step) failed: \(String(cString: strerror(code)))"
    }
}

/// Starts service processes: the Swift side of `appliance_spawn` (spawn.c),
/// which does the privilege drop between fork and exec.
public enum ServiceSpawner {
    public static func spawn(_ request: SpawnRequest) throws(SpawnError) -> Int32 {
        // fds 0,1,2, then the listening sockets, then the readiness pipe.
        var fds: [Int32] = [open("/dev/null", O_RDONLY | O_CLOEXEC), request.standardOutput, request.standardError]
        defer { close(fds[0]) }
        fds += request.listenSockets.map(\.fd)
        var environment = request.environment
        var listenPIDSlot: Int32 = -1
        if !request.listenSockets.isEmpty {
            environment["LISTEN_FDS"] = String(request.listenSockets.count)
            environment["LISTEN_FDNAMES"] = request.listenSockets.map(\.name).joined(separator: ":")
        }
        if let readinessFD = request.readinessFD {
            environment[ServiceReadiness.environmentVariable] = String(fds.count)
            fds.append(readinessFD)
        }
        var entries = environment.keys.sorted().map { "\($0)=\(environment[$0]!)" }
        if !request.listenSockets.isEmpty {
            // The child writes its own pid here after fork (see spawn.c).
            listenPIDSlot = Int32(entries.count)
            entries.append("LISTEN_PID=" + String(repeating: " ", count: 20))
        }
        let argv = [request.executable] + request.arguments
        var cArgv = argv.map { strdup($0) } + [nil]
        var cEnvp = entries.map { strdup($0) } + [nil]
        defer {
            cArgv.forEach { free($0) }
            cEnvp.forEach { free($0) }
        }
        var pid: pid_t = 0
        var failedStep: UnsafePointer<CChar>?
        let result = request.executable.withCString { path in
            request.workingDirectory.withCString { directory in
                fds.withUnsafeBufferPointer { fdBuffer in
                    cArgv.withUnsafeMutableBufferPointer { argvBuffer in
                        cEnvp.withUnsafeMutableBufferPointer { envpBuffer in
                            var attributes = appliance_spawn_attributes(
                                path: path,
                                argv: argvBuffer.baseAddress,
                                envp: envpBuffer.baseAddress,
                                listen_pid_slot: listenPIDSlot,
                                fds: fdBuffer.baseAddress,
                                nfds: Int32(fdBuffer.count),
                                drop_privileges: request.identity == nil ? 0 : 1,
                                uid: request.identity?.uid ?? 0,
                                gid: request.identity?.gid ?? 0,
                                keep_capabilities: Capabilities.mask(request.capabilities),
                                working_directory: directory,
                                realtime_priority: Int32(request.realtimePriority)
                            )
                            return appliance_spawn(&attributes, &pid, &failedStep)
                        }
                    }
                }
            }
        }
        guard result == 0 else {
            throw SpawnError(executable: request.executable, step: failedStep.map { String(cString: $0) } ?? "fork", code: result)
        }
        return pid
    }
}
