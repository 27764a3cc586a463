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

        auditd follows configd's system and audit sections: the hostname, retention, and \
        each "logging remote" collector, to which it forwards the journal over TLS \
        (RFC 5425, octet counting, TLS 1.2+), the certificate checked against a CA bundle \
        and permitted peer name or a SHA-256 pin, optionally with a client certificate. \
        Each destination resends from its own persisted cursor after a break, so a \
        collector outage or an auditd crash loses no accepted event. See auditd(8).

        SIGTERM stops. Retention options apply while the configuration sets none.
        """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "Delete journal segments whose newest event is older than this many days.")
    var retentionDays = 90

    @Option(help: "Keep the journal under this many MiB (oldest segments deleted first).")
    var retentionMib = 256

    @Option(help: "Report the disk nearly full below this many MiB free.")
    var diskReserveMib = 64

    func validate() throws {
        guard (1...3650).contains(retentionDays) else { throw ValidationError("--retention-days must be 1-3650") }
        guard (16...1_048_576).contains(retentionMib) else { throw ValidationError("--retention-mib must be 16-1048576") }
        guard (1...1_048_576).contains(diskReserveMib) else { throw ValidationError("--disk-reserve-mib must be 1-1048576") }
    }

    func run() throws {
        let settings = Auditd.Settings(retentionDays: retentionDays, retentionMiB: retentionMib, diskReserveMiB: diskReserveMib)
        try daemon.run("auditd") { await Auditd.run(paths: $0.paths, settings: settings, signals: $0.signals) }
    }
}

