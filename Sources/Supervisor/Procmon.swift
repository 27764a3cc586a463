import ApplianceProtocol
import Configuration
import ApplianceCore
import CApplianceSystem
import Glibc
import Logging

/// procmon's service: reads the manifest, serves the control socket, starts
/// the services, and turns signals into reaping, reloads and an orderly stop.
public enum Procmon {
    /// Exit codes: 0 stopped cleanly, 78 bad configuration, 71 system error.
    public static let exitConfigError = ExitCodes.configError
    public static let exitSystemError = ExitCodes.systemError

    public static func readManifest(_ path: String) throws -> ServiceManifest {
        guard let bytes = try AtomicFile.read(path, limit: 1 << 20) else {
            throw ManifestError(file: path, line: 0, problem: "no such file")
        }
        return try ManifestParser.parse(String(decoding: bytes, as: UTF8.self), file: path)
    }

    /// Runs until SIGTERM/SIGINT; returns the exit code.
    /// `signals` must have been installed before any thread was started.
    public static func run(settings: SupervisorSettings, manifestPath: String, signals: SignalWatcher,
                           announce: @escaping @Sendable ([ProcessStatus]) -> Void) async -> Int32 {
        let logger = Logger(label: "procmon")
        let paths = settings.paths
        do {
            try ServiceFolders.prepareTree(paths: paths)
        } catch {
            logger.critical("cannot prepare the appliance tree", metadata: ["error": "\(error)"])
            return exitSystemError
        }
        _ = appliance_set_subreaper()
        checkDatagramQueue(applianceMode: paths.isApplianceRoot && geteuid() == 0, logger: logger)
        let manifest: ServiceManifest
        do {
            manifest = try readManifest(manifestPath)
        } catch {
            logger.critical("cannot read the service manifest: \(error)")
            return exitConfigError
        }
        let audit = AuditClient(paths: paths, appName: "procmon")
        let supervisor: Supervisor
        do {
            supervisor = try Supervisor(settings: settings, manifest: manifest, logger: logger, audit: audit)
        } catch {
            logger.critical("cannot prepare the services: \(error)")
            return exitSystemError
        }
        do {
            try AtomicFile.write("\(getpid())\n", to: paths.pidFile("procmon"), mode: 0o644)
        } catch {
            logger.warning("cannot write pid file: \(error)")
        }

        let server = ControlServer(
            path: paths.controlSocket("procmon"), routes: routes(supervisor), socketMode: 0o666, logger: logger
        ) { refusal in audit.record(refusal.auditEvent(socket: "procmon")) }
        // procmon keeps supervising without its socket; its own readiness comes after boot.
        let serving = server.serveInBackground(logger: logger, stopOnFailure: false, onListening: {})
        let sampling = Task {
            while !Task.isCancelled {
                try? await ProcessEventLoop.sleep(for: .milliseconds(500))
                await supervisor.sampleMemory()
            }
        }
        // sshd's banner file and, as root, the OS users of the accounts.
        let sshAccess: Task<Void, Never>? = manifest.services.contains { $0.name == "sshd" } ? Task {
            await SSHAccess.follow(paths: paths, cliPath: settings.binDirectory + "/cli", manageUsers: geteuid() == 0, logger: logger, audit: audit)
        } : nil
        await supervisor.boot { processes in
            ServiceReadiness.notifyReady()
            announce(processes)
        }
        audit.record(AuditEvent("procmon-start", facts: [("services", String(manifest.services.count))], message: "procmon started \(manifest.services.count) services"))

        for await signal in signals.signals {
            switch signal {
            case SIGCHLD:
                await supervisor.reapChildren()
            case SIGHUP:
                do {
                    try await supervisor.reload(readManifest(manifestPath))
                    audit.record(AuditEvent("manifest-reload", message: "procmon re-read \(manifestPath)"))
                } catch {
                    logger.error("manifest not reloaded, the running one stays: \(error)")
                }
            case SIGTERM, SIGINT:
                logger.notice("stopping all services", metadata: ["signal": "\(signal)"])
                await supervisor.shutdown()
                serving.cancel()
                sampling.cancel()
                sshAccess?.cancel()
                if sshAccess != nil, geteuid() == 0, !paths.isApplianceRoot { SSHAccess.removeOwnUsers(paths: paths, logger: logger) }
                _ = await serving.result
                unlink(paths.pidFile("procmon"))
                audit.record(AuditEvent("procmon-stop", message: "procmon stopped all services"))
                return ExitCodes.success
            default:
                break
            }
        }
        return 0
    }

