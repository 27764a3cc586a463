import ArgumentParser
import Glibc

/// What a daemon's service gets from the common start.
public struct DaemonContext: Sendable {
    /// The label of its log lines and its `var/log/<name>.log`.
    public let name: String
    public let paths: AppliancePaths
    public let signals: SignalWatcher
}

extension DaemonOptions {
    /// The signals every daemon watches; procmon adds SIGCHLD.
    public static let standardSignals: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    /// The start every daemon shares, in the order it must happen: the log
    /// folder, detaching (before any thread), the signal mask (still before
    /// any thread, so every later one inherits it), the event loop that runs
    /// its tasks (`eventLoops` threads: one unless the daemon serves heavy
    /// traffic), logging, then `service` until it returns its exit status. Readiness is the service's own
    /// (its control socket listening), since only it knows when it serves.
    ///
    /// Never returns: it throws `ExitCode` with the service's status, as
    /// ArgumentParser's `main` expects; a failed start throws its error.
    public func run(_ name: String, signals watched: [Int32] = standardSignals, eventLoops: Int = 1,
                    service: @escaping @Sendable (DaemonContext) async -> Int32) throws -> Never {
        let paths = self.paths
        try AtomicFile.makeFolders(paths.logDirectory)
        try detachUnlessForeground(logFile: paths.logFile(name))
        let signals = SignalWatcher.install(watched)
        ProcessEventLoop.install(threads: eventLoops)
        ApplianceLogging.bootstrap(label: name)
        let context = DaemonContext(name: name, paths: paths, signals: signals)
        throw ExitCode(runBlocking { await service(context) })
    }
}
