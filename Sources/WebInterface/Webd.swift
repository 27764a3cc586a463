import ApplianceProtocol
import ApplianceCore
import Configuration
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// webd's service: HTTPS on the socket procmon passes as `https` (443 plus
/// the port base), the permanent redirect on `http` (80 plus the port
/// base), both bound here when run alone; the certificate under
/// `var/lib/appliance/webd/`; readiness once both listen; SIGTERM to stop.
public enum Webd {
    public struct Settings: Sendable {
        /// Where to bind when no socket is passed.
        public var listenAddress: String
        /// Added to 443 and 80 when binding here.
        public var portBase: Int
        /// Event-loop threads.
        public var threads: Int
        /// A connection that sends nothing (a slow or stalled client, a
        /// half-done TLS handshake) for this long is closed.
        public var idleTimeoutSeconds: Int64
        /// HTTPS connections served at once; more are closed on arrival.
        public var maximumConnections: Int

        public init(listenAddress: String = "127.0.0.1", portBase: Int = 10000, threads: Int = 2, idleTimeoutSeconds: Int64 = 20,
                    maximumConnections: Int = 512) {
            self.listenAddress = listenAddress
            self.portBase = portBase
            self.threads = threads
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.maximumConnections = maximumConnections
        }
    }

    public static let exitSystemError = ExitCodes.systemError

    /// Header limits well below NIO's defaults: no page or API request needs more.
    static let decoderLimits = HTTP1Channel.Configuration.DecoderConfiguration(maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 32 * 1024, maxHeaderFieldCount: 100)

