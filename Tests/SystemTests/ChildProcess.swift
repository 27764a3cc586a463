import Foundation
import Glibc

/// A child process of the tests, started with `posix_spawn` and reaped with
/// `waitpid` on its own pid.
///
/// Not Foundation's `Process`: it learns that a child ended from the EOF of
/// a socket the child inherits, so a child that leaves a descendant holding
/// that socket (tmux's server, a daemonising collector) is never seen to
/// end, and `waitUntilExit()` waits for ever. That hung the CLI's tmux test.
final class ChildProcess: @unchecked Sendable {
    /// Where a child's standard output or error goes.
    enum Output {
        case null
        case file(String)
        case fd(Int32)
    }

    let processIdentifier: pid_t
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments`; the environment is this process's
    /// merged with `environment` (nil values unset). Standard input is /dev/null.
    init(_ executable: String, _ arguments: [String], environment: [String: String?] = [:],
         standardOutput: Output = .null, standardError: Output = .null) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (target, output) in [(Int32(1), standardOutput), (Int32(2), standardError)] {
            switch output {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", O_WRONLY, 0)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, target, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            case .fd(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The test runner blocks some signals (SIGTERM among them); a child
        // must start with none blocked and default dispositions, as from a shell.
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOEXEC) }
        processIdentifier = pid
    }

    /// The exit code (128 + the signal for a child killed by one), once it ended.
    var terminationStatus: Int32 { lock.withLock { exitStatus ?? -1 } }

    /// False once the child has ended (and been reaped here).
    var isRunning: Bool { reap(blocking: false) == nil }

    /// Waits for the child to end; returns its exit code.
    @discardableResult
    func waitUntilExit() -> Int32 { reap(blocking: true) ?? -1 }

    private func reap(blocking: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG) } while result < 0 && errno == EINTR
        guard result == processIdentifier else { return nil }
        exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return exitStatus
    }

    /// Runs a command to its end and returns its exit code, standard output and
    /// standard error. Output is collected until the command itself has ended
    /// and its pipes are drained; a descendant that keeps them open (a daemon
    /// it started) does not hold the caller up.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String?] = [:]) throws -> (code: Int32, output: String, error: String) {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        // Close-on-exec, so no other child started meanwhile inherits them
        // (posix_spawn's dup2 clears the flag on the child's own 1 and 2).
        guard pipe(&outPipe) == 0 else { throw POSIXError(.EMFILE) }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw POSIXError(.EMFILE)
        }
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable, arguments, environment: environment, standardOutput: .fd(outPipe[1]), standardError: .fd(errPipe[1]))
        } catch {
            for fd in outPipe + errPipe { close(fd) }
            throw error
        }
        close(outPipe[1])
        close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }
        var collected: [[UInt8]] = [[], []]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 65536)
        var exited = false
        while open[0] || open[1] {
            var polled = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
            for index in 0..<2 where !open[index] { polled[index].fd = -1 }
            let ready = poll(&polled, 2, 50)
            if ready < 0 && errno != EINTR { break }
            var readSomething = false
            for index in 0..<2 where open[index] && polled[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(polled[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    collected[index] += buffer[0..<count]
                    readSomething = true
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    open[index] = false
                }
            }
            // Once the command has ended, stop at the first quiet poll: what
            // it wrote is in the pipes already, and a descendant may hold them.
            if exited && !readSomething { break }
            if !exited { exited = !child.isRunning }
        }
        let code = child.waitUntilExit()
        return (code, String(decoding: collected[0], as: UTF8.self), String(decoding: collected[1], as: UTF8.self))
    }
}
