import ApplianceProtocol
import ApplianceCore
import CApplianceSystem
import Configuration
import Glibc
import Logging
import Streaming
import Synchronization

/// sessmgrd's service: resumes the streams its checkpoints name, follows
/// configd's streams section (`get`, then `watch`), runs each stream on its
/// own thread, writes checkpoints every 200 ms, has its streams shaped by the
/// shaper service (`sessmgrd --shaper`, the one process holding
/// CAP_NET_ADMIN: sessmgrd itself holds no capability while it parses files
/// and network input), and serves `run/appliance/sessmgrd.sock` (`list`,
/// `status`, `start`, `stop`).
public enum Sessmgrd {
    public static let exitSystemError = ExitCodes.systemError

    public static func run(paths: AppliancePaths, media: MediaFolder, signals: SignalWatcher) async -> Int32 {
        let logger = Logger(label: "sessmgrd")
        let audit = AuditClient(paths: paths, appName: "sessmgrd")
        let passed = ListenSockets.fromEnvironment()
        let prioritize = Self.realtimeRequest(paths: paths, logger: logger)
        let stateFolder = paths.stateDirectory("sessmgrd")
        let store: CheckpointStore
        do {
            try AtomicFile.makeFolders(stateFolder, mode: 0o700)
            store = try CheckpointStore(folder: stateFolder + "/streams")
        } catch {
            logger.critical("cannot prepare \(stateFolder): \(error)")
            return exitSystemError
        }
        // The shaper runs tc for sessmgrd. procmon binds its socket before
        // starting anything and starts it first (after = shaper); a few
        // seconds are allowed for it to answer. No socket: the manifest runs
        // no shaper, and nothing is waited for.
        let client = ShaperClient(paths: paths)
        var unavailable = client.unavailability()
        let deadline = ContinuousClock.now + .seconds(5)
        let shaperConfigured = access(paths.controlSocket("shaper"), F_OK) == 0
        while shaperConfigured, let reason = unavailable, reason.hasPrefix(ShaperClient.notAnswering), ContinuousClock.now < deadline {
            usleep(100_000)
            unavailable = client.unavailability()
        }
        let shaper: ShaperClient?
        if let unavailable {
            shaper = nil
            logger.notice("shaping is off: \(unavailable)")
        } else {
            // What an earlier sessmgrd left shaped (a crash) goes before streams resume.
            client.removeAll()
            shaper = client
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let hostname = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let manager = SessionManager(audit: audit, store: store, shaper: shaper, logger: logger, cname: "sessmgrd@\(hostname)", media: media,
                                     shapingUnavailable: unavailable ?? "no shaper", prioritize: prioritize)
        let checkpoints = store.loadAll { name, problem in
            logger.warning("discarded the checkpoint of \(name): \(problem)")
            audit.record(AuditEvent("stream-checkpoint-discarded", severity: .warning, facts: [("stream", name)],
                                    message: "the checkpoint of stream \(name) was unusable: \(problem)"))
        }
        manager.resume(checkpoints)
        let housekeeping = HousekeepingThread(manager: manager)
        housekeeping.start()

        @Sendable func follow() -> Task<Void, Never> {
            Task {
                // Running streams go on while configd is away.
                await ConfigFollower.follow(sections: [.streams], paths: paths, logger: logger) { snapshot, _ in
                    manager.adopt(snapshot.config.streams, revision: snapshot.revision)
                }
            }
        }
        var following = follow()

        let server = ControlServer(path: paths.controlSocket("sessmgrd"), inheritedDescriptor: passed?.fd(named: "control"),
                                   routes: routes(manager, resolver: CallerResolver(), sessions: CallerResolver.configdSessions(paths: paths),
                                                  shapingAvailable: shaper != nil, audit: audit),
                                   socketMode: 0o666, logger: logger) { refusal in audit.record(refusal.auditEvent(socket: "sessmgrd")) }
        let serving = server.serveInBackground(logger: logger)
        for await signal in signals.signals {
            switch signal {
            case SIGTERM, SIGINT:
                logger.notice("stopping: the streams' checkpoints are kept, so the next start resumes them")
                following.cancel()
                housekeeping.stop()
                manager.shutdown()
                serving.cancel()
                _ = await serving.result
                return 0
            case SIGHUP:
                // The configuration is followed live; SIGHUP reads it again at once.
                logger.notice("SIGHUP: reading the streams section from configd again")
                following.cancel()
                following = follow()
            default:
                break
            }
        }
        return 0
    }

    static func routes(_ manager: SessionManager, resolver: CallerResolver,
                       sessions: @escaping @Sendable (String) async throws -> ConfigdMethod.SessionInfo, shapingAvailable: Bool,
                       audit: AuditClient) -> ControlRoutes {
        var routes = ControlRoutes()
        let table = SessmgrdAccess.table
        /// Authorizes by the table, and audits a refusal (the caller's uid, the method, why).
        @Sendable func authorize(_ caller: PeerCredentials, _ session: String?, _ method: String) async throws -> String {
            do { return try await resolver.authorize(method, in: table, caller: caller, session: session, verify: sessions).actor } catch {
                if error.code == .permissionDenied {
                    audit.record(AuditEvent("control-refused", severity: .warning,
                                            facts: [("socket", "sessmgrd"), ("uid", String(caller.uid)), ("pid", String(caller.pid)),
                                                    ("method", method), ("error", error.code.rawValue)],
                                            message: "sessmgrd refused a control request: \(error.message)"))
                }
                throw error
            }
        }
        routes.register(SessmgrdMethod.List.self, table: table, resolver: resolver) { parameters, caller in
            _ = try await authorize(caller, parameters.session, SessmgrdMethod.List.name)
            let entries = manager.list().filter { parameters.name == nil || $0.name == parameters.name }
            return SessmgrdMethod.ListResult(streams: entries, configurationRevision: manager.revision)
        }
        routes.register(SessmgrdMethod.Status.self, table: table, resolver: resolver) { parameters, caller in
            _ = try await authorize(caller, parameters.session, SessmgrdMethod.Status.name)
            let priority = StreamRunner.pacingPriority.load(ordering: .relaxed)
            return SessmgrdMethod.StatusResult(streams: manager.status(parameters.name), shapingAvailable: shapingAvailable,
                                               configurationRevision: manager.revision, pacingPriority: priority > 0 ? priority : nil)
        }
        routes.register(SessmgrdMethod.Start.self, table: table, resolver: resolver) { parameters, caller in
            let who = try await authorize(caller, parameters.session, SessmgrdMethod.Start.name)
            do {
                let state = try manager.start(parameters.name)
                audit.record(AuditEvent("stream-start-request", facts: [("stream", parameters.name), ("by", who), ("uid", String(caller.uid))],
                                        message: "\(who) asked stream \(parameters.name) to start"))
                return SessmgrdMethod.Started(name: parameters.name, state: state.word)
            } catch {
                throw ControlError(.invalidParameters, "\(error)")
            }
        }
        routes.register(SessmgrdMethod.Stop.self, table: table, resolver: resolver) { parameters, caller in
            let who = try await authorize(caller, parameters.session, SessmgrdMethod.Stop.name)
            do {
                let state = try manager.stop(parameters.name)
                audit.record(AuditEvent("stream-stop-request", facts: [("stream", parameters.name), ("by", who), ("uid", String(caller.uid))],
                                        message: "\(who) asked stream \(parameters.name) to stop"))
                return SessmgrdMethod.Started(name: parameters.name, state: state.word)
            } catch {
                throw ControlError(.invalidParameters, "\(error)")
            }
        }
        return routes
    }
}

/// Runs `SessionManager.housekeep` every 200 ms on a thread of its own
/// (checkpoint writes fsync; they must wait neither for nor on the streams).
extension Sessmgrd {
    /// With APPLIANCE_REALTIME_PRIORITY (procmon passes the manifest's
    /// `realtime-priority`), each sending thread asks procmon to run it under
    /// SCHED_FIFO: sessmgrd holds no capability and no raised limit itself.
    /// The first grant and the first refusal are logged; a refused thread
    /// streams at normal priority.
    static func realtimeRequest(paths: AppliancePaths, logger: Logger) -> (@Sendable () -> Int)? {
        guard let wanted = getenv("APPLIANCE_REALTIME_PRIORITY").flatMap({ Int(String(cString: $0)) }), wanted > 0 else {
            logger.info("sending threads run at normal priority (the manifest gives sessmgrd no realtime-priority)")
            return nil
        }
        let logged = Mutex<(granted: Bool, refused: Bool)>((false, false))
        return {
            let procmon = ControlClient(paths: paths, daemon: "procmon", timeout: .seconds(2))
            do {
                let granted = try procmon.callBlocking(RealtimeThreadMethod.self, .init(thread: appliance_thread_id()))
                if logged.withLock({ let first = !$0.granted; $0.granted = true; return first }) {
                    logger.info("sending threads run under SCHED_FIFO at priority \(granted.priority), given by procmon")
                }
                return granted.priority
            } catch {
                if logged.withLock({ let first = !$0.refused; $0.refused = true; return first }) {
                    logger.warning("a sending thread runs at normal priority: procmon did not raise it: \(error)")
                }
                return 0
            }
        }
    }
}

final class HousekeepingThread: Sendable {
    static let interval: useconds_t = 200_000
    let manager: SessionManager
    private let running = Atomic<Bool>(true)

    init(manager: SessionManager) { self.manager = manager }

    func start() {
        DedicatedThread.start(name: "housekeeping") { [self] in
            while running.load(ordering: .relaxed) {
                manager.housekeep()
                usleep(Self.interval)
            }
        }
    }

    func stop() { running.store(false, ordering: .relaxed) }
}