    public static func run(paths: AppliancePaths, settings: Settings, signals: SignalWatcher) async -> Int32 {
        let logger = Logger(label: "webd")
        let passed = ListenSockets.fromEnvironment()
        let audit = AuditClient(paths: paths, appName: "webd")
        let backends = ApplianceBackends(paths: paths)

        let firstSystem = await firstSystemSettings(backends, within: .seconds(5))
        let hostname = Mutex(firstSystem?.hostname ?? SystemSettings.defaultHostname)
        let store = CertificateStore(folder: paths.stateDirectory("webd"))
        let tls: TLSConfiguration
        let identity: ServerTLSIdentity
        do {
            try AtomicFile.makeFolders(store.folder, mode: 0o700)
            let stored = try store.loadOrCreate(hostname: hostname.withLock { $0 })
            if stored.generated {
                logger.notice("generated a self-signed ECDSA P-256 certificate for \(hostname.withLock { $0 }), 127.0.0.1 and ::1 in \(store.folder)")
                audit.record(AuditEvent("web-certificate-generated", facts: [("path", store.certificatePath)],
                                        message: "webd generated a self-signed certificate in \(store.certificatePath)"))
            }
            tls = try TLSPolicy.serverConfiguration(certificatePEM: stored.certificatePEM, keyPEM: stored.keyPEM)
            identity = try ServerTLSIdentity(tls)
        } catch {
            logger.critical("cannot start: the TLS certificate: \(error)")
            return exitSystemError
        }

        // The process's one group (ProcessEventLoop: --threads loops), its tasks' too.
        let group = MultiThreadedEventLoopGroup.singleton
        let counters = WebCounters()
        let installer = CertificateInstaller(store: store, identity: identity)
        let routes = WebRoutes(backends: backends, audit: audit, counters: counters, certificates: installer)
        let responder = routes.router().buildResponder()
        let http1 = HTTP1Channel.Configuration(additionalChannelHandlers: [MalformedRequestAnswer()],
                                               idleTimeout: .seconds(settings.idleTimeoutSeconds), httpDecoderConfiguration: decoderLimits)
        let httpsChild = ReloadableTLSChannel(HTTP1Channel(responder: { request, writer, channel in
                let context = WebRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: logger))
                var response: Response
                do {
                    response = try await responder.respond(to: request, context: context)
                } catch {
                    response = WebError.from(error).response
                    SecurityHeaders.apply(to: &response.headers)
                }
                try await writer.write(response: response.head, body: response.body)
            }, configuration: http1), identity: identity)

        let httpsSocket: BoundListener<ReloadableTLSChannel<HTTP1Channel>>.Socket =
            passed?.fd(named: "https").map { .inherited($0) } ?? .address(host: settings.listenAddress, port: 443 + settings.portBase)
        let httpsListener = BoundListener(name: "https", child: httpsChild, socket: httpsSocket, group: group, logger: logger,
                                          maximumConnections: settings.maximumConnections, counters: counters)
        let httpsServer: NIOAsyncChannel<HTTP1Channel.Value, Never>
        do {
            httpsServer = try await httpsListener.listen()
        } catch {
            logger.critical("cannot listen for HTTPS: \(error)")
            return exitSystemError
        }
        let httpsPort = httpsServer.channel.localAddress?.port ?? (443 + settings.portBase)

        let redirectChild = HTTP1Channel(responder: { request, writer, channel in
            let redirect = HTTPSRedirect(configuredName: hostname.withLock { $0 }, localAddress: channel.localAddress?.ipAddress, port: httpsPort)
            var headers = HTTPFields()
            headers[.location] = redirect.location(for: request.head.path ?? "/")
            headers[.contentLength] = "0"
            headers[.connection] = "close"
            try await writer.writeResponse(HTTPResponse(status: HTTPSRedirect.status(for: request.method), headerFields: headers))
        }, configuration: HTTP1Channel.Configuration(idleTimeout: .seconds(settings.idleTimeoutSeconds), httpDecoderConfiguration: decoderLimits))
        let httpSocket: BoundListener<HTTP1Channel>.Socket =
            passed?.fd(named: "http").map { .inherited($0) } ?? .address(host: settings.listenAddress, port: 80 + settings.portBase)
        let httpListener = BoundListener(name: "http", child: redirectChild, socket: httpSocket, group: group, logger: logger,
                                         maximumConnections: settings.maximumConnections)
        let httpServer: NIOAsyncChannel<HTTP1Channel.Value, Never>
        do {
            httpServer = try await httpListener.listen()
        } catch {
            logger.critical("cannot listen for HTTP: \(error)")
            return exitSystemError
        }

        Task {
            await withDiscardingTaskGroup { tasks in
                tasks.addTask { await httpsListener.serve(httpsServer) }
                tasks.addTask { await httpListener.serve(httpServer) }
            }
            // The listeners end only if accepting failed: a webd that takes
            // no connection must not look alive. procmon restarts it.
            logger.critical("a listening socket stopped accepting; stopping so that procmon restarts webd")
            kill(getpid(), SIGTERM)
        }
        let following = Task {
            await ConfigFollower.follow(sections: [.system], paths: paths, logger: logger) { snapshot, _ in
                hostname.withLock { $0 = snapshot.config.system.hostname }
            }
        }
        let httpPort = httpServer.channel.localAddress?.port ?? (80 + settings.portBase)
        var routesForControl = ControlRoutes()
        let resolver = CallerResolver()
        routesForControl.register(WebdMethod.Status.self, table: WebdAccess.table, resolver: resolver) { _, _ in
            WebdMethod.StatusResult(httpsPort: httpsPort, httpPort: httpPort, hostname: hostname.withLock { $0 },
                                    openConnections: counters.openConnections, maximumConnections: settings.maximumConnections,
                                    counters: counters.snapshot, certificatePath: store.certificatePath)
        }
        installer.register(on: &routesForControl, resolver: resolver, paths: paths, audit: audit)
        let control = ControlServer(path: paths.controlSocket("webd"), inheritedDescriptor: passed?.fd(named: "control"),
                                    routes: routesForControl, socketMode: 0o666, logger: logger) { refusal in audit.record(refusal.auditEvent(socket: "webd")) }
        // Readiness waits for the HTTPS and HTTP listeners too (below).
        // Not essential to serving users: if it fails, webd goes on (logged).
        let controlServing = control.serveInBackground(logger: logger, stopOnFailure: false, onListening: {})
        logger.notice("serving HTTPS on port \(httpsPort) (\(passed?.fd(named: "https") != nil ? "socket from procmon" : "bound here")), redirecting HTTP on port \(httpServer.channel.localAddress?.port ?? 0)")
        audit.record(AuditEvent("webd-start", facts: [("https-port", String(httpsPort))], message: "webd started: HTTPS on port \(httpsPort)"))
        ServiceReadiness.notifyReady()

        for await signal in signals.signals {
            switch signal {
            case SIGHUP:
                if let system = try? await backends.systemSettings() { hostname.withLock { $0 = system.hostname } }
            case SIGTERM, SIGINT:
                logger.notice("stopping")
                following.cancel()
                controlServing.cancel()
                // Open connections get up to two seconds to finish; then the
                // process ends, which closes every socket at once. NIO's
                // channels are not torn down one by one: a connection accepted
                // during the teardown would be dropped unconsumed from NIO's
                // accept stream, which traps ("Deinited NIOAsyncWriter without
                // calling finish()"). procmon keeps the listening sockets, so
                // connections waiting in them go to the next webd.
                let deadline = ContinuousClock.now + .seconds(2)
                while counters.openConnections > 0, ContinuousClock.now < deadline {
                    try? await ProcessEventLoop.sleep(for: .milliseconds(20))
                }
                return 0
            default:
                break
            }
        }
        return 0
    }

    static func firstSystemSettings(_ backends: ApplianceBackends, within limit: Duration) async -> SystemSettings? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let system = try? await backends.systemSettings() { return system }
            try? await ProcessEventLoop.sleep(for: .milliseconds(250))
        }
        return nil
    }
}
