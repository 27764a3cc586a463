import ApplianceProtocol
import ApplianceCore
import Configuration
import Glibc
import Logging
import Synchronization

/// What SessionManager asks of shaping: `TrafficShaper` in the process that
/// holds CAP_NET_ADMIN, `ShaperClient` in sessmgrd (which holds none).
public protocol StreamShaping: Sendable {
    func allocateMinor() -> UInt16
    func interface(for host: IPAddress, configured: String?) -> String?
    func shape(minor: UInt16, interface: String, rate: UInt64, sourcePort: UInt16, ipv6: Bool) throws(ShapingError)
    func unshape(minor: UInt16, interface: String)
    func removeAll()
    /// Called by the housekeeping thread every tick.
    func maintain()
}

extension TrafficShaper: StreamShaping {
    public func maintain() {}
}


/// sessmgrd's side: each request goes to the shaper service over its socket.
/// Minors are allocated here (the streams are sessmgrd's); the route lookup
/// (`ip route get`) needs no privilege and runs here too. It remembers what
/// it had shaped, and when the shaper was restarted (its `instance` changed:
/// the new one removed the old one's classes) asks for all of it again.
public final class ShaperClient: StreamShaping {
    let client: ControlClient
    let ip: String?
    private let minors = Mutex<Set<UInt16>>([])
    private struct Applied {
        var instance: String?
        var shapes: [UInt16: ShaperMethod.ShapeParameters] = [:]
        var checkedAt: UInt64 = 0
    }
    private let applied = Mutex(Applied())
    /// How often `maintain` asks the shaper who it is.
    static let checkInterval: UInt64 = 1_000_000_000

    public init(paths: AppliancePaths) {
        client = ControlClient(paths: paths, daemon: "shaper", timeout: .seconds(10))
        ip = ProgramRun.find(["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"])
    }

    static let notAnswering = "the shaper service does not answer"

    /// nil when the shaper answers and can shape; else why not.
    public func unavailability() -> String? {
        do {
            let status = try client.callBlocking(ShaperMethod.Status.self, NoValue())
            applied.withLock { $0.instance = status.instance }
            return status.available ? nil : (status.reason ?? "the shaper cannot run tc")
        } catch {
            return "\(Self.notAnswering) (\(error.message))"
        }
    }

    public func allocateMinor() -> UInt16 {
        minors.withLock { used in
            let minor = (1...UInt16(0xfffe)).first { !used.contains($0) } ?? 0xfffe
            used.insert(minor)
            return minor
        }
    }

    public func interface(for host: IPAddress, configured: String?) -> String? {
        if let configured { return configured }
        guard let ip else { return nil }
        return TrafficShaper.routeInterface(ProgramRun.run([ip, "-o", "route", "get", host.description]))
    }

    public func shape(minor: UInt16, interface: String, rate: UInt64, sourcePort: UInt16, ipv6: Bool) throws(ShapingError) {
        do {
            let request = ShaperMethod.ShapeParameters(minor: minor, interface: interface, rate: rate, sourcePort: sourcePort, ipv6: ipv6)
            _ = try client.callBlocking(ShaperMethod.Shape.self, request)
            minors.withLock { _ = $0.insert(minor) }
            applied.withLock { $0.shapes[minor] = request }
        } catch {
            throw ShapingError(error.message)
        }
    }

    public func unshape(minor: UInt16, interface: String) {
        applied.withLock { _ = $0.shapes.removeValue(forKey: minor) }
        _ = try? client.callBlocking(ShaperMethod.Unshape.self, .init(minor: minor, interface: interface))
        minors.withLock { _ = $0.remove(minor) }
    }

    public func removeAll() {
        applied.withLock { $0.shapes.removeAll() }
        _ = try? client.callBlocking(ShaperMethod.Reset.self, NoValue())
        minors.withLock { $0.removeAll() }
    }

