import ApplianceCore
import Configuration
import Glibc
import Logging
import SNMP
import ApplianceProtocol
import Synchronization

/// snmpd's service: the agent socket (passed by procmon as `agent`, UDP 161
/// plus the port base; or bound here when run alone), the engine's identity
/// under `var/lib/appliance/snmpd/`, the MIB tables refreshed from the kernel,
/// procmon and sessmgrd, notifications, and the control socket (`status`).
public enum Snmpd {
    public struct Settings: Sendable {
        /// Where to bind when no socket is passed.
        public var listenAddress: String
        public var port: UInt16
        /// Threads receiving on the agent socket.
        public var receivers: Int
        /// Seconds between refreshes of the interface, process and stream tables.
        public var refreshSeconds: Int

        public init(listenAddress: String = "127.0.0.1", port: UInt16 = 10161, receivers: Int = 2, refreshSeconds: Int = 2) {
            self.listenAddress = listenAddress
            self.port = port
            self.receivers = receivers
            self.refreshSeconds = refreshSeconds
        }
    }

    /// What snmpd follows of the configuration.
    struct Followed: Sendable {
        var revision: UInt64
        var system: SystemSettings
        var snmp: SNMPSettings
        var streams: [StreamConfig]
    }

    final class Shared: Sendable {
        let followed = Mutex<Followed?>(nil)
        let problems = Mutex<[String]>([])
        let notificationsSent = Atomic<Int>(0)
        let engineConfigured = Atomic<Bool>(false)
        /// Per peer address: when an authentication failure was last audited, and how many since.
        let authFailures = Mutex<[String: (last: UInt64, suppressed: Int)]>([:])
        let lastAuthTrap = Atomic<UInt64>(0)
    }

