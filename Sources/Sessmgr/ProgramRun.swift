import CApplianceSystem
import Glibc

/// Runs a program from an argument vector with `posix_spawn` (no shell, so no
/// word of it is ever interpreted) and collects its output and exit status.
public struct ProgramRun: Sendable {
    public var status: Int32
    public var output: String

    /// Runs `arguments[0]` (an absolute path) with a minimal environment.
    public static func run(_ arguments: [String]) -> ProgramRun {
        var pipeFDs: [Int32] = [0, 0]
        // Close-on-exec from the start (pipe2): marked in a second step, a
        // program another thread starts in between would inherit the pipe.
        guard appliance_pipe(&pipeFDs) == 0 else { return ProgramRun(status: -1, output: "pipe: \(String(cString: strerror(errno)))") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), strdup("LC_ALL=C"), nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, &argv, &envp)
        close(pipeFDs[1])
        guard spawned == 0 else {
            close(pipeFDs[0])
            return ProgramRun(status: -1, output: "cannot run \(arguments[0]): \(String(cString: strerror(spawned)))")
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            if output.count < 1 << 20 { output += buffer[0..<count] }
        }
        close(pipeFDs[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return ProgramRun(status: code, output: String(decoding: output, as: UTF8.self))
    }

    /// The first of `candidates` that exists and is executable.
    public static func find(_ candidates: [String]) -> String? {
        candidates.first { access($0, X_OK) == 0 }
    }
}
