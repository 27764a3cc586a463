import ConfigDaemon
import ApplianceCore
import ArgumentParser
import Configuration
import Glibc

struct ConfigdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "configd",
        abstract: "The appliance's configuration daemon: the one owner of the configuration and the accounts.",
        discussion: """
        configd keeps the running configuration in memory and the startup configuration in \
        <root>/var/lib/appliance/configd/startup-config (mode 0600, written atomically). It serves \
        <root>/run/appliance/configd.sock: get, watch, apply, save, revert, diff, authenticate, \
        session, logout, set-password, status; each request is checked against the caller's \
        kernel-verified uid and, for changes, the session's role. Every change, login and save \
        is an audit event.

        On a first start with no account it creates admin with the password from \
        APPLIANCE_ADMIN_PASSWORD, or a random one written once, mode 0600, to \
        <root>/var/lib/appliance/configd/initial-admin-password. A startup configuration that does not \
        parse or validate is set aside as startup-config.rejected and the last good one runs.

        --config FILE keeps the startup configuration at FILE instead (FILE.last-good beside it). \
        SIGHUP re-reads startup-config into the running configuration (unsaved changes are \
        discarded and that is audited); SIGTERM stops.
        """
    )

    @OptionGroup var daemon: DaemonOptions

    func run() throws {
        let startupConfig = daemon.config
        try daemon.run("configd") { await Configd.run(paths: $0.paths, startupConfigPath: startupConfig, signals: $0.signals) }
    }
}