    public static func run(paths: AppliancePaths, settings: Settings, signals: SignalWatcher) async -> Int32 {
        let logger = Logger(label: "snmpd")
        let passed = ListenSockets.fromEnvironment()
        let audit = AuditClient(paths: paths, appName: "snmpd")
        let store = EngineStore(folder: paths.stateDirectory("snmpd"))
        let agentFD: Int32
        let generatedID: [UInt8]
        do {
            try AtomicFile.makeFolders(store.folder, mode: 0o700)
            generatedID = try store.generatedEngineID()
            if let fd = passed?.fd(named: "agent") {
                agentFD = fd
            } else {
                agentFD = try UDPSocket.bind(address: settings.listenAddress, port: settings.port)
            }
        } catch {
            logger.critical("cannot start: \(error)")
            return ExitCodes.systemError
        }
        // A deeper receive queue rides out bursts (a walk from many managers,
        // a flood of junk); the kernel caps it at net.core.rmem_max.
        var receiveBuffer: Int32 = 4 << 20
        setsockopt(agentFD, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, socklen_t(MemoryLayout<Int32>.size))
        let shared = Shared()
        let sender = NotificationSender()

        // The first configuration decides the engine ID; wait for it briefly
        // so that managers never discover an engine ID that is about to change.
        let firstSnapshot = await firstConfiguration(paths: paths, within: .seconds(5))
        let configuredID = firstSnapshot?.config.snmp.engineID?.octets
        let engine: EngineState
        do {
            engine = try store.start(engineID: configuredID ?? generatedID, atSeconds: Agent.monotonicCentiseconds() / 100)
        } catch {
            logger.critical("cannot start: \(error)")
            return ExitCodes.systemError
        }
        shared.engineConfigured.store(configuredID != nil, ordering: .relaxed)

        let applier = ControlClient(paths: paths, daemon: "configd", timeout: .seconds(3))
        let events = Agent.Events(
            authenticationFailure: { peer, user, counter, engine, upTime in
                authenticationFailed(peer: peer, user: user, counter: counter, shared: shared, audit: audit)
                // At most one authenticationFailure notification a second.
                let now = Agent.monotonicCentiseconds()
                let last = shared.lastAuthTrap.load(ordering: .relaxed)
                if now - last >= 100, shared.lastAuthTrap.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged {
                    sender.send(NotificationSender.authenticationFailure, name: "authenticationFailure", engine: engine, upTime: upTime)
                    shared.notificationsSent.add(1, ordering: .relaxed)
                }
            },
            systemChanged: { _ in })
        let agent = Agent(engine: engine, applySet: { change in
            do throws(ControlError) {
                _ = try applier.callBlocking(ConfigdMethod.Apply.self, .init(commands: change.commands, origin: RequestOrigin(channel: "snmp", peer: change.peer),
                                                                              snmpUser: change.userName))
                return .applied
            } catch {
                return error.code == .unavailable || error.code == .timeout ? .unavailable(error.message) : .refused(error.message)
            }
        }, events: events)
        logger.notice("engine \(Hex.encode(engine.engineID)) (\(configuredID != nil ? "configured" : "generated")), boots \(engine.boots)")
        audit.record(AuditEvent("snmpd-start", facts: [("engine-id", Hex.encode(engine.engineID)), ("engine-boots", String(engine.boots))],
                                message: "snmpd started: engine \(Hex.encode(engine.engineID)), boots \(engine.boots)"))

        @Sendable func adopt(_ snapshot: ConfigdMethod.Snapshot) {
            let config = snapshot.config
            let (users, problems) = AgentUser.table(config.snmp.users)
            for problem in problems { logger.error("\(problem)") }
            shared.problems.withLock { $0 = problems }
            let wanted = config.snmp.engineID?.octets ?? generatedID
            if wanted != agent.engineSnapshot.engineID {
                do {
                    agent.setEngine(try store.start(engineID: wanted, atSeconds: Agent.monotonicCentiseconds() / 100))
                    shared.engineConfigured.store(config.snmp.engineID != nil, ordering: .relaxed)
                    logger.notice("engine ID changed to \(Hex.encode(wanted)); keys must be localized to it")
                    audit.record(AuditEvent("snmp-engine-id-changed", facts: [("engine-id", Hex.encode(wanted))],
                                            message: "the SNMP engine ID is now \(Hex.encode(wanted))"))
                } catch {
                    logger.error("cannot switch to engine ID \(Hex.encode(wanted)): \(error)")
                }
            }
            agent.setUsers(users)
            agent.setSystem(config.system)
            sender.configure(config.snmp.trapReceivers, users: users)
            shared.followed.withLock { $0 = Followed(revision: snapshot.revision, system: config.system, snmp: config.snmp, streams: config.streams) }
        }
        if let firstSnapshot { adopt(firstSnapshot) }

        for index in 0..<max(settings.receivers, 1) {
            DedicatedThread.start(name: "snmp-\(index)") { serve(fd: agentFD, agent: agent) }
        }

        let tables = TableRefresher(paths: paths)
        var lastData = await tables.refresh(followed: shared.followed.withLock { $0 })
        agent.rebuild(lastData.data)
        @Sendable func notify(_ oid: OID, _ objects: [VarBind], name: String) {
            sender.send(oid, objects: objects, name: name, engine: agent.engineSnapshot, upTime: agent.upTime)
            shared.notificationsSent.add(1, ordering: .relaxed)
        }
        notify(NotificationSender.coldStart, [], name: "coldStart")

        let following = Task {
            await ConfigFollower.follow(sections: [.system, .snmp, .streams], paths: paths, logger: logger) { snapshot, _ in
                adopt(snapshot)
            }
        }
        let refreshing = Task {
            while !Task.isCancelled {
                try? await ProcessEventLoop.sleep(for: .seconds(settings.refreshSeconds))
                let next = await tables.refresh(followed: shared.followed.withLock { $0 })
                agent.rebuild(next.data)
                for change in TableRefresher.changes(from: lastData, to: next) { notify(change.oid, change.objects, name: change.name) }
                lastData = next
            }
        }

        var routes = ControlRoutes()
        routes.register(SnmpdMethod.Status.self, table: SnmpdAccess.table, resolver: CallerResolver()) { _, _ in
            let engine = agent.engineSnapshot
            let followed = shared.followed.withLock { $0 }
            var counters: [String: UInt32] = ["snmpInPkts": agent.receivedPackets, "snmpSilentDrops": agent.droppedResponses]
            for counter in SNMPCounter.allCases { counters[String(describing: counter)] = agent.counter(counter) }
            return SnmpdMethod.StatusResult(
                engineID: Hex.encode(engine.engineID), engineIDConfigured: shared.engineConfigured.load(ordering: .relaxed),
                engineBoots: engine.boots, engineTime: engine.time,
                users: (followed?.snmp.users ?? []).map { .init(name: $0.name, role: $0.role, auth: $0.authProtocol.rawValue, priv: $0.privProtocol.rawValue) },
                receivers: sender.status, counters: counters, notificationsSent: shared.notificationsSent.load(ordering: .relaxed),
                configurationRevision: followed?.revision, problems: shared.problems.withLock { $0 })
        }
        let server = ControlServer(path: paths.controlSocket("snmpd"), inheritedDescriptor: passed?.fd(named: "control"),
                                   routes: routes, socketMode: 0o666, logger: logger) { refusal in audit.record(refusal.auditEvent(socket: "snmpd")) }
        let serving = server.serveInBackground(logger: logger)
        for await signal in signals.signals where signal == SIGTERM || signal == SIGINT {
            logger.notice("stopping")
            following.cancel()
            refreshing.cancel()
            serving.cancel()
            _ = await serving.result
            return 0
        }
        return 0
    }

