import Configuration
import ApplianceProtocol
import ApplianceCore
import Glibc
import Logging

/// configd's service: the control socket (passed by procmon as `control`, or
/// bound here when run alone), readiness once it listens, idle-session
/// expiry, SIGHUP to re-read startup-config, SIGTERM to stop.
public enum Configd {
    public static let exitConfigError = ExitCodes.configError
    public static let exitSystemError = ExitCodes.systemError

    /// Runs until SIGTERM/SIGINT; returns the exit code.
    public static func run(paths: AppliancePaths, startupConfigPath: String? = nil, signals: SignalWatcher, hasher: PasswordHasher = PasswordHasher()) async -> Int32 {
        let logger = Logger(label: "configd")
        let audit = AuditClient(paths: paths, appName: "configd")
        let passed = ListenSockets.fromEnvironment()
        do {
            try AtomicFile.makeFolders(paths.stateDirectory("configd"), mode: 0o700)
            try AtomicFile.makeFolders(paths.runDirectory, mode: 0o755)
        } catch {
            logger.critical("cannot prepare folders: \(error)")
            return exitSystemError
        }
        let service: ConfigService
        let resolver = CallerResolver()
        do {
            let password = getenv("APPLIANCE_ADMIN_PASSWORD").map { String(cString: $0) }
            unsetenv("APPLIANCE_ADMIN_PASSWORD")
            service = try ConfigService(paths: paths, startupConfigPath: startupConfigPath, audit: audit, logger: logger, hasher: hasher,
                                        directory: resolver, initialAdminPassword: password)
        } catch {
            logger.critical("cannot start: \(error)")
            return exitConfigError
        }
        let hashing = hashingPool(cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let server = ControlServer(
            path: paths.controlSocket("configd"), inheritedDescriptor: passed?.fd(named: "control"),
            routes: routes(service, resolver: resolver, hashing: hashing), socketMode: 0o666, logger: logger
        ) { refusal in audit.record(refusal.auditEvent(socket: "configd")) }
        let serving = server.serveInBackground(logger: logger)
        let expiry = Task {
            while !Task.isCancelled {
                try? await ProcessEventLoop.sleep(for: .seconds(5))
                await service.expireIdleSessions()
            }
        }
        for await signal in signals.signals {
            switch signal {
            case SIGHUP:
                await service.reload()
            case SIGTERM, SIGINT:
                logger.notice("stopping")
                // Gracefully: no new connection, every waiting watch answered
                // "no change" and its answer written, then out; at most 2 s.
                server.stopAccepting()
                await service.endWatches()
                expiry.cancel()
                let cutoff = Task {
                    try? await ProcessEventLoop.sleep(for: .seconds(2))
                    serving.cancel()
                }
                _ = await serving.result
                cutoff.cancel()
                return 0
            default:
                break
            }
        }
        return 0
    }

    static func routes(_ service: ConfigService, resolver: CallerResolver, hashing: BlockingWorkPool) -> ControlRoutes {
        var routes = ControlRoutes()
        let table = ConfigdAccess.table
        routes.register(ConfigdMethod.Get.self, table: table, resolver: resolver) { parameters, caller in
            try await service.get(parameters, caller: caller)
        }
        routes.register(ConfigdMethod.Watch.self, table: table, resolver: resolver, timeout: .seconds(30)) { parameters, caller in
            try await service.watch(parameters, caller: caller)
        }
        routes.register(ConfigdMethod.Authenticate.self, table: table, resolver: resolver, timeout: .seconds(30)) { parameters, caller in
            guard parameters.name.utf8.count <= 256, parameters.password.utf8.count <= 1024 else {
                throw ControlError(.invalidParameters, "a name is at most 256 bytes and a password at most 1024")
            }
            let (hash, hasher) = await service.credentialsToCheck(name: parameters.name)
            let password = parameters.password
            let matched = try await hashed(on: hashing) { hasher.verify(password, against: hash) }
            return await service.concludeLogin(parameters, verifiedHash: hash, matched: matched, caller: caller)
        }
        routes.register(ConfigdMethod.SessionCheck.self, table: table, resolver: resolver) { parameters, caller in
            try await service.checkSession(parameters.session, caller: caller)
        }
        // Holding the token is the authority to end the session (the CLI of
        // an ssh login runs as the account's own OS user).
        routes.register(ConfigdMethod.Logout.self, table: table, resolver: resolver) { parameters, caller in
            await service.logout(parameters.session, caller: caller)
            return NoValue()
        }
        routes.register(ConfigdMethod.Apply.self, table: table, resolver: resolver) { parameters, caller in
            try await service.apply(parameters, caller: caller)
        }
        routes.register(ConfigdMethod.Save.self, table: table, resolver: resolver) { parameters, caller in
            try await service.save(parameters, caller: caller)
        }
        routes.register(ConfigdMethod.Revert.self, table: table, resolver: resolver) { parameters, caller in
            try await service.revert(parameters, caller: caller)
        }
        routes.register(ConfigdMethod.Diff.self, table: table, resolver: resolver) { parameters, caller in
            try await service.diff(parameters, caller: caller)
        }
        routes.register(ConfigdMethod.SetPassword.self, table: table, resolver: resolver, timeout: .seconds(30)) { parameters, caller in
            guard parameters.newPassword.utf8.count <= 1024, (parameters.currentPassword?.utf8.count ?? 0) <= 1024 else {
                throw ControlError(.invalidParameters, "a password is at most 1024 bytes")
            }
            let context = try await service.passwordChangeContext(parameters, caller: caller)
            let (violations, currentMatches, newHash) = try await hashed(on: hashing) { () -> ([PasswordRuleViolation], Bool, String?) in
                let hasher = PasswordHasher()
                let current = !context.ownChange || (parameters.currentPassword.map { hasher.verify($0, against: context.account.passwordHash ?? hasher.makeDummyHash()) } ?? false)
                let violations = PasswordPolicy(context.policy).violations(of: parameters.newPassword, for: context.account, hasher: hasher)
                return (violations, current, violations.isEmpty && current ? try? hasher.hash(parameters.newPassword) : nil)
            }
            guard currentMatches else {
                // A wrong current password is a guess like a wrong sign-in: the throttle counts it.
                await service.recordWrongCurrentPassword(parameters, caller: caller)
                throw ControlError(.permissionDenied, "the current password is wrong")
            }
            guard violations.isEmpty else {
                throw ControlError(.invalidParameters, "the new password is refused: " + violations.map(\.description).joined(separator: "; "))
            }
            guard let newHash else { throw ControlError(.failed, "the password could not be hashed") }
            try await service.recordPasswordChange(parameters, newHash: newHash, caller: caller)
            return NoValue()
        }
        routes.register(ConfigdMethod.OpenSession.self, table: table, resolver: resolver) { parameters, caller in
            try await service.openKeySession(parameters, caller: caller)
        }
        routes.register(ConfigdMethod.KeyOwnerLookup.self, table: table, resolver: resolver) { parameters, _ in
            guard parameters.keyType.utf8.count <= 64, parameters.keyBase64.utf8.count <= 16384 else {
                throw ControlError(.invalidParameters, "a key type is at most 64 bytes and a key at most 16 KiB of base64")
            }
            return await service.keyOwner(parameters)
        }
        routes.register(ConfigdMethod.APITokenCreate.self, table: table, resolver: resolver) { parameters, caller in
            try await service.createAPIToken(parameters, caller: caller)
        }
        routes.register(ConfigdMethod.APITokenList.self, table: table, resolver: resolver) { parameters, caller in
            try await service.listAPITokens(parameters, caller: caller)
        }
        routes.register(ConfigdMethod.APITokenRevoke.self, table: table, resolver: resolver) { parameters, caller in
            try await service.revokeAPIToken(parameters, caller: caller)
            return NoValue()
        }
        routes.register(ConfigdMethod.Status.self, table: table, resolver: resolver) { _, _ in
            await service.status()
        }
        return routes
    }

    /// The password hashes' pool: all cores but one (so sign-ins, even a
    /// flood of them, never take the CPU a stream's pacing needs), threads
    /// at nice 19 (they get what the rest leaves), and a short queue: beyond
    /// `hashQueueLimit` waiting, a sign-in is refused at once as busy.
    static func hashingPool(cores: Int) -> BlockingWorkPool {
        BlockingWorkPool(width: max(1, cores - 1), queueLimit: hashQueueLimit, niceness: 19)
    }

    /// Sign-ins and password changes waiting for a hashing thread, at most.
    /// At about 0.1 s a hash, a full queue drains in under two seconds.
    static let hashQueueLimit = 16
    /// A hash that waited this long in the queue is dropped unrun: its
    /// caller (webd waits 15 s) is likely gone or about to be.
    static let hashQueueWait: Duration = .seconds(5)

    /// Runs a password hash on `pool`; busy and abandoned become answers a
    /// front end can act on (webd: 503 with Retry-After).
    static func hashed<T: Sendable>(on pool: BlockingWorkPool, _ body: @escaping @Sendable () -> T) async throws(ControlError) -> T {
        do throws(BlockingWorkRefusal) {
            return try await pool.run(deadline: .now + hashQueueWait, body)
        } catch .busy {
            throw ControlError(.unavailable, "configd is busy checking other passwords; try again in a second", retryAfterSeconds: 1)
        } catch {
            throw ControlError(.timeout, "the password check was given up before it started (its caller left or waited too long)")
        }
    }
}
