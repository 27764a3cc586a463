import ApplianceProtocol
import ApplianceCore
import Configuration
import Glibc
import Logging
import Streaming
import Synchronization

/// The streams sessmgrd runs: each one's configuration, lifecycle
/// (`StreamLifecycle`), sending thread and shaping class. The lifecycle
/// decides; this class carries out its actions (start a thread, ask it to
/// stop, audit) and keeps the checkpoints written.
public final class SessionManager: Sendable {
    struct Managed {
        var config: StreamConfig
        var lifecycle = StreamLifecycle()
        var channel: StreamChannel?
        /// Bumped at each launch: reports from an older thread are ignored.
        var generation: UInt64 = 0
        var restarts: UInt64 = 0
        var shaping: (minor: UInt16, interface: String?, rate: UInt64)?
        var shapingText = "off"
        /// After a failed attempt, shaping is tried again only from this instant (monotonic ns).
        var shapingRetryAt: UInt64 = 0
        /// Removed from the configuration: forgotten once its thread has ended.
        var deleted = false
    }

    struct State {
        var streams: [String: Managed] = [:]
        var revision: UInt64?
        var shuttingDown = false
        var lastGeneration: UInt64 = 0
    }

    private let state = Mutex(State())
    let audit: AuditClient
    let store: CheckpointStore
    let shaper: (any StreamShaping)?
    /// What a shaped stream's status says when `shaper` is nil.
    let shapingUnavailable: String
    let logger: Logger
    let cname: String
    let media: MediaFolder
    /// Asks for the sending thread's real-time priority (see StreamPlan.prioritize).
    let prioritize: (@Sendable () -> Int)?

    public init(audit: AuditClient, store: CheckpointStore, shaper: (any StreamShaping)?, logger: Logger, cname: String, media: MediaFolder,
                shapingUnavailable: String = "no shaper", prioritize: (@Sendable () -> Int)? = nil) {
        self.shapingUnavailable = shapingUnavailable
        self.prioritize = prioritize
        self.media = media
        self.audit = audit
        self.store = store
        self.shaper = shaper
        self.logger = logger
        self.cname = cname
    }

    public var revision: UInt64? { state.withLock { $0.revision } }

    // MARK: Configuration

    /// Resumes the streams that were running when the previous sessmgrd ended
    /// (their checkpoints hold their configuration), before configd answers.
    public func resume(_ checkpoints: [String: SessionCheckpoint]) {
        for (name, entry) in checkpoints.sorted(by: { $0.key < $1.key }) {
            state.withLock { $0.streams[name] = Managed(config: entry.config) }
            logger.notice("resuming stream \(name) at sequence \(entry.checkpoint.nextSequence), SSRC \(entry.checkpoint.ssrc)")
            request(name, .startRequested, resume: entry.checkpoint)
        }
    }