    /// Receives, answers, repeats. Several threads share the socket; each
    /// request is answered by the thread that took it.
    static func serve(fd: Int32, agent: Agent) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &storage) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, Int32(MSG_TRUNC), $0, &length) }
                }
            }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                if errno == EBADF || errno == ENOTSOCK { return }
                continue
            }
            let peer = UDPPeer(storage: storage, length: length)
            // MSG_TRUNC gives the real length: a datagram longer than the
            // buffer is counted as a parse error by the decoder's size limit.
            let datagram = count > buffer.count ? [UInt8](repeating: 0x30, count: count) : Array(buffer[..<count])
            guard let reply = agent.handle(datagram, peer: peer.description) else { continue }
            UDPSocket.send(fd, reply, to: peer)
        }
    }

    /// The first snapshot of snmpd's sections, if configd answers in time.
    static func firstConfiguration(paths: AppliancePaths, within limit: Duration) async -> ConfigdMethod.Snapshot? {
        let client = ControlClient(paths: paths, daemon: "configd", timeout: .seconds(2))
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let snapshot = try? await client.call(ConfigdMethod.Get.self, .init(sections: [.system, .snmp, .streams])) { return snapshot }
            try? await ProcessEventLoop.sleep(for: .milliseconds(250))
        }
        return nil
    }

    /// Audits an authentication failure (at most one event per peer every
    /// ten seconds, with the number suppressed) and sends the
    /// authenticationFailure notification (at most one a second).
    static func authenticationFailed(peer: String, user: String, counter: SNMPCounter, shared: Shared, audit: AuditClient) {
        let now = Agent.monotonicCentiseconds()
        let host = peer.hasPrefix("[") ? String(peer.prefix { $0 != "]" }.dropFirst()) : String(peer.prefix { $0 != ":" })
        let suppressed: Int? = shared.authFailures.withLock { table in
            if table.count > 4096 { table.removeAll() }
            if let entry = table[host], now - entry.last < 1000 {
                table[host] = (entry.last, entry.suppressed + 1)
                return nil
            }
            let count = table[host]?.suppressed ?? 0
            table[host] = (now, 0)
            return count
        }
        if let suppressed {
            let reason = counter == .usmStatsWrongDigests ? "wrong digest (wrong password or key)" : "unknown user"
            audit.record(AuditEvent("snmp-auth-failure", severity: .warning,
                                    facts: [("peer", peer), ("user", user), ("reason", reason), ("suppressed-since-last", String(suppressed))],
                                    message: "SNMP authentication failure from \(peer) for user \(user): \(reason)"))
        }
    }
}
