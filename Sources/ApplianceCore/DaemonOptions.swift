import ArgumentParser
import Glibc

/// The flags every daemon takes: `--root`, `--foreground`/`-d`,
/// `--config`. Embed with `@OptionGroup var daemon: DaemonOptions`.
public struct DaemonOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp("Root folder of the appliance tree (etc/, run/, var/ below it); / on the appliance, a development folder otherwise.", valueName: "dir"))
    public var root: String = "/"

    @Flag(name: [.customShort("d"), .long], help: "Stay in the foreground and log to standard error (how procmon runs every service).")
    public var foreground = false

    @Option(name: .long, help: ArgumentHelp("Configuration file (default: the daemon's file under <root>/etc/appliance).", valueName: "file"))
    public var config: String?

    public init() {}

    public var paths: AppliancePaths { AppliancePaths(root: root) }

    /// Without `--foreground`: detach from the terminal (fork, setsid, fork),
    /// with standard output and error appended to `logFile`. Call before any
    /// thread is started.
    public func detachUnlessForeground(logFile: String) throws {
        guard !foreground else { return }
        let logFD = open(logFile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard logFD >= 0 else { throw ValidationError("cannot open \(logFile): \(errnoText())") }
        if fork() != 0 { _exit(0) }
        setsid()
        if fork() != 0 { _exit(0) }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        dup2(null, 0)
        dup2(logFD, 1)
        dup2(logFD, 2)
        close(null)
        close(logFD)
    }
}