    /// How many datagrams a Unix datagram socket queues (the audit intake
    /// while auditd restarts). On the appliance procmon raises the kernel's
    /// default of 10 to 1024 (rootfs/etc/sysctl.d/60-appliance.conf says the
    /// same); in development mode it only says so.
    static func checkDatagramQueue(applianceMode: Bool, logger: Logger) {
        let path = "/proc/sys/net/unix/max_dgram_qlen"
        guard let bytes = try? AtomicFile.read(path), let current = Int(String(decoding: bytes, as: UTF8.self).filter(\.isNumber)) else { return }
        guard current < 1024 else { return }
        if applianceMode {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            if fd >= 0 {
                _ = Array("1024\n".utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                logger.notice("raised net.unix.max_dgram_qlen from \(current) to 1024 so audit events can wait while auditd restarts")
            }
        } else {
            logger.notice("net.unix.max_dgram_qlen is \(current): at most \(current) audit events wait in audit.sock while auditd restarts (the appliance sets 1024)")
        }
    }

    static func routes(_ supervisor: Supervisor) -> ControlRoutes {
        var routes = ControlRoutes()
        let table = ProcmonAccess.table, resolver = CallerResolver()
        let paths = supervisor.settings.paths
        let sessions = CallerResolver.configdSessions(paths: paths)
        routes.register(ProcmonMethod.Processes.self, table: table, resolver: resolver) { _, _ in
            await supervisor.processes()
        }
        routes.register(ProcmonMethod.Start.self, table: table, resolver: resolver) { parameters, caller in
            try await supervisor.request(.start, service: parameters.name, by: caller)
        }
        routes.register(ProcmonMethod.Stop.self, table: table, resolver: resolver) { parameters, caller in
            try await supervisor.request(.stop, service: parameters.name, by: caller)
        }
        routes.register(ProcmonMethod.Restart.self, table: table, resolver: resolver) { parameters, caller in
            try await supervisor.request(.restart, service: parameters.name, by: caller)
        }
        routes.register(ProcmonMethod.RealtimeThread.self, table: table, resolver: resolver) { parameters, caller in
            try await supervisor.grantRealtime(thread: parameters.thread, to: caller)
        }
        routes.register(ProcmonMethod.Log.self, table: table, resolver: resolver) { parameters, caller in
            _ = try await resolver.authorize(ProcmonMethod.Log.name, in: table, caller: caller, session: parameters.session, verify: sessions)
            let count = parameters.lines ?? 40
            guard (1...1000).contains(count) else { throw ControlError(.invalidParameters, "lines must be from 1 to 1000") }
            guard await supervisor.processes().contains(where: { $0.name == parameters.service }) else {
                throw ControlError(.invalidParameters, "no service named \"\(parameters.service.prefix(64))\"")
            }
            return ProcmonMethod.LogResult(lines: ServiceLog.lastLines(of: paths.logFile(parameters.service), count: count))
        }
        routes.register(ProcmonMethod.NetworkProcesses.self, table: table, resolver: resolver) { parameters, caller in
            _ = try await resolver.authorize(ProcmonMethod.NetworkProcesses.name, in: table, caller: caller, session: parameters.session,
                                             verify: sessions)
            return NetworkSockets.owners()
        }
        return routes
    }
}
