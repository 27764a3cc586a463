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
        Exit codes: 0 success, 1 the request failed, 64 usage, 69 procmon unreachable,
        71 system error, 78 bad manifest.
        """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: ArgumentHelp("Added to every port in the manifest (default: 0 with --root /, 10000 otherwise).", valueName: "n"))
    var portBase: Int?

    @Option(help: ArgumentHelp("Address services listen on when the manifest names none (default: :: with --root /, 127.0.0.1 otherwise).", valueName: "address"))
    var listenAddress: String?

    @Option(help: ArgumentHelp("Folder with the service executables (default: procmon's own folder).", valueName: "dir"))
    var binDir: String?

    @Flag(help: "Output of status as JSON.")
    var json = false

    @Argument(help: "status, start, stop or restart (none: run the appliance).")
    var command: String?

    @Argument(help: "The service a start, stop or restart applies to.")
    var service: String?

    func validate() throws {
        switch command {
        case nil, "status": guard service == nil else { throw ValidationError("\(command ?? "run") takes no service name") }
        case "start", "stop", "restart": guard service != nil else { throw ValidationError("\(command!) needs a service name") }
        default: throw ValidationError("unknown command \"\(command!)\"; expected status, start, stop or restart")
        }
        if let portBase, !(0...55000).contains(portBase) { throw ValidationError("--port-base must be 0-55000") }
    }

    func run() throws {
        let paths = daemon.paths
        if let command { throw ExitCode(control(command, paths: paths)) }
        let manifestPath = daemon.config ?? paths.configDirectory + "/services.conf"
        try AtomicFile.makeFolders(paths.logDirectory)
        try daemon.detachUnlessForeground(logFile: paths.logFile("procmon"))
        // Before any thread exists: every thread inherits the blocked mask.
        let signals = SignalWatcher.install([SIGCHLD, SIGTERM, SIGINT, SIGHUP])
        ApplianceLogging.bootstrap(label: "procmon")
        let settings = SupervisorSettings(
            paths: paths,
            binDirectory: AppliancePaths.absolute(binDir ?? Self.ownFolder()),
            portBase: portBase ?? (paths.isApplianceRoot ? 0 : 10000),
            listenAddress: listenAddress ?? (paths.isApplianceRoot ? "::" : "127.0.0.1"),
            dropsPrivileges: geteuid() == 0
        )
        let foreground = daemon.foreground
        let code = runBlocking {
            await Procmon.run(settings: settings, manifestPath: manifestPath, signals: signals) { processes in
                guard foreground else { return }
                print(Self.summary(processes, settings: settings, manifest: manifestPath))
                fflush(nil)
            }
        }
        throw ExitCode(code)
    }

    /// What `make run` shows once every service is up.
    static func summary(_ processes: [ProcessStatus], settings: SupervisorSettings, manifest: String) -> String {
        let manifestServices = (try? Procmon.readManifest(manifest).services) ?? []
        var text = "\nappliance running (root \(settings.paths.root.isEmpty ? "/" : settings.paths.root), port base \(settings.portBase))\n\n"
        text += ProcessTable.render(processes)
        let listening = manifestServices.flatMap { service in
            service.listen.map { listen in
                listen.transport == .unix || listen.transport == .unixgram
                    ? "  \(service.name) \(listen.name): \(settings.paths.runDirectory)/\(listen.address ?? "")"
                    : "  \(service.name) \(listen.name): \(listen.transport.rawValue) \(listen.address ?? settings.listenAddress):\(Int(listen.port) + settings.portBase)"
            }
        }
        if !listening.isEmpty { text += "\nlistening:\n" + listening.joined(separator: "\n") + "\n" }
        // Where to point a browser: webd's HTTPS socket.
        for service in manifestServices {
            for listen in service.listen where listen.name == "https" && listen.transport == .tcp {
                let host = listen.address ?? settings.listenAddress
                text += "\nbrowser:    https://\(host.contains(":") ? "[\(host)]" : host):\(Int(listen.port) + settings.portBase)/\n"
            }
        }
        if let password = try? AtomicFile.read(settings.paths.initialAdminPasswordFile) {
            // Shown on the terminal of `make run` only, never logged (written once and printed).
            text += "\nadmin password: \(String(decoding: password, as: UTF8.self).trimmingNewline) (from \(settings.paths.initialAdminPasswordFile))\n"
        }
        let root = settings.paths.root.isEmpty ? "/" : settings.paths.root
        text += "\ncli:        \(ownFolder())/cli --root \(root)    (? for help)\n"
        if manifestServices.contains(where: { $0.name == "sshd" }) {
            let user = geteuid() == 0 ? "ACCOUNT" : (getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "USER")
            text += "ssh:        ssh -p \(22 + settings.portBase) \(user)@127.0.0.1   (after: cli --root \(root) -c 'account NAME pubkey add \"KEY\"')\n"
        }
        text += "\nlogs:       \(settings.paths.logDirectory)/<service>.log\n"
        text += "status:     \(ownFolder())/procmon --root \(settings.paths.root.isEmpty ? "/" : settings.paths.root) status\n"
        text += "stop:       Ctrl-C\n"
        return text
    }

    func control(_ command: String, paths: AppliancePaths) -> Int32 {
        let client = ControlClient(paths: paths, daemon: "procmon")
        do {
            switch command {
            case "status":
                let processes = try client.callBlocking(ProcmonMethod.Processes.self, NoValue())
                if json {
                    print(String(decoding: try ControlCodec.encodeResult(processes, id: 0), as: UTF8.self), terminator: "")
                } else {
                    print(ProcessTable.render(processes), terminator: "")
                }
            case "start":
                print(ProcessTable.render([try client.callBlocking(ProcmonMethod.Start.self, ServiceName(service!))]), terminator: "")
            case "stop":
                print(ProcessTable.render([try client.callBlocking(ProcmonMethod.Stop.self, ServiceName(service!))]), terminator: "")
            default:
                print(ProcessTable.render([try client.callBlocking(ProcmonMethod.Restart.self, ServiceName(service!))]), terminator: "")
            }
            return 0
        } catch let error as ControlError {
            FileHandleStandardError.write("procmon: \(error.message)\n")
            return error.code == .unavailable || error.code == .timeout ? 69 : 1
        } catch {
            FileHandleStandardError.write("procmon: \(error)\n")
            return 1
        }
    }

    static func ownFolder() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "." }
        let path = String(cString: buffer)
        return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
    }
}

extension String {
    var trimmingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
}

enum FileHandleStandardError {
    static func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

ProcmonCommand.main()
