import CApplianceSystem
import Glibc
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Serves a daemon's control socket `run/appliance/<name>.sock`.
///
/// JSON lines (see `ControlCodec`), at most 1 MiB each. The caller's
/// credentials come from `SO_PEERCRED`; every request is checked against the
/// `ControlRoutes` permission table before its parameters are decoded. A
/// malformed, oversized, unknown or unpermitted request gets an error answer
/// and ends that conversation (and is reported to `onRefusal`, which audits
/// it); every other client keeps being served. A handler that does not answer
/// within `callTimeout` is answered with a `timeout` error.
///
/// Connections are capped (`Limits`): at most 16 open at once per peer uid and
/// 64 in all from other users; root and the daemon's own uid are not held to
/// the per-uid cap and have a further 64 of their own, so procmon and the
/// local administrator still reach a daemon that other users flood. A
/// connection over a cap is answered at once with one `unavailable` error line
/// and closed; it is counted, and logged and audited once per burst.
public final class ControlServer: Sendable {
    /// How many connections may be open at once.
    public struct Limits: Sendable {
        /// Per peer uid (other than root and the daemon's own).
        public var perUID: Int
        /// All connections of other users together.
        public var total: Int
        /// Connections of root and the daemon's own uid, which are not held to `perUID`.
        public var privileged: Int

        public init(perUID: Int = 16, total: Int = 64, privileged: Int = 64) {
            self.perUID = perUID
            self.total = total
            self.privileged = privileged
        }
    }

    /// Every refused input is counted (OpenBSD snmpd style), visible to operators.
    public struct Counters: Sendable, Codable, Equatable {
        public var connections = 0
        public var requests = 0
        public var malformed = 0
        public var oversized = 0
        public var unknownMethods = 0
        public var denied = 0
        public var timeouts = 0
        /// Connections refused because a cap was reached.
        public var refusedConnections = 0
    }

    /// Open connections, for the caps.
    private struct Occupancy {
        var perUID: [UInt32: Int] = [:]
        var others = 0
        var privileged = 0
        /// When the current burst of refusals was last logged, and how many since.
        var lastRefusalLog: ContinuousClock.Instant?
        var refusedSinceLog = 0
    }

    /// Why a conversation was ended, for the daemon's audit trail.
    public struct Refusal: Sendable {
        public var caller: PeerCredentials
        public var error: ControlError
        public var method: String?
    }

    public let path: String
    /// A listening socket procmon bound and passed (`LISTEN_FDS`), or nil to bind `path` here.
    private let inheritedDescriptor: Int32?
    private let routes: ControlRoutes
    private let socketMode: mode_t
    private let callTimeout: Duration
    private let idleTimeout: TimeAmount
    private let onRefusal: @Sendable (Refusal) -> Void
    private let logger: Logger
    private let state = Mutex(Counters())
    private let limits: Limits
    private let occupancy = Mutex(Occupancy())
    /// The listening channel while serving: `stopAccepting` closes it.
    private let listener = Mutex<(any Channel)?>(nil)
    private let ownUID = getuid()

    /// - Parameter inheritedDescriptor: a listening socket passed by the
    ///   supervisor; when nil the server binds `path` itself (standalone runs).
    public init(
        path: String,
        inheritedDescriptor: Int32? = nil,
        routes: ControlRoutes,
        socketMode: mode_t = 0o600,
        callTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(60),
        limits: Limits = Limits(),
        logger: Logger,
        onRefusal: @escaping @Sendable (Refusal) -> Void = { _ in }
    ) {
        self.path = path
        self.inheritedDescriptor = inheritedDescriptor
        self.routes = routes
        self.socketMode = socketMode
        self.callTimeout = callTimeout
        self.idleTimeout = .nanoseconds(Int64(idleTimeout.components.seconds) * 1_000_000_000)
        self.logger = logger
        self.onRefusal = onRefusal
        self.limits = limits
    }

    public var counters: Counters { state.withLock { $0 } }

    private struct Connection: Sendable {
        var channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        var caller: PeerCredentials
    }

