import ApplianceProtocol
import ApplianceCore
import CApplianceSystem
import Glibc
import Logging

/// How procmon was asked to run.
public struct SupervisorSettings: Sendable {
    public var paths: AppliancePaths
    /// Folder holding the service executables (procmon's own folder).
    public var binDirectory: String
    /// Added to every manifest port (0 on the appliance, 10000 in development mode).
    public var portBase: Int
    /// Address listening sockets bind to when the manifest names none.
    public var listenAddress: String
    /// True when running as root: services get their own users and only their capabilities.
    public var dropsPrivileges: Bool

    public init(paths: AppliancePaths, binDirectory: String, portBase: Int, listenAddress: String, dropsPrivileges: Bool) {
        self.paths = paths
        self.binDirectory = binDirectory
        self.portBase = portBase
        self.listenAddress = listenAddress
        self.dropsPrivileges = dropsPrivileges
    }
}

/// procmon's heart: one `ServiceStateMachine` per service, and the I/O that
/// carries out their actions (spawn, signal, timers, audit). Every event is
/// handled on this actor, one at a time.
public actor Supervisor {
    struct Service {
        var definition: ServiceDefinition
        var machine: ServiceStateMachine
        var log: ServiceLog
        var sockets: [(name: String, fd: Int32)]
        var identity: (uid: UInt32, gid: UInt32)?
        var memory: MemoryWatch?
        var rss: Int?
        /// An operator's stop clears it; dependents start only after a wanted dependency is running.
        var wanted = true
    }

    public let settings: SupervisorSettings
    private let logger: Logger
    private let audit: AuditClient
    private var manifest: ServiceManifest
    private var services: [String: Service] = [:]
    private var shuttingDown = false
    private var bootAnnounced = false
    private var onAllReady: (@Sendable ([ProcessStatus]) -> Void)?

    public init(settings: SupervisorSettings, manifest: ServiceManifest, logger: Logger, audit: AuditClient) throws {
        self.settings = settings
        self.manifest = manifest
        self.logger = logger
        self.audit = audit
        for definition in manifest.services {
            services[definition.name] = try Self.prepare(definition, settings: settings, logger: logger)
        }
    }

    /// Listening sockets, log pipe and OS account of a service, made once.
    private static func prepare(_ definition: ServiceDefinition, settings: SupervisorSettings, logger: Logger) throws -> Service {
        var identity: (uid: UInt32, gid: UInt32)?
        if settings.dropsPrivileges, let user = definition.user {
            identity = try ServiceAccounts.ensure(user: user, group: definition.group)
        }
        var sockets: [(name: String, fd: Int32)] = []
        for listen in definition.listen {
            if listen.transport == .unix || listen.transport == .unixgram {
                let fd = try ListeningSockets.bindUnix(path: settings.paths.runDirectory + "/" + (listen.address ?? definition.name + ".sock"),
                                                       datagram: listen.transport == .unixgram)
                sockets.append((listen.name, fd))
                continue
            }
            let port = Int(listen.port) + settings.portBase
            guard let shifted = UInt16(exactly: port) else {
                throw ListeningSockets.BindError(socket: listen.name, message: "port \(listen.port) + base \(settings.portBase) exceeds 65535")
            }
            let fd = try ListeningSockets.bind(listen.transport, address: listen.address ?? settings.listenAddress, port: shifted)
            sockets.append((listen.name, fd))
        }
        try ServiceFolders.prepare(definition, identity: identity, paths: settings.paths)
        let log = try ServiceLog(path: settings.paths.logFile(definition.name), maximumBytes: definition.logMaxBytes, keptFiles: definition.logFiles)
        log.start()
        return Service(
            definition: definition,
            machine: ServiceStateMachine(policy: definition.restart),
            log: log,
            sockets: sockets,
            identity: identity,
            memory: definition.memoryLimit.map { MemoryWatch(limit: $0, grace: definition.memoryGrace) }
        )
    }

    /// Starts every service in dependency order; `onAllReady` is called once,
    /// when all of them are running for the first time.
    public func boot(onAllReady: @escaping @Sendable ([ProcessStatus]) -> Void) {
        self.onAllReady = onAllReady
        if !settings.dropsPrivileges {
            logger.notice("not running as root: services run as procmon's own user with its privileges (development mode)")
        }
        startEligible()
    }

    // MARK: Events

    private func handle(_ name: String, _ event: ServiceStateMachine.Event) {
        guard var service = services[name] else { return }
        let actions = service.machine.handle(event)
        services[name] = service
        for action in actions { perform(action, for: name) }
        if case .ready = event, case .running = services[name]?.machine.state {
            logger.info("service ready", metadata: ["service": "\(name)", "pid": "\(event.pid.map(String.init) ?? "-")"])
            startEligible()
        }
    }

    private func perform(_ action: ServiceStateMachine.Action, for name: String) {
        guard let service = services[name] else { return }
        switch action {
        case .spawn:
            guard !shuttingDown else { return }
            spawn(name, service)
        case .signal(let pid, let signal):
            // Services lead their own session: signal the group, so helpers go too.
            if kill(-pid, signal) != 0 { kill(pid, signal) }
        case .armStopTimer(let pid):
            after(service.definition.stopTimeout) { await $0.handle(name, .stopTimeout(pid: pid)) }
        case .armReadyTimer(let pid):
            if service.definition.readiness == .none {
                handle(name, .ready(pid: pid, at: .now))
            } else {
                after(service.definition.readyTimeout) { await $0.handle(name, .readyTimeout(pid: pid)) }
            }
        case .scheduleRestart(let attempt, let delay):
            guard !shuttingDown else { return }
            if delay == .zero {
                handle(name, .backoffElapsed(attempt: attempt))
            } else {
                after(delay) { await $0.handle(name, .backoffElapsed(attempt: attempt)) }
            }
        case .audit(let notice):
            report(notice, service: service)
        }
    }

    private func after(_ delay: Duration, _ body: @escaping @Sendable (Supervisor) async -> Void) {
        Task {
            try? await ProcessEventLoop.sleep(for: delay)
            await body(self)
        }
    }

    private func spawn(_ name: String, _ service: Service) {
        let definition = service.definition
        var readinessFDs: [Int32] = [-1, -1]
        if definition.readiness == .notify && appliance_pipe(&readinessFDs) != 0 {
            handle(name, .spawnFailed(reason: "cannot create readiness pipe: \(String(cString: strerror(errno)))"))
            return
        }
        let request = SpawnRequest(
            executable: resolve(definition.command[0]),
            arguments: definition.command.dropFirst().map(expand),
            environment: environment(for: definition),
            identity: service.identity,
            capabilities: definition.capabilities,
            standardOutput: service.log.writeFD,
            standardError: service.log.writeFD,
            listenSockets: service.sockets,
            readinessFD: definition.readiness == .notify ? readinessFDs[1] : nil,
            workingDirectory: "/",
            realtimePriority: definition.realtimePriority
        )
        let pid: Int32
        do {
            pid = try ServiceSpawner.spawn(request)
        } catch {
            if readinessFDs[0] >= 0 { close(readinessFDs[0]); close(readinessFDs[1]) }
            logger.error("service could not be started", metadata: ["service": "\(name)", "error": "\(error)"])
            handle(name, .spawnFailed(reason: "\(error)"))
            return
        }
        services[name]?.memory?.reset()
        services[name]?.rss = nil
        logger.info("service started", metadata: ["service": "\(name)", "pid": "\(pid)"])
        handle(name, .spawned(pid: pid, at: .now))
        if definition.readiness == .notify {
            close(readinessFDs[1])
            watchReadiness(readFD: readinessFDs[0], service: name, pid: pid)
        }
    }

    /// Reads the readiness pipe on its own thread until `READY=1` or end-of-file.
    private nonisolated func watchReadiness(readFD: Int32, service: String, pid: Int32) {
        DedicatedThread.start(name: "ready") { [self] in
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 256)
            while received.count < 4096 {
                let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                received += buffer[0..<n]
                if String(decoding: received, as: UTF8.self).split(separator: "\n").contains("READY=1") {
                    let at = ContinuousClock.now
                    Task { await self.handle(service, .ready(pid: pid, at: at)) }
                    break
                }
            }
            close(readFD)
        }
    }

    /// The manifest's placeholders: `{root}`, `{bin}` (the services'
    /// folder), `{port-base}`, `{listen-address}`.
    private func expand(_ argument: String) -> String {
        argument.replacingOccurrences("{root}", with: settings.paths.root.isEmpty ? "/" : settings.paths.root)
            .replacingOccurrences("{bin}", with: settings.binDirectory)
            .replacingOccurrences("{port-base}", with: String(settings.portBase))
            .replacingOccurrences("{listen-address}", with: settings.listenAddress)
    }

    /// A bare name is looked up in the bin folder; a relative path is taken
    /// from procmon's working directory (the child runs in `/`).
    private func resolve(_ executable: String) -> String {
        if executable.hasPrefix("/") { return executable }
        if executable.contains("/") { return AppliancePaths.absolute(executable) }
        return settings.binDirectory + "/" + executable
    }

    /// A minimal environment: nothing of procmon's own leaks to a service.
    private func environment(for definition: ServiceDefinition) -> [String: String] {
        var environment = ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "APPLIANCE_SERVICE": definition.name]
        for name in definition.passEnvironment + ["APPLIANCE_LOG_LEVEL"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        environment.merge(definition.environment) { $1 }
        // It may ask for real-time threads (the realtime-thread method).
        if definition.realtimePriority > 0 { environment["APPLIANCE_REALTIME_PRIORITY"] = String(definition.realtimePriority) }
        return environment
    }

    /// Starts each wanted, stopped service whose dependencies are all running.
    private func startEligible() {
        guard !shuttingDown else { return }
        for name in manifest.startOrder {
            guard let service = services[name], service.wanted, service.machine.state == .stopped, dependenciesReady(service) else { continue }
            handle(name, .start)
        }
        if !bootAnnounced, services.values.allSatisfy({ if case .running = $0.machine.state { true } else { false } }) {
            bootAnnounced = true
            onAllReady?(processes())
        }
    }

    private func dependenciesReady(_ service: Service) -> Bool {
        service.definition.after.allSatisfy { dependency in
            if case .running = services[dependency]?.machine.state { true } else { false }
        }
    }

    private func report(_ notice: ServiceStateMachine.Notice, service: Service) {
        let name = service.definition.name
        var facts: [(name: String, value: String)] = [("service", name), ("start-count", String(service.machine.startCount))]
        let event: AuditEvent
        switch notice {
        case .crashed(let status, let delay):
            facts += [("status", status.description), ("restart-in", delay.readable)]
            event = AuditEvent("service-restart", severity: .warning, facts: facts, message: "\(name) ended (\(status)); restarting in \(delay.readable)")
        case .startFailed(let reason, let delay):
            facts += [("reason", reason), ("restart-in", delay.readable)]
            event = AuditEvent("service-restart", severity: .warning, facts: facts, message: "\(name) failed to start (\(reason)); retrying in \(delay.readable)")
        case .gaveUp(let failures, let last):
            facts += [("failures", String(failures)), ("reason", last)]
            event = AuditEvent("service-failed", severity: .error, facts: facts, message: "\(name) marked failed after \(failures) restarts in a row; last: \(last)")
        case .memoryLimit(let rss, let limit):
            facts += [("rss", String(rss)), ("limit", String(limit))]
            event = AuditEvent("service-memory-limit", severity: .warning, facts: facts, message: "\(name) over its memory limit (RSS \(rss) > \(limit) bytes); restarting it")
        case .readyTimeout:
            facts += [("timeout", service.definition.readyTimeout.readable)]
            event = AuditEvent("service-ready-timeout", severity: .warning, facts: facts, message: "\(name) was not ready within \(service.definition.readyTimeout.readable); killing it")
        case .exitedForGood(let status):
            facts += [("status", status.description)]
            event = AuditEvent("service-exit", severity: status.isClean ? .notice : .error, facts: facts, message: "\(name) ended (\(status)) and is not restarted by policy")
        }
        logger.warning("\(event.message)", metadata: ["service": "\(name)"])
        audit.record(event)
    }

    // MARK: Children and memory

    /// Reaps every exited child (on SIGCHLD) and feeds the exits to the
    /// machines; the exit of a child other code started (an account tool) is
    /// kept by `ChildReaper` for it.
    public func reapChildren() {
        for (pid, status) in ChildReaper.reapUnclaimed() {
            let exit: ExitStatus = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
            guard let name = services.first(where: { $0.value.machine.state.pid == pid })?.key else { continue }
            logger.info("service exited", metadata: ["service": "\(name)", "pid": "\(pid)", "status": "\(exit)"])
            handle(name, .exited(pid: pid, status: exit, at: .now))
        }
    }

    /// Samples every service's RSS; restarts one that stays over its limit.
    public func sampleMemory() {
        let now = ContinuousClock.now
        for name in services.keys {
            guard let pid = services[name]?.machine.state.pid else { continue }
            let rss = ProcessMemory.residentBytes(of: pid)
            services[name]?.rss = rss
            guard let rss, services[name]?.memory?.sample(rss: rss, at: now) == true,
                  let limit = services[name]?.definition.memoryLimit else { continue }
            handle(name, .memoryExceeded(pid: pid, rss: rss, limit: limit))
        }
    }

    // MARK: Requests

    public func processes() -> [ProcessStatus] {
        let now = ContinuousClock.now
        return manifest.startOrder.compactMap { name in
            guard let service = services[name] else { return nil }
            var state = service.machine.state.name
            if service.wanted, service.machine.state == .stopped, !dependenciesReady(service) { state = "waiting" }
            var uptime: Double?
            if case .running(_, let since) = service.machine.state {
                let elapsed = since.duration(to: now).components
                uptime = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
            }
            var reason: String?
            if case .failed(let why) = service.machine.state { reason = why }
            return ProcessStatus(
                name: name, state: state, pid: service.machine.state.pid, startCount: service.machine.startCount,
                uptimeSeconds: uptime, rssBytes: service.machine.state.pid.flatMap(ProcessMemory.residentBytes(of:)),
                memoryLimitBytes: service.definition.memoryLimit, lastExit: service.machine.lastExit?.description,
                failureReason: reason, user: service.identity == nil ? nil : service.definition.user)
        }
    }

    public enum Request: String, Sendable { case start, stop, restart }

    /// An operator's start/stop/restart, already permission-checked; audited with who asked.
    public func request(_ request: Request, service name: String, by caller: PeerCredentials) throws(ControlError) -> ProcessStatus {
        guard services[name] != nil else {
            throw ControlError(.invalidParameters, "no service \"\(name)\"; services: \(manifest.startOrder.joined(separator: ", "))")
        }
        switch request {
        case .start:
            services[name]?.wanted = true
            handle(name, .start)
        case .stop:
            services[name]?.wanted = false
            handle(name, .stop)
        case .restart:
            services[name]?.wanted = true
            handle(name, .restart)
        }
        audit.record(AuditEvent("service-\(request.rawValue)", facts: [("service", name), ("by-uid", String(caller.uid)), ("by-pid", String(caller.pid))],
                                message: "\(name) \(request.rawValue) requested by uid \(caller.uid) (pid \(caller.pid))"))
        return processes().first { $0.name == name }!
    }

    /// `realtime-thread`: the caller must be the running process of a
    /// service whose manifest gives `realtime-priority` (its pid, and its
    /// uid when procmon drops privileges), and `thread` one of that
    /// process's own threads; it then runs under SCHED_FIFO at that priority
    /// (SCHED_RESET_ON_FORK: nothing it starts inherits it). Grants are
    /// logged; refusals are audited.
    public func grantRealtime(thread: Int32, to caller: PeerCredentials) throws(ControlError) -> RealtimeThreadMethod.Result {
        // A refusal is audited: a process asked for real-time scheduling it
        // may not have (not a service with realtime-priority, or another's thread).
        func refuse(_ reason: String) -> ControlError {
            audit.record(AuditEvent("realtime-thread-refused", severity: .warning,
                                    facts: [("thread", String(thread)), ("by-uid", String(caller.uid)), ("by-pid", String(caller.pid)), ("reason", reason)],
                                    message: "procmon refused SCHED_FIFO for thread \(thread) asked by pid \(caller.pid): \(reason)"))
            return ControlError(.permissionDenied, reason)
        }
        guard let (name, service) = services.first(where: { $0.value.machine.state.pid == caller.pid }) else {
            throw refuse("pid \(caller.pid) is not a service procmon runs")
        }
        let priority = service.definition.realtimePriority
        guard priority > 0 else { throw refuse("service \(name) has no realtime-priority in the manifest") }
        if let identity = service.identity, identity.uid != caller.uid {
            throw refuse("uid \(caller.uid) is not service \(name)'s")
        }
        guard thread > 0, Self.threadGroup(of: thread) == caller.pid else {
            throw refuse("thread \(thread) is not one of \(name)'s (pid \(caller.pid))")
        }
        let result = appliance_set_realtime(thread, Int32(priority))
        guard result == 0 else {
            throw ControlError(.failed, "SCHED_FIFO \(priority) for thread \(thread) of \(name): \(String(cString: strerror(result)))")
        }
        // The thread could have ended and its id been reused in between:
        // then whatever now holds the id goes back to normal scheduling.
        guard Self.threadGroup(of: thread) == caller.pid else {
            _ = appliance_set_realtime(thread, 0)
            throw ControlError(.failed, "thread \(thread) ended while it was being raised")
        }
        logger.info("thread under SCHED_FIFO", metadata: ["service": "\(name)", "thread": "\(thread)", "priority": "\(priority)"])
        return RealtimeThreadMethod.Result(priority: priority)
    }

    /// The Tgid (process) a thread id belongs to, from /proc/TID/status.
    static func threadGroup(of thread: Int32) -> Int32? {
        guard let bytes = try? AtomicFile.read("/proc/\(thread)/status") else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("Tgid:") {
            return Int32(line.dropFirst(5).trimmingWhitespace())
        }
        return nil
    }

    /// SIGHUP: the manifest is read again. New services start, removed ones
    /// stop, changed ones take their new definition at their next start.
    public func reload(_ newManifest: ServiceManifest) throws {
        let removed = services.keys.filter { newManifest.service(named: $0) == nil }
        for name in removed {
            services[name]?.wanted = false
            handle(name, .stop)
        }
        for definition in newManifest.services {
            if var service = services[definition.name] {
                // Everything but the listening sockets (bound once, kept across
                // restarts) takes effect at the service's next start.
                var updated = definition
                if updated.listen != service.definition.listen {
                    logger.warning("listening sockets of a running service change at procmon's restart only", metadata: ["service": "\(definition.name)"])
                    updated.listen = service.definition.listen
                }
                if settings.dropsPrivileges, let user = updated.user {
                    service.identity = try ServiceAccounts.ensure(user: user, group: updated.group)
                } else {
                    service.identity = nil
                }
                try ServiceFolders.prepare(updated, identity: service.identity, paths: settings.paths)
                service.definition = updated
                service.machine.policy = updated.restart
                service.memory = updated.memoryLimit.map { MemoryWatch(limit: $0, grace: updated.memoryGrace) }
                services[definition.name] = service
            } else {
                services[definition.name] = try Self.prepare(definition, settings: settings, logger: logger)
            }
        }
        manifest = ServiceManifest(file: newManifest.file, services: newManifest.services + manifest.services.filter { removed.contains($0.name) })
        logger.notice("manifest reloaded", metadata: ["services": "\(newManifest.services.count)", "removed": "\(removed)"])
        startEligible()
    }

    /// SIGTERM: stops every service in reverse dependency order, each with its
    /// grace period then SIGKILL, and returns when all are gone.
    public func shutdown() async {
        shuttingDown = true
        for name in manifest.startOrder.reversed() {
            services[name]?.wanted = false
            handle(name, .stop)
            let limit = ContinuousClock.now.advanced(by: (services[name]?.definition.stopTimeout ?? .seconds(5)) + .seconds(2))
            while services[name]?.machine.state.pid != nil, ContinuousClock.now < limit {
                try? await ProcessEventLoop.sleep(for: .milliseconds(5))
                reapChildren()
            }
        }
        logger.notice("all services stopped")
    }
}

extension ServiceStateMachine.Event {
    var pid: Int32? {
        switch self {
        case .ready(let pid, _), .spawned(let pid, _), .exited(let pid, _, _): pid
        default: nil
        }
    }
}

extension String {
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension Duration {
    /// `0 ms`, `100 ms`, `1.6 s`: for logs and audit events.
    public var readable: String {
        let milliseconds = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return milliseconds < 1000 ? "\(milliseconds) ms" : "\(milliseconds / 1000).\(milliseconds % 1000 / 100) s"
    }
}
