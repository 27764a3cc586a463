import ApplianceProtocol
import ApplianceCore
import ArgumentParser
import Glibc
import Supervisor

struct ProcmonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "procmon",
        abstract: "The appliance's system manager: starts, supervises and stops every service.",
        discussion: """
        With no command, procmon runs: it reads the service manifest, starts each service in \
        dependency order as its own user with only its capabilities (when run as root), passes \
        it its listening sockets (LISTEN_FDS), waits for its readiness (READY=1 on \
        APPLIANCE_READY_FD), restarts it by policy, watches its memory, and writes its output \
        to <root>/var/log/<name>.log. SIGHUP re-reads the manifest; SIGTERM or SIGINT stops \
        every service in reverse dependency order.

        Commands talk to the running procmon over <root>/run/appliance/procmon.sock:
          status            the process table (PID, state, start count, uptime, RSS)
          start NAME        start a stopped or failed service
          stop NAME         stop a service
          restart NAME      stop and start a service
        Exit codes: \(ExitCodes.success) success, \(ExitCodes.failure) the request failed, \(ExitCodes.usage) usage, \
        \(ExitCodes.unavailable) procmon unreachable,
        \(ExitCodes.systemError) system error, \(ExitCodes.configError) bad manifest.
        """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: ArgumentHelp("Added to every port in the manifest (default: 0 with --root /, 10000 otherwise).", valueName: "n"))
    var portBase: Int?

    @Option(help: ArgumentHelp("Address services listen on when the manifest names none (default: :: with --root /, 127.0.0.1 otherwise).", valueName: "address"))
    var listenAddress: String?

    @Option(help: ArgumentHelp("Folder of the appliance executable and its links, where bare names of the manifest are found (default: procmon's own folder).", valueName: "dir"))
    var binDir: String?

    @Flag(help: "Output of status as JSON.")
    var json = false

    @Argument(help: "status, start, stop or restart (none: run the appliance).")
    var command: String?

    @Argument(help: "The service a start, stop or restart applies to.")
    var service: String?

    func validate() throws {
        if let problem = ProcmonCommands.problem(command: command, service: service) { throw ValidationError(problem) }
        if let portBase, !(0...55000).contains(portBase) { throw ValidationError("--port-base must be 0-55000") }
    }

    func run() throws {
        let paths = daemon.paths
        if let command { throw ExitCode(ProcmonCommands.run(command, service: service, json: json, paths: paths)) }
        let manifestPath = daemon.config ?? paths.configDirectory + "/services.conf"
        let settings = SupervisorSettings(
            paths: paths,
            binDirectory: AppliancePaths.absolute(binDir ?? OwnExecutable.folder ?? "."),
            portBase: portBase ?? (paths.isApplianceRoot ? 0 : 10000),
            listenAddress: listenAddress ?? (paths.isApplianceRoot ? "::" : "127.0.0.1"),
            dropsPrivileges: geteuid() == 0
        )
        let foreground = daemon.foreground
        try daemon.run("procmon", signals: [SIGCHLD] + DaemonOptions.standardSignals) { context in
            await Procmon.run(settings: settings, manifestPath: manifestPath, signals: context.signals) { processes in
                // `make run`'s banner, on the terminal only.
                guard foreground else { return }
                print(RunBanner.text(processes, settings: settings, manifest: manifestPath))
                fflush(nil)
            }
        }
    }
}

