import ApplianceCore
import ArgumentParser
import Audit
import Glibc

struct AuditdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auditd",
        abstract: "The appliance's audit daemon: takes every process's audit events and keeps them durably.",
        discussion: """
        auditd reads RFC 5424 audit events from <root>/run/appliance/audit.sock (a datagram \
        socket, passed by procmon as "intake"), stamps each with its sender's kernel-verified \
        pid, uid and gid (SCM_CREDENTIALS) in an origin@32473 element, and appends it to the \
        journal in <root>/var/lib/appliance/auditd/journal (group commit: one write and one \
        fdatasync per batch; an event is accepted once synced). A malformed or oversized \
        message is kept as an error record. <root>/run/appliance/auditd.sock answers query \
        (time range, severity, app, account, text) and status.

        Forwarding to remote syslog collectors over TLS (RFC 5425) is not built yet.

        SIGTERM stops. (auditd has no configuration file yet: retention is set by the options.)
        """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "Delete journal segments whose newest event is older than this many days.")
    var retentionDays = 90

    @Option(help: "Keep the journal under this many MiB (oldest segments deleted first).")
    var retentionMib = 256

    func validate() throws {
        guard (1...3650).contains(retentionDays) else { throw ValidationError("--retention-days must be 1-3650") }
        guard (16...1_048_576).contains(retentionMib) else { throw ValidationError("--retention-mib must be 16-1048576") }
    }

    func run() throws {
        let paths = daemon.paths
        try AtomicFile.makeFolders(paths.logDirectory)
        try daemon.detachUnlessForeground(logFile: paths.logFile("auditd"))
        let signals = SignalWatcher.install([SIGTERM, SIGINT, SIGHUP])
        ApplianceLogging.bootstrap(label: "auditd")
        let settings = Auditd.Settings(retentionDays: retentionDays, retentionMiB: retentionMib)
        throw ExitCode(runBlocking { await Auditd.run(paths: paths, settings: settings, signals: signals) })
    }
}

AuditdCommand.main()