    /// Takes the streams section of configd revision `revision`: new streams
    /// are added (and started with `autostart` on the first adoption or when
    /// added), changed ones restart if running, deleted ones stop.
    public func adopt(_ configs: [StreamConfig], revision: UInt64) {
        let previous = state.withLock { state -> [String: StreamConfig] in
            state.revision = revision
            return state.streams.filter { !$0.value.deleted }.mapValues(\.config)
        }
        let wanted = Dictionary(configs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for name in previous.keys where wanted[name] == nil {
            request(name, .stopRequested)
            store.remove(name)
            state.withLock { state in
                if state.streams[name]?.lifecycle.state.isActive != true { state.streams[name] = nil } else { state.streams[name]?.deleted = true }
            }
            audit.record(AuditEvent("stream-delete", facts: [("stream", name)], message: "stream \(name) removed from the configuration"))
        }
        for (name, config) in wanted.sorted(by: { $0.key < $1.key }) {
            if let old = previous[name] {
                guard old != config else { continue }
                let active = state.withLock { state -> Bool in
                    state.streams[name]?.config = config
                    return state.streams[name]?.lifecycle.state.isActive ?? false
                }
                if active {
                    logger.notice("stream \(name) changed: restarting it")
                    restart(name)
                }
            } else {
                state.withLock { $0.streams[name] = Managed(config: config) }
                if config.autostart {
                    request(name, .startRequested)
                }
            }
        }
    }

    // MARK: Operations

    public enum OperationError: Error, CustomStringConvertible {
        case unknown(String)
        public var description: String {
            switch self { case .unknown(let name): "no stream named \(name)" }
        }
    }

    @discardableResult
    public func start(_ name: String) throws(OperationError) -> StreamState {
        guard state.withLock({ $0.streams[name] != nil }) else { throw .unknown(name) }
        request(name, .startRequested)
        return state.withLock { $0.streams[name]?.lifecycle.state ?? .stopped }
    }

    @discardableResult
    public func stop(_ name: String) throws(OperationError) -> StreamState {
        guard state.withLock({ $0.streams[name] != nil }) else { throw .unknown(name) }
        request(name, .stopRequested)
        store.remove(name)
        return state.withLock { $0.streams[name]?.lifecycle.state ?? .stopped }
    }

    /// Stops every thread, keeps the checkpoints (the next sessmgrd resumes
    /// the streams) and removes every shaping class; waits up to `limit`.
    public func shutdown(limit: Duration = .seconds(3)) {
        let channels = state.withLock { state -> [StreamChannel] in
            state.shuttingDown = true
            return state.streams.values.compactMap(\.channel)
        }
        for channel in channels { channel.requestStop() }
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline, state.withLock({ $0.streams.values.contains { $0.lifecycle.state.isActive } }) {
            usleep(10_000)
        }
        shaper?.removeAll()
    }

    /// Every stream, sorted by name.
    public func list() -> [SessmgrdMethod.Entry] {
        state.withLock { state in
            state.streams.values.sorted { $0.config.name < $1.config.name }.map { managed in
                SessmgrdMethod.Entry(name: managed.config.name, state: managed.lifecycle.state.word,
                                     reason: managed.lifecycle.state.reason, source: managed.config.source.description,
                                     destination: managed.config.destination.description, autostart: managed.config.autostart)
            }
        }
    }

    public func status(_ name: String?) -> [StreamStatus] {
        let entries = state.withLock { state in
            state.streams.values.filter { name == nil || $0.config.name == name }.sorted { $0.config.name < $1.config.name }
                .map { ($0.config, $0.lifecycle.state, $0.channel, $0.restarts, $0.shapingText) }
        }
        return entries.map { config, lifecycle, channel, restarts, shaping in
            var status = channel?.currentStatus ?? Self.initialStatus(config)
            status.state = lifecycle.word
            status.reason = lifecycle.reason
            // A stream that is not running sends nothing now; its totals stay.
            if status.state == "stopped" || status.state == "error" { status.currentBitrate = 0 }
            status.restarts = max(restarts, 1) - 1  // launches after the first
            status.shaping = shaping
            return status
        }
    }

    static func initialStatus(_ config: StreamConfig) -> StreamStatus {
        StreamStatus(name: config.name, state: "stopped", source: config.source.description,
                     destination: config.destination.description, encapsulation: config.effectiveEncapsulation.rawValue)
    }

    // MARK: The lifecycle's actions

    private func restart(_ name: String) {
        request(name, .stopRequested)
        // The old thread ends within one sleep slice (50 ms); start the new one once it has.
        DedicatedThread.start(name: "restart-\(name)") { [self] in
            for _ in 0..<300 {
                if state.withLock({ !($0.streams[name]?.lifecycle.state.isActive ?? false) }) { break }
                usleep(10_000)
            }
            store.remove(name)
            request(name, .startRequested)
        }
    }

    /// Feeds `event` to stream `name`'s lifecycle and carries out its actions.
    private func request(_ name: String, _ event: StreamLifecycle.Event, resume: StreamCheckpoint? = nil, generation: UInt64? = nil) {
        var launch: (StreamPlan, StreamChannel, UInt64)?
        var halt: StreamChannel?
        var audits: [String] = []
        var config: StreamConfig?
        var reason: String?
        var cleanup: (UInt16, String)?
        state.withLock { state in
            guard var managed = state.streams[name] else { return }
            if let generation, generation != managed.generation { return }
            if state.shuttingDown, event == .startRequested { return }
            let actions = managed.lifecycle.handle(event)
            config = managed.config
            reason = managed.lifecycle.state.reason
            for action in actions {
                switch action {
                case .launch:
                    state.lastGeneration += 1
                    managed.generation = state.lastGeneration
                    managed.restarts += 1
                    var initial = Self.initialStatus(managed.config)
                    initial.state = "starting"
                    let channel = StreamChannel(status: initial)
                    managed.channel = channel
                    if managed.config.shaping {
                        if let shaper {
                            let minor = managed.shaping?.minor ?? shaper.allocateMinor()
                            managed.shaping = (minor, nil, 0)
                            managed.shapingRetryAt = 0
                            managed.shapingText = "pending: waiting for the stream's bitrate"
                        } else {
                            managed.shapingText = "unavailable: \(shapingUnavailable)"
                        }
                    } else {
                        managed.shapingText = "off"
                    }
                    launch = (StreamPlan(config: managed.config, media: media, resume: resume, cname: cname, prioritize: prioritize), channel, managed.generation)
                case .halt:
                    halt = managed.channel
                case .audit(let kind):
                    audits.append(kind)
                }
            }
            if !managed.lifecycle.state.isActive, let shaping = managed.shaping, let interface = shaping.interface {
                cleanup = (shaping.minor, interface)
                managed.shaping = nil
                managed.shapingText = managed.config.shaping && shaper != nil ? "removed" : managed.shapingText
            }
            if managed.deleted, !managed.lifecycle.state.isActive {
                state.streams[name] = nil
            } else {
                state.streams[name] = managed
            }
        }
        if let cleanup { shaper?.unshape(minor: cleanup.0, interface: cleanup.1) }
        halt?.requestStop()
        if let launch {
            let (plan, channel, generation) = launch
            DedicatedThread.start(name: "stream-\(name)") { [self] in
                StreamRunner.run(plan, channel: channel) { event in
                    self.request(name, event, generation: generation)
                }
            }
        }
        for kind in audits {
            guard let config else { continue }
            var facts: [(name: String, value: String)] = [("stream", name), ("source", config.source.description),
                                                           ("destination", config.destination.description)]
            var message = "stream \(name)"
            var severity = SyslogMessage.Severity.notice
            switch kind {
            case "stream-start": message += resume == nil ? " started" : " resumed from its checkpoint"
            case "stream-stop": message += " stopped"
            case "stream-error":
                severity = .error
                facts.append(("reason", reason ?? "-"))
                message += " failed: \(reason ?? "the sending thread ended")"
            case "stream-source-lost":
                severity = .warning
                message += ": its source is lost"
            case "stream-source-recovered": message += ": its source is back"
            default: break
            }
            if kind == "stream-error" { logger.error("\(message)") } else { logger.notice("\(message)") }
            audit.record(AuditEvent(kind, severity: severity, facts: facts, message: message))
        }
    }

    // MARK: Housekeeping (the checkpoint writer and the shaper)

    /// Writes the newest checkpoint of every running stream; creates or
    /// adjusts shaping classes once a stream's bitrate is known. Runs every
    /// 200 ms on its own thread.
    public func housekeep() {
        let running = state.withLock { state in
            state.streams.values.compactMap { managed -> (StreamConfig, StreamChannel, UInt64)? in
                guard managed.lifecycle.state.isActive, !managed.lifecycle.stopping, let channel = managed.channel else { return nil }
                return (managed.config, channel, managed.generation)
            }
        }
        for (config, channel, generation) in running {
            if let checkpoint = channel.takeCheckpoint() {
                do {
                    try store.write(SessionCheckpoint(config: config, checkpoint: checkpoint)) {
                        state.withLock { state in
                            guard let managed = state.streams[config.name] else { return false }
                            return managed.generation == generation && managed.lifecycle.state.isActive && !managed.lifecycle.stopping
                        }
                    }
                } catch {
                    logger.error("cannot write the checkpoint of \(config.name): \(error)")
                }
            }
            shapeIfDue(config, channel: channel, generation: generation)
        }
        shaper?.maintain()
    }

    private func shapeIfDue(_ config: StreamConfig, channel: StreamChannel, generation: UInt64) {
        guard config.shaping, let shaper else { return }
        let bitrate = channel.bitrate, port = channel.port
        guard bitrate > 0, port > 0 else { return }
        let now = SenderClock.now()
        guard let current = state.withLock({ state in
            state.streams[config.name].flatMap { $0.generation == generation && now >= $0.shapingRetryAt ? $0.shaping : nil }
        }) else { return }
        let packets = Int(DatagramSizing.packetsPerDatagram(mtu: config.mtu, rtp: config.effectiveEncapsulation == .tsRTP))
        let payload = packets * TSPacket.size
        let overhead = TrafficShaper.overheadBytes(rtp: config.effectiveEncapsulation == .tsRTP)
        let wire = bitrate * UInt64(payload + overhead) / UInt64(payload)
        let rate = wire * UInt64(100 + config.shapingCeilingPercent) / 100
        // Re-shape only when the rate moved by more than 1%.
        if current.interface != nil, current.rate > 0, rate * 100 / max(1, current.rate) >= 99, rate * 100 / max(1, current.rate) <= 101 { return }
        guard let interface = current.interface ?? shaper.interface(for: config.destination.host, configured: config.outputInterface) else {
            setShaping(config.name, generation, text: "unavailable: no route to \(config.destination.host)", shaping: nil)
            return
        }
        do {
            try shaper.shape(minor: current.minor, interface: interface, rate: rate, sourcePort: port,
                             ipv6: config.destination.host.family == .ipv6)
            let text = "on dev \(interface) class \(TrafficShaper.major):\(String(current.minor, radix: 16)) rate \(rate) bit/s"
            setShaping(config.name, generation, text: text, shaping: (current.minor, interface, rate))
        } catch {
            setShaping(config.name, generation, text: "unavailable: \(error)", shaping: (current.minor, nil, rate))
            state.withLock { $0.streams[config.name]?.shapingRetryAt = now + 30_000_000_000 }
            logger.warning("stream \(config.name) runs unshaped (trying again in 30 s): \(error)")
        }
    }

    private func setShaping(_ name: String, _ generation: UInt64, text: String, shaping: (minor: UInt16, interface: String?, rate: UInt64)?) {
        let orphan = state.withLock { state -> Bool in
            guard var managed = state.streams[name], managed.generation == generation, managed.lifecycle.state.isActive else { return true }
            managed.shapingText = text
            if let shaping { managed.shaping = shaping }
            state.streams[name] = managed
            return false
        }
        // The stream stopped while tc ran: take the class away again.
        if orphan, let shaping, let interface = shaping.interface { shaper?.unshape(minor: shaping.minor, interface: interface) }
    }
}