    /// About once a second: when the shaper answers as a new instance (it
    /// was restarted and removed its predecessor's classes), shapes again
    /// everything shaped before.
    public func maintain() {
        let now = SenderClock.now()
        let due = applied.withLock { state -> Bool in
            guard now &- state.checkedAt >= Self.checkInterval else { return false }
            state.checkedAt = now
            return true
        }
        // A short timeout: this runs on the thread that writes checkpoints.
        var quick = client
        quick.timeout = .milliseconds(500)
        guard due, let status = try? quick.callBlocking(ShaperMethod.Status.self, NoValue()) else { return }
        let replay = applied.withLock { state -> [ShaperMethod.ShapeParameters] in
            defer { state.instance = status.instance }
            guard let known = state.instance, known != status.instance else { return [] }
            return state.shapes.values.sorted { $0.minor < $1.minor }
        }
        for request in replay {
            // A stream stopped meanwhile is not shaped again.
            guard applied.withLock({ $0.shapes[request.minor] == request }) else { continue }
            _ = try? client.callBlocking(ShaperMethod.Shape.self, request)
        }
    }
}

/// `sessmgrd --shaper`: the one process that holds CAP_NET_ADMIN. It runs
/// `tc` for sessmgrd (`TrafficShaper`) on the narrow, validated requests of
/// `ShaperMethod` and parses nothing else: no stream, no file, no network
/// input. At start it removes what an earlier run left (`shaping.json` in
/// its state folder).
public enum ShaperService {
    public static func run(paths: AppliancePaths, signals: SignalWatcher) async -> Int32 {
        let logger = Logger(label: "shaper")
        let audit = AuditClient(paths: paths, appName: "shaper")
        let passed = ListenSockets.fromEnvironment()
        let stateFolder = paths.stateDirectory("shaper")
        do { try AtomicFile.makeFolders(stateFolder, mode: 0o700) } catch {
            logger.critical("cannot prepare \(stateFolder): \(error)")
            return Sessmgrd.exitSystemError
        }
        let shaper = TrafficShaper(stateFolder: stateFolder)
        let reason = shaper == nil ? "the shaper does not hold CAP_NET_ADMIN (development mode) or tc is missing" : nil
        if let shaper {
            let recovered = shaper.recover()
            if !recovered.isEmpty { logger.notice("removed the shaping left by an earlier run on \(recovered.joined(separator: ", "))") }
        } else {
            logger.notice("shaping is off: \(reason ?? "")")
        }
        var generator = SystemRandomNumberGenerator()
        let instance = String(generator.next(), radix: 16)
        let table = ShaperAccess.table, resolver = CallerResolver()
        var routes = ControlRoutes()
        routes.register(ShaperMethod.Status.self, table: table, resolver: resolver) { _, _ in
            ShaperMethod.StatusResult(available: shaper != nil, reason: reason, instance: instance)
        }
        routes.register(ShaperMethod.Shape.self, table: table, resolver: resolver) { request, _ in
            guard let shaper else { throw ControlError(.failed, reason ?? "shaping is off") }
            try ShaperMethod.validate(request)
            do {
                try shaper.shape(minor: request.minor, interface: request.interface, rate: request.rate, sourcePort: request.sourcePort, ipv6: request.ipv6)
            } catch {
                throw ControlError(.failed, "\(error)")
            }
            return NoValue()
        }
        routes.register(ShaperMethod.Unshape.self, table: table, resolver: resolver) { request, _ in
            guard let shaper else { throw ControlError(.failed, reason ?? "shaping is off") }
            try ShaperMethod.validate(minor: request.minor, interface: request.interface)
            shaper.unshape(minor: request.minor, interface: request.interface)
            return NoValue()
        }
        routes.register(ShaperMethod.Reset.self, table: table, resolver: resolver) { _, _ in
            shaper?.removeAll()
            return NoValue()
        }
        let server = ControlServer(path: paths.controlSocket("shaper"), inheritedDescriptor: passed?.fd(named: "control"), routes: routes,
                                   socketMode: 0o600, logger: logger) { refusal in audit.record(refusal.auditEvent(socket: "shaper")) }
        let serving = server.serveInBackground(logger: logger)
        for await signal in signals.signals where signal == SIGTERM || signal == SIGINT {
            logger.notice("stopping: removing every shaping class")
            shaper?.removeAll()
            serving.cancel()
            _ = await serving.result
            return 0
        }
        return 0
    }
}