    /// Binds the socket and serves until the task is cancelled; removes the
    /// socket file on the way out.
    /// `onListening` runs once the socket accepts connections (to declare readiness).
    public func run(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, onListening: @escaping @Sendable () -> Void = {}) async throws {
        let idle = idleTimeout
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Connection> = { channel in
            guard let provider = channel as? any SocketOptionProvider else {
                return channel.eventLoop.makeFailedFuture(ControlError(.failed, "no peer credentials"))
            }
            let credentials: EventLoopFuture<appliance_ucred> =
                provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            return credentials.flatMapThrowing { credentials in
                try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idle))
                try channel.pipeline.syncOperations.addHandler(CloseWhenIdle())
                let asyncChannel = try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                return Connection(channel: asyncChannel, caller: PeerCredentials(credentials))
            }
        }
        let bootstrap = ServerBootstrap(group: group).serverChannelOption(.backlog, value: 64)
        let server: NIOAsyncChannel<Connection, Never>
        if let inheritedDescriptor {
            server = try await bootstrap.bind(inheritedDescriptor, childChannelInitializer: initializer)
        } else {
            // Bound under a temporary name and renamed into place once its mode
            // is set: no client ever sees the socket with the umask's mode.
            let temporaryPath = path + ".new"
            server = try await bootstrap.bind(unixDomainSocketPath: temporaryPath, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            guard chmod(temporaryPath, socketMode) == 0, rename(temporaryPath, path) == 0 else {
                let reason = String(cString: strerror(errno))
                try? await server.channel.close()
                unlink(temporaryPath)
                throw ControlError(.failed, "cannot put the control socket in place at \(path): \(reason)")
            }
        }
        listener.withLock { $0 = server.channel }
        logger.debug("control socket listening", metadata: ["path": "\(path)", "methods": "\(routes.methodNames)"])
        onListening()
        // A passed socket's file belongs to procmon, which keeps it across our restarts.
        defer { if inheritedDescriptor == nil { unlink(path) } }
        try await withTaskCancellationHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        state.withLock { $0.connections += 1 }
                        if let refusal = admit(connection.caller) {
                            group.addTask { await self.turnAway(connection, refusal) }
                            continue
                        }
                        group.addTask {
                            defer { self.release(connection.caller) }
                            await self.serve(connection)
                        }
                    }
                }
            }
        } onCancel: {
            server.channel.close(promise: nil)
        }
    }

    /// The start of a graceful stop: no new connection is accepted, and
    /// `run` returns once the open ones have had their answers and closed.
    public func stopAccepting() {
        listener.withLock { $0 }?.close(promise: nil)
    }

    private func isPrivileged(_ caller: PeerCredentials) -> Bool {
        caller.uid == 0 || caller.uid == ownUID
    }

    /// Takes a place for a new connection, or says which cap it is over.
    private func admit(_ caller: PeerCredentials) -> ControlError? {
        occupancy.withLock { occupancy in
            if isPrivileged(caller) {
                guard occupancy.privileged < limits.privileged else {
                    return ControlError(.unavailable, "too many connections: \(limits.privileged) are open for root and the daemon itself; try again later")
                }
                occupancy.privileged += 1
                return nil
            }
            let open = occupancy.perUID[caller.uid, default: 0]
            guard open < limits.perUID else {
                return ControlError(.unavailable, "too many connections: uid \(caller.uid) has \(open) open, at most \(limits.perUID); try again later")
            }
            guard occupancy.others < limits.total else {
                return ControlError(.unavailable, "too many connections: \(limits.total) are open; try again later")
            }
            occupancy.perUID[caller.uid] = open + 1
            occupancy.others += 1
            return nil
        }
    }

    private func release(_ caller: PeerCredentials) {
        occupancy.withLock { occupancy in
            if isPrivileged(caller) {
                occupancy.privileged -= 1
                return
            }
            occupancy.others -= 1
            let open = occupancy.perUID[caller.uid, default: 1] - 1
            occupancy.perUID[caller.uid] = open > 0 ? open : nil
        }
    }

    /// Answers a connection over a cap with one error line and closes it.
    /// Counted every time; logged and audited on the first refusal of a burst
    /// and then at most every 10 seconds while refusals go on.
    private func turnAway(_ connection: Connection, _ error: ControlError) async {
        state.withLock { $0.refusedConnections += 1 }
        let now = ContinuousClock.now
        let report: Int? = occupancy.withLock { occupancy in
            occupancy.refusedSinceLog += 1
            if let last = occupancy.lastRefusalLog, last.duration(to: now) < .seconds(10) { return nil }
            occupancy.lastRefusalLog = now
            defer { occupancy.refusedSinceLog = 0 }
            return occupancy.refusedSinceLog
        }
        if let report {
            logger.warning("control connections refused: over a cap", metadata: ["caller": "\(connection.caller)", "refused": "\(report)", "error": "\(error)"])
            onRefusal(Refusal(caller: connection.caller, error: error, method: nil))
        }
        do {
            try await connection.channel.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(bytes: ControlCodec.encodeError(error, id: nil)))
            }
        } catch {
            logger.debug("refused control connection ended", metadata: ["error": "\(error)"])
        }
    }

    private func serve(_ connection: Connection) async {
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                var framer = LineFramer(maximumLength: ControlCodec.maximumMessageSize)
                for try await buffer in inbound {
                    for frame in framer.append(buffer.readableBytesView) {
                        let (reply, keepOpen) = await answer(frame, from: connection.caller)
                        try await outbound.write(ByteBuffer(bytes: reply))
                        if !keepOpen { return }
                    }
                }
            }
        } catch {
            logger.debug("control connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// The answer to one framed line and whether the conversation goes on.
    func answer(_ frame: LineFramer.Frame, from caller: PeerCredentials) async -> ([UInt8], Bool) {
        let line: [UInt8]
        switch frame {
        case .oversized:
            return refuse(ControlError(.messageTooLarge, "a message is at most \(ControlCodec.maximumMessageSize) bytes"), caller, nil, id: nil) { $0.oversized += 1 }
        case .line(let bytes):
            line = bytes
        }
        let header: (id: UInt64, method: String)
        do {
            header = try ControlCodec.decodeHeader(line)
        } catch {
            return refuse(error, caller, nil, id: nil) { $0.malformed += 1 }
        }
        guard let route = routes.routes[header.method] else {
            let known = routes.methodNames.joined(separator: ", ")
            return refuse(ControlError(.unknownMethod, "no method \"\(header.method.prefix(64))\"; known: \(known)"), caller, header.method, id: header.id) { $0.unknownMethods += 1 }
        }
        guard route.permission.permits(caller) else {
            return refuse(ControlError(.permissionDenied, "\(header.method) is allowed to \(route.permission), not to uid \(caller.uid)"), caller, header.method, id: header.id) { $0.denied += 1 }
        }
        state.withLock { $0.requests += 1 }
        let method = header.method
        do {
            let reply = try await withDeadline(route.timeout ?? callTimeout) { await route.answer(header.id, line, caller) }
            return (reply, true)
        } catch {
            state.withLock { $0.timeouts += 1 }
            logger.warning("control call timed out", metadata: ["method": "\(method)", "caller": "\(caller)"])
            return (ControlCodec.encodeError(ControlError(.timeout, "\(method) did not finish within \(route.timeout ?? callTimeout)"), id: header.id), true)
        }
    }

    private func refuse(
        _ error: ControlError, _ caller: PeerCredentials, _ method: String?, id: UInt64?,
        count: (inout Counters) -> Void
    ) -> ([UInt8], Bool) {
        state.withLock { count(&$0) }
        logger.notice("control request refused", metadata: ["caller": "\(caller)", "error": "\(error)"])
        onRefusal(Refusal(caller: caller, error: error, method: method))
        return (ControlCodec.encodeError(error, id: id), false)
    }
}

extension ControlServer.Refusal {
    /// The audit event for a refused request on `socket`'s control socket.
    public func auditEvent(socket: String) -> AuditEvent {
        AuditEvent("control-refused", severity: .warning,
                   facts: [("socket", socket), ("uid", String(caller.uid)), ("pid", String(caller.pid)),
                           ("method", method ?? "-"), ("error", error.code.rawValue)],
                   message: "\(socket) refused a control request: \(error.message)")
    }
}

extension ControlServer {
    /// Serves in a task of its own until it is cancelled. `onListening` runs
    /// once the socket accepts connections; if serving fails, the daemon
    /// cannot be reached, so the failure is logged as critical and, when
    /// `stopOnFailure`, the process asks itself to stop (SIGTERM) and is
    /// restarted by procmon.
    public func serveInBackground(logger: Logger, stopOnFailure: Bool = true,
                                  onListening: @escaping @Sendable () -> Void = { ServiceReadiness.notifyReady() }) -> Task<Void, Never> {
        Task {
            do {
                try await run(onListening: onListening)
            } catch where !(error is CancellationError) {
                logger.critical("control socket failed: \(error)")
                if stopOnFailure { kill(getpid(), SIGTERM) }
            } catch {}
        }
    }
}

/// Closes a control connection that has been silent for the idle timeout.
private final class CloseWhenIdle: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

struct DeadlineExceeded: Error {}

/// Runs `operation` and returns its value, or throws `DeadlineExceeded` when
/// `limit` passes first. The operation is cancelled then, but the caller does
/// not wait for it: a handler that ignores cancellation cannot hold the caller.
func withDeadline<T: Sendable>(
    _ limit: Duration, _ operation: @escaping @Sendable () async -> T
) async throws -> T {
    let race = DeadlineRace()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let timer = Task {
            try? await ProcessEventLoop.sleep(for: limit)
            if race.finishFirst() {
                continuation.resume(throwing: DeadlineExceeded())
                race.work.withLock { $0?.cancel() }
            }
        }
        let task = Task {
            let value = await operation()
            if race.finishFirst() {
                timer.cancel()
                continuation.resume(returning: value)
            }
        }
        race.work.withLock { $0 = task }
    }
}

private final class DeadlineRace: Sendable {
    let finished = Mutex(false)
    let work = Mutex<Task<Void, Never>?>(nil)

    /// True for the first of the two racers to call it.
    func finishFirst() -> Bool {
        finished.withLock { done in
            defer { done = true }
            return !done
        }
    }
}
