import Configuration
import ApplianceProtocol
import ApplianceCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import Logging

/// configd: the one owner of the configuration. Holds the running
/// configuration in memory and the startup configuration on disk, applies
/// change sets whole or not at all, tells watchers what changed, and keeps
/// the accounts, logins and sessions. Every change, login and save is audited
/// with who, from where, and what (secrets never).
public actor ConfigService {
    /// Who is acting: a session's account, or the local console administrator.
    struct Principal {
        var account: String
        var role: Role
        var origin: RequestOrigin
        var caller: PeerCredentials
        var session: SessionToken?
        /// root or configd's own user, without a session: the table's privileged column.
        var console = false

        var auditFacts: [(name: String, value: String)] {
            [("account", account), ("role", role.rawValue), ("channel", origin.channel), ("peer", origin.peer),
             ("uid", String(caller.uid)), ("pid", String(caller.pid))]
        }
    }

    private struct Watcher {
        var after: UInt64
        var sections: Set<Section>
        var continuation: CheckedContinuation<ConfigdMethod.Change, Never>
    }

    public let paths: AppliancePaths
    private let store: ConfigStore
    private let audit: AuditClient
    private let logger: Logger
    private let directory: CallerResolver
    private let hasher: PasswordHasher
    private var running: ApplianceConfig
    private var startup: ApplianceConfig
    private var revision: UInt64 = 1
    private var savedRevision: UInt64 = 1
    private var sectionRevisions: [Section: UInt64] = [:]
    private var loginGuard: LoginGuard
    private var sessions: SessionTable
    private var mustChange: Set<SessionToken> = []
    private var apiTokens: APITokenStore
    private var startupProblem: String?
    private var watchers: [UInt64: Watcher] = [:]
    private var nextWatcher: UInt64 = 0
    /// Set on SIGTERM: a watch is answered at once instead of waiting.
    private var stopping = false
    private var refusals = 0

    /// Loads the startup configuration (or, when refused, the last good one),
    /// and on a first start with no account creates `admin` (README.md, Roles):
    /// password from `initialAdminPassword`, else a random one written once,
    /// mode 0600, to `var/lib/appliance/configd/initial-admin-password`.
    public init(paths: AppliancePaths, startupConfigPath: String? = nil, audit: AuditClient, logger: Logger, hasher: PasswordHasher = PasswordHasher(),
                directory: CallerResolver = CallerResolver(), initialAdminPassword: String?) throws {
        let store = startupConfigPath.map(ConfigStore.init(startupPath:)) ?? ConfigStore(folder: paths.stateDirectory("configd"))
        store.removeStaleTemporaries()
        var config = ApplianceConfig()
        var mustSave = false
        var problem: String?
        switch store.load() {
        case .none:
            logger.notice("no startup configuration: starting from the factory defaults")
        case .loaded(let loaded):
            config = loaded
        case .refused(let refused, let fallback):
            problem = refused
            logger.error("startup configuration refused: \(refused)")
            store.setAsideRefused()
            if let fallback {
                config = fallback
                logger.notice("running the last good configuration; the refused file is kept as \(store.rejectedPath)")
            }
            mustSave = true
            audit.record(AuditEvent("startup-config-refused", severity: .error, facts: [("problem", refused), ("fallback", fallback == nil ? "factory defaults" : "last good")],
                                    message: "startup configuration refused (\(refused)); running the \(fallback == nil ? "factory defaults" : "last good configuration")"))
        }
        if config.accounts.isEmpty {
            config = try Self.withInitialAdmin(config, password: initialAdminPassword, hasher: hasher, paths: paths, logger: logger, audit: audit)
            mustSave = true
        }
        let identified = Self.givingAccountIDs(config)
        if identified.given {
            // New accounts, or a startup-config from before account ids: the ids must persist at once.
            config = identified.config
            mustSave = true
        }
        if mustSave { try store.save(config) }
        self.paths = paths
        self.store = store
        self.audit = audit
        self.logger = logger
        self.directory = directory
        self.hasher = hasher
        self.startupProblem = problem
        running = config
        startup = config
        loginGuard = LoginGuard(config: config, hasher: hasher)
        sessions = SessionTable(policy: config.policy)
        apiTokens = Self.loadAPITokens(paths: paths, logger: logger, accounts: config.accounts)
    }

    /// `config` with an id for every account that has none (one just made,
    /// or one of a startup-config from before account ids), random and not
    /// among `avoiding` nor the others'; and whether any was given.
    static func givingAccountIDs(_ config: ApplianceConfig, avoiding: Set<String> = []) -> (config: ApplianceConfig, given: Bool) {
        var config = config
        var taken = Set(config.accounts.compactMap(\.id)).union(avoiding)
        var generator = SystemRandomNumberGenerator()
        var given = false
        for index in config.accounts.indices where config.accounts[index].id == nil {
            let id = Account.makeID(avoiding: taken, using: &generator)
            taken.insert(id)
            config.accounts[index].id = id
            given = true
        }
        return (config, given)
    }

    private static func withInitialAdmin(_ config: ApplianceConfig, password given: String?, hasher: PasswordHasher,
                                         paths: AppliancePaths, logger: Logger, audit: AuditClient) throws -> ApplianceConfig {
        var config = config
        let password = given ?? InitialPassword.generate()
        let account = Account(name: "admin", role: .admin)
        let violations = PasswordPolicy(config.policy).violations(of: password, for: account, hasher: hasher)
        if given != nil, !violations.isEmpty {
            throw ControlError(.invalidParameters, "APPLIANCE_ADMIN_PASSWORD is refused: \(violations.map(\.description).joined(separator: "; "))")
        }
        var admin = account
        admin.recordPasswordChange(newHash: try hasher.hash(password), at: Int64(time(nil)), historyDepth: config.policy.passwordHistoryDepth)
        config.accounts.append(admin)
        if given == nil {
            try AtomicFile.write(password + "\n", to: paths.initialAdminPasswordFile, mode: 0o600)
            logger.notice("created account admin; its password is in \(paths.initialAdminPasswordFile) (mode 0600)")
        } else {
            logger.notice("created account admin with the password from APPLIANCE_ADMIN_PASSWORD")
        }
        audit.record(AuditEvent("account-created", facts: [("account", "admin"), ("role", "admin"), ("by", "first-start")],
                                message: "first start: created account admin"))
        return config
    }

    // MARK: Who is calling

    private func principal(session: String?, origin: RequestOrigin?, caller: PeerCredentials, allowMustChange: Bool = false) throws(ControlError) -> Principal {
        if let session, APITokenStore.looksLikeSecret(session) {
            let holder = try apiTokenHolder(session)
            return Principal(account: holder.name, role: holder.role, origin: origin ?? RequestOrigin(channel: "api-token", peer: "-"), caller: caller, session: nil)
        }
        if let session {
            guard let token = SessionToken(hex: session), let found = sessions.touch(token, now: .now) else {
                throw ControlError(.permissionDenied, "the session has expired or is unknown; sign in again")
            }
            if mustChange.contains(token) && !allowMustChange {
                throw ControlError(.permissionDenied, "the password of \(found.account) has expired: change it first")
            }
            return Principal(account: found.account, role: found.role, origin: origin ?? RequestOrigin(channel: "session", peer: "-"), caller: caller, session: token)
        }
        guard directory.classify(caller) == .privileged else {
            throw ControlError(.permissionDenied, "this request needs a session (sign in first)")
        }
        let name = getpwuid(caller.uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(caller.uid)"
        return Principal(account: "console:\(name)", role: .admin, origin: origin ?? .console, caller: caller, session: nil, console: true)
    }

    /// Checks `who` against configd's table (ConfigdAccess) for `method`;
    /// a refusal is audited as `event` and says what would be needed.
    private func permit(_ method: String, _ who: Principal, refusal event: String) throws(ControlError) {
        let rule = ConfigdAccess.table.rule(method)
        guard !(who.console ? rule.grant(.privileged) : rule.grant(who.role)).permits else { return }
        let roles = rule.permittedRoles.map(\.rawValue).joined(separator: " or ")
        let reason = "\(rule.what) needs the role \(roles); \(who.account) is \(who.role == .operator ? "an" : "a") \(who.role.rawValue)"
        refuse(who, event, reason)
        throw ControlError(.permissionDenied, reason)
    }

    /// The commands an SNMP SetRequest may become: sysName, sysContact, sysLocation.
    static let snmpSettableCommands = ["hostname", "no hostname", "system contact", "no system contact", "system location", "no system location"]

    /// The principal of a SetRequest that snmpd authenticated: only snmpd may
    /// speak for an SNMP user, the user must exist (its role is the
    /// configuration's, not snmpd's word), and only the identity commands pass.
    private func snmpPrincipal(_ userName: String, commands: [String], origin: RequestOrigin?, caller: PeerCredentials) throws(ControlError) -> Principal {
        // The console administrator (root, or every daemon's uid in a
        // development root run by one user) may do this and more anyway.
        let callerClass = directory.classify(caller)
        guard callerClass == .service(.snmpd) || callerClass == .privileged else {
            let reason = "only snmpd may apply changes for an SNMP user"
            refuse(Principal(account: "uid:\(caller.uid)", role: .viewer, origin: origin ?? RequestOrigin(channel: "snmp", peer: "-"),
                             caller: caller, session: nil), "config-change-refused", reason)
            throw ControlError(.permissionDenied, reason)
        }
        guard let user = running.snmp.users.first(where: { $0.name == userName }) else {
            throw ControlError(.permissionDenied, "\"\(ConfigSyntaxError.printable(userName))\" is not an SNMP user")
        }
        for command in commands {
            let trimmed = command.drop { $0 == " " || $0 == "\t" }
            guard Self.snmpSettableCommands.contains(where: { trimmed == $0 || trimmed.hasPrefix($0 + " ") }) else {
                throw ControlError(.permissionDenied, "an SNMP set may change only hostname, system contact and system location, not \"\(ConfigSyntaxError.printable(command))\"")
            }
        }
        return Principal(account: "snmp:\(userName)", role: user.role, origin: origin ?? RequestOrigin(channel: "snmp", peer: "-"),
                         caller: caller, session: nil)
    }

    /// The sections `caller` may read, checked against those asked for.
    /// A session reads what its role may (`Role.sectionsToRead`): every
    /// front end gets the same filtering, so none can forget it.
    private func readableSections(_ asked: [Section]?, session: String?, caller: PeerCredentials) throws(ControlError) -> (Set<Section>, SecretDisclosure) {
        let all = Set(Section.allCases)
        if session != nil {
            let who = try principal(session: session, origin: nil, caller: caller)
            do throws(ReadRefusal) {
                return (try who.role.sectionsToRead(asked: asked), .none)
            } catch {
                throw ControlError(.permissionDenied, error.description)
            }
        }
        switch directory.classify(caller) {
        case .privileged:
            return (asked.map(Set.init) ?? all, .none)
        case .service(let service):
            let allowed = service.readableSections
            let wanted = asked.map(Set.init) ?? allowed
            let forbidden = wanted.subtracting(allowed)
            guard forbidden.isEmpty else {
                throw ControlError(.permissionDenied, "\(service.rawValue) may read \(allowed.map(\.rawValue).sorted().joined(separator: ", ")), not \(forbidden.map(\.rawValue).sorted().joined(separator: ", "))")
            }
            return (wanted, service.secretDisclosure)
        case .other:
            throw ControlError(.permissionDenied, "uid \(caller.uid) may not read the configuration without a session")
        }
    }

    // MARK: Reading and watching

    public func get(_ parameters: ConfigdMethod.GetParameters, caller: PeerCredentials) throws(ControlError) -> ConfigdMethod.Snapshot {
        let (sections, secrets) = try readableSections(parameters.sections, session: parameters.session, caller: caller)
        let config = parameters.startup == true ? startup : running
        return ConfigdMethod.Snapshot(revision: parameters.startup == true ? savedRevision : revision,
                                      text: ConfigRenderer.render(config, sections: sections, secrets: secrets),
                                      config: config.view(sections: sections, secrets: secrets))
    }

    public func watch(_ parameters: ConfigdMethod.WatchParameters, caller: PeerCredentials) async throws(ControlError) -> ConfigdMethod.Change {
        let (sections, _) = try readableSections(parameters.sections, session: parameters.session, caller: caller)
        let changed = changedSections(after: parameters.after, among: sections)
        if !changed.isEmpty || stopping { return ConfigdMethod.Change(revision: revision, sections: changed) }
        let wait = Duration.milliseconds(min(max(parameters.waitMilliseconds, 0), 25_000))
        nextWatcher += 1
        let id = nextWatcher
        return await withCheckedContinuation { continuation in
            watchers[id] = Watcher(after: parameters.after, sections: sections, continuation: continuation)
            Task {
                try? await ProcessEventLoop.sleep(for: wait)
                self.expireWatcher(id)
            }
        }
    }

    /// Stopping: every waiting watch is answered "no change now" (its daemon
    /// watches again and finds configd gone or back), so the control server
    /// has nothing left in flight and configd exits at once.
    public func endWatches() {
        stopping = true
        for id in Array(watchers.keys) { expireWatcher(id) }
    }

    private func expireWatcher(_ id: UInt64) {
        guard let watcher = watchers.removeValue(forKey: id) else { return }
        watcher.continuation.resume(returning: ConfigdMethod.Change(revision: revision, sections: []))
    }

    private func changedSections(after: UInt64, among sections: Set<Section>) -> [Section] {
        sections.filter { (sectionRevisions[$0] ?? 0) > after }.sorted { $0.rawValue < $1.rawValue }
    }

    // MARK: Changing

    public func apply(_ parameters: ConfigdMethod.ApplyParameters, caller: PeerCredentials) throws(ControlError) -> ConfigdMethod.Applied {
        let who = if let snmpUser = parameters.snmpUser {
            try snmpPrincipal(snmpUser, commands: parameters.commands, origin: parameters.origin, caller: caller)
        } else {
            try principal(session: parameters.session, origin: parameters.origin, caller: caller)
        }
        // An SNMP Set's rule is snmpd's column: its user's role is checked line by line below.
        if parameters.snmpUser == nil { try permit(ConfigdMethod.Apply.name, who, refusal: "config-change-refused") }
        let updated: ApplianceConfig, diff: ConfigDiff
        switch ConfigEdit.apply(parameters.commands, account: who.account, role: who.role, to: running,
                                reservedIDs: Set(apiTokens.tokens.compactMap(\.accountID))) {
        case .applied(let config, let change):
            (updated, diff) = (config, change)
        case .refused(let reason):
            refuse(who, "config-change-refused", reason)
            throw ControlError(.permissionDenied, reason)
        case .invalid(let reason):
            throw ControlError(.invalidParameters, reason)
        }
        commit(updated)
        // An administrator's unlock lifts the throttle even of an account that was not flagged locked.
        for name in Self.unlockedAccounts(in: parameters.commands) { loginGuard.unlock(name: name) }
        for event in loginGuard.takeEvents() { recordLoginEvent(event, facts: who.auditFacts) }
        audit.record(AuditEvent("config-change", facts: who.auditFacts + [("revision", String(revision)), ("change", diff.lines.isEmpty ? "none" : diff.description)],
                                message: "\(who.account) changed the running configuration: \(diff.isEmpty ? "no difference" : diff.description.replacingNewlines())"))
        return ConfigdMethod.Applied(revision: revision, diff: diff.description.isEmpty ? [] : diff.description.split(separator: "\n").map(String.init))
    }

    /// The accounts that `no account NAME locked` lines among `commands` unlock.
    static func unlockedAccounts(in commands: [String]) -> [String] {
        commands.compactMap { command in
            guard let words = try? ConfigLexer.tokens(of: ArraySlice(Array(command.unicodeScalars)), lineNumber: 1).map(\.text),
                  words.count == 4, words[0] == "no", words[1] == "account", words[3] == "locked" else { return nil }
            return words[2]
        }
    }

    /// Makes `updated` the running configuration and tells everyone who must know.
    private func commit(_ updated: ApplianceConfig) {
        let before = running
        running = updated
        revision += 1
        for section in Section.allCases where ConfigRenderer.render(before, sections: [section], secrets: .all) != ConfigRenderer.render(updated, sections: [section], secrets: .all) {
            sectionRevisions[section] = revision
        }
        loginGuard.update(config: updated)
        // An unlock, a role change, a password reset or a deletion clears the
        // throttle's records of the account, from every source, at once.
        for account in before.accounts {
            guard let now = updated.accounts.first(where: { $0.name == account.name }) else {
                loginGuard.unlock(name: account.name)
                continue
            }
            if now.role != account.role || now.passwordHash != account.passwordHash || (account.locked && !now.locked) || now.id != account.id {
                loginGuard.unlock(name: account.name)
            }
        }
        for event in loginGuard.takeEvents() { recordLoginEvent(event, facts: [("by", "configuration change")]) }
        pruneAPITokens()
        sessions.update(policy: updated.policy)
        // Accounts locked, removed or demoted lose their sessions.
        for account in before.accounts {
            let now = updated.accounts.first { $0.name == account.name }
            if now == nil || now!.locked || now!.role != account.role {
                for ended in sessions.endAll(account: account.name) { mustChange.remove(ended.token) }
            }
        }
        for (id, watcher) in watchers {
            let changed = changedSections(after: watcher.after, among: watcher.sections)
            guard !changed.isEmpty else { continue }
            watchers[id] = nil
            watcher.continuation.resume(returning: ConfigdMethod.Change(revision: revision, sections: changed))
        }
    }

    public func save(_ parameters: ConfigdMethod.ActorParameters, caller: PeerCredentials) throws(ControlError) -> ConfigdMethod.Revision {
        let who = try principal(session: parameters.session, origin: parameters.origin, caller: caller)
        try permit(ConfigdMethod.Save.name, who, refusal: "config-save-refused")
        do {
            try store.save(running)
        } catch {
            logger.error("saving the startup configuration failed: \(error)")
            audit.record(AuditEvent("config-save-failed", severity: .error, facts: who.auditFacts + [("error", "\(error)")], message: "saving failed: \(error)"))
            throw ControlError(.failed, "the startup configuration was not saved: \(error)")
        }
        startup = running
        savedRevision = revision
        startupProblem = nil
        audit.record(AuditEvent("config-save", facts: who.auditFacts + [("revision", String(revision))],
                                message: "\(who.account) copied running-config to startup-config (revision \(revision))"))
        return ConfigdMethod.Revision(revision: revision)
    }

    public func revert(_ parameters: ConfigdMethod.ActorParameters, caller: PeerCredentials) throws(ControlError) -> ConfigdMethod.Revision {
        let who = try principal(session: parameters.session, origin: parameters.origin, caller: caller)
        try permit(ConfigdMethod.Revert.name, who, refusal: "config-revert-refused")
        let diff = ConfigDiff(from: running, to: startup)
        commit(startup)
        audit.record(AuditEvent("config-revert", facts: who.auditFacts + [("revision", String(revision)), ("change", diff.description)],
                                message: "\(who.account) reverted the running configuration to startup-config"))
        return ConfigdMethod.Revision(revision: revision)
    }

    public func diff(_ parameters: ConfigdMethod.ActorParameters, caller: PeerCredentials) throws(ControlError) -> ConfigdMethod.DiffResult {
        let who = try principal(session: parameters.session, origin: parameters.origin, caller: caller)
        try permit(ConfigdMethod.Diff.name, who, refusal: "config-diff-refused")
        // Only the sections the role may read (the others compare equal at factory defaults).
        let diff = ConfigDiff(from: startup.view(for: who.role), to: running.view(for: who.role))
        return ConfigdMethod.DiffResult(lines: diff.description.isEmpty ? [] : diff.description.split(separator: "\n").map(String.init))
    }

    /// SIGHUP: the startup configuration is read from disk again and becomes
    /// the running one (unsaved changes are discarded, and that is audited).
    public func reload() {
        switch store.load() {
        case .loaded(let loaded):
            let (config, given) = Self.givingAccountIDs(loaded)
            if given {
                do { try store.save(config) } catch { logger.error("SIGHUP: the accounts' new ids could not be saved: \(error)") }
            }
            let discarded = ConfigDiff(from: startup, to: running)
            startup = config
            savedRevision = revision + 1
            commit(config)
            startupProblem = nil
            audit.record(AuditEvent("config-reload", facts: [("discarded", discarded.description)], message: "configd re-read startup-config (SIGHUP)"))
        case .refused(let problem, _):
            startupProblem = problem
            logger.error("SIGHUP: startup configuration refused, the running one stays: \(problem)")
            audit.record(AuditEvent("startup-config-refused", severity: .error, facts: [("problem", problem)], message: "SIGHUP: startup configuration refused; running configuration kept"))
        case .none:
            logger.warning("SIGHUP: no startup configuration on disk; the running one stays")
        }
    }

    // MARK: Logins and sessions

    /// The hash to check and the hasher, for verification outside the actor.
    public func credentialsToCheck(name: String) -> (hash: String, hasher: PasswordHasher) {
        (loginGuard.hashToVerify(for: name), loginGuard.passwordHasher)
    }

    public func concludeLogin(_ parameters: ConfigdMethod.AuthenticateParameters, verifiedHash: String, matched: Bool, caller: PeerCredentials) -> ConfigdMethod.Login {
        let now = LoginTime(epochSeconds: Int64(time(nil)), monotonic: .now)
        let outcome = loginGuard.conclude(name: parameters.name, source: loginSource(parameters.origin, caller: caller), verifiedHash: verifiedHash, matched: matched, now: now)
        let origin = parameters.origin
        var facts: [(name: String, value: String)] = [("name", String(parameters.name.prefix(64))), ("channel", origin.channel), ("peer", origin.peer),
                                                      ("uid", String(caller.uid)), ("pid", String(caller.pid))]
        for event in loginGuard.takeEvents() { recordLoginEvent(event, facts: facts) }
        switch outcome {
        case .success(let role, let mustChangePassword):
            do {
                let session = try sessions.create(account: parameters.name, role: role, now: now.monotonic)
                if mustChangePassword { mustChange.insert(session.token) }
                facts.append(("session", session.token.description))
                audit.record(AuditEvent("session-open", facts: facts, message: "\(parameters.name) signed in over \(origin.channel) from \(origin.peer)"))
                return ConfigdMethod.Login(outcome: "success", role: role, mustChangePassword: mustChangePassword, session: session.token.hex,
                                           message: mustChangePassword ? "Your password has expired: choose a new one." : "Welcome, \(parameters.name).")
            } catch {
                audit.record(AuditEvent("session-refused", severity: .warning, facts: facts, message: "\(parameters.name): \(error)"))
                return ConfigdMethod.Login(outcome: "too-many-sessions", role: nil, mustChangePassword: nil, session: nil, message: error.description)
            }
        case .failure(let reason):
            let (code, message): (String, String) = switch reason {
            case .badCredentials: ("bad-credentials", "Wrong name or password.")
            case .locked: ("locked", "This account is locked. Try again later or ask an administrator.")
            case .expired: ("expired", "The password has expired. Ask an administrator to set a new one.")
            }
            return ConfigdMethod.Login(outcome: code, role: nil, mustChangePassword: nil, session: nil, message: message)
        }
    }

    /// The source a password attempt counts against: the client's address
    /// in `origin` when a front end that knows it says so (root, configd's
    /// own user, webd); anyone else could name made-up addresses to spread
    /// its guesses, so its attempts count against its uid.
    private func loginSource(_ origin: RequestOrigin, caller: PeerCredentials) -> LoginSource {
        switch directory.classify(caller) {
        case .privileged, .service(.webd): LoginSource(origin: origin)
        default: LoginSource("uid:\(caller.uid)")
        }
    }

    private func recordLoginEvent(_ event: LoginAuditEvent, facts: [(name: String, value: String)]) {
        switch event {
        case .loginSucceeded(let account, let role):
            audit.record(AuditEvent("login-success", facts: facts + [("role", role.rawValue)], message: "login of \(account) succeeded"))
        case .loginFailed(let name, let reason, let known):
            audit.record(AuditEvent("login-failure", severity: .warning, facts: facts + [("reason", reason.rawValue), ("known-account", String(known))],
                                    message: "login as \(name.prefix(64)) refused: \(reason.rawValue)"))
        case .lockedOut(let name, let source, let known, let failures, let until):
            // Only this source waits: the account is not flagged locked (that is an administrator's act).
            let wait = until.map { "\($0.nanoseconds(since: .now) / 1_000_000_000 + 1) s" } ?? "until an admin unlocks"
            audit.record(AuditEvent("login-lockout", severity: .warning, facts: facts + [("source", source), ("failures", String(failures)), ("known-account", String(known)),
                                                                                            ("until", wait)],
                                    message: "\(name.prefix(64)) throttled for \(source) after \(failures) failed logins (\(wait))"))
        case .unlocked(let name):
            audit.record(AuditEvent("login-unlock", facts: facts + [("account", name)], message: "\(name) unlocked"))
        }
    }

    public static let accountGroup = Account.osGroup

    /// A session for an ssh login (sshd checked the key): the account is the
    /// caller's own OS user, or, for root and configd's user, the one named.
    public func openKeySession(_ parameters: ConfigdMethod.OpenSessionParameters, caller: PeerCredentials) throws(ControlError) -> ConfigdMethod.Login {
        let origin = parameters.origin
        var facts: [(name: String, value: String)] = [("channel", origin.channel), ("peer", String(origin.peer.prefix(80))),
                                                      ("uid", String(caller.uid)), ("pid", String(caller.pid)), ("method", "publickey")]
        let name: String
        if directory.classify(caller) == .privileged {
            guard let named = parameters.account else {
                throw ControlError(.invalidParameters, "name the account to open a session for")
            }
            name = named
        } else {
            guard let entry = getpwuid(caller.uid), let group = getgrnam(Self.accountGroup), entry.pointee.pw_gid == group.pointee.gr_gid else {
                let reason = "uid \(caller.uid) is not the OS user of an appliance account"
                refuse(Principal(account: "uid:\(caller.uid)", role: .viewer, origin: origin, caller: caller, session: nil), "session-refused", reason)
                throw ControlError(.permissionDenied, reason)
            }
            name = String(cString: entry.pointee.pw_name)
            if let named = parameters.account, named != name {
                throw ControlError(.permissionDenied, "uid \(caller.uid) may open a session only for \(name)")
            }
        }
        facts.insert(("name", String(name.prefix(64))), at: 0)
        guard let account = running.accounts.first(where: { $0.name == name }) else {
            audit.record(AuditEvent("login-failure", severity: .warning, facts: facts + [("reason", "unknown-account")],
                                    message: "ssh login as \(name.prefix(64)) refused: no such account"))
            return ConfigdMethod.Login(outcome: "bad-credentials", role: nil, mustChangePassword: nil, session: nil, message: "No such account.")
        }
        // The password throttle does not apply: a key login proves the key, and no failure from the network may keep it out.
        if account.locked {
            audit.record(AuditEvent("login-failure", severity: .warning, facts: facts + [("reason", "locked")],
                                    message: "ssh login as \(name) refused: the account is locked"))
            return ConfigdMethod.Login(outcome: "locked", role: nil, mustChangePassword: nil, session: nil,
                                       message: "This account is locked. Ask an administrator.")
        }
        do {
            let session = try sessions.create(account: name, role: account.role, now: .now)
            audit.record(AuditEvent("login-success", facts: facts + [("role", account.role.rawValue)], message: "login of \(name) succeeded (public key)"))
            audit.record(AuditEvent("session-open", facts: facts + [("session", session.token.description)],
                                    message: "\(name) signed in over \(origin.channel) from \(origin.peer.prefix(80))"))
            return ConfigdMethod.Login(outcome: "success", role: account.role, mustChangePassword: false, session: session.token.hex,
                                       message: "Welcome, \(name).")
        } catch {
            audit.record(AuditEvent("session-refused", severity: .warning, facts: facts, message: "\(name): \(error)"))
            return ConfigdMethod.Login(outcome: "too-many-sessions", role: nil, mustChangePassword: nil, session: nil, message: error.description)
        }
    }

    /// The unlocked account holding this public key.
    public func keyOwner(_ parameters: ConfigdMethod.KeyOwnerParameters) -> ConfigdMethod.KeyOwner {
        guard let key = try? SSHPublicKey(parameters.keyType + " " + parameters.keyBase64) else { return .init(account: nil) }
        let owner = running.accounts.first { !$0.locked && $0.sshKeys.contains { $0.algorithm == key.algorithm && $0.blob == key.blob } }
        return .init(account: owner?.name)
    }

    public func checkSession(_ token: String, caller: PeerCredentials) throws(ControlError) -> ConfigdMethod.SessionInfo {
        if APITokenStore.looksLikeSecret(token) {
            let holder = try apiTokenHolder(token)
            return ConfigdMethod.SessionInfo(account: holder.name, role: holder.role, mustChangePassword: false)
        }
        guard let parsed = SessionToken(hex: token), let session = sessions.touch(parsed, now: .now) else {
            throw ControlError(.permissionDenied, "the session has expired or is unknown; sign in again")
        }
        return ConfigdMethod.SessionInfo(account: session.account, role: session.role, mustChangePassword: mustChange.contains(parsed))
    }

    public func logout(_ token: String, caller: PeerCredentials) {
        guard let parsed = SessionToken(hex: token), let ended = sessions.end(parsed) else { return }
        mustChange.remove(parsed)
        audit.record(AuditEvent("session-close", facts: [("account", ended.account), ("uid", String(caller.uid))], message: "\(ended.account) signed out"))
    }

    // MARK: API tokens

    /// The account an API token acts as: it must exist and be unlocked now,
    /// and its role is the account's current one.
    private func apiTokenHolder(_ secret: String) throws(ControlError) -> Account {
        guard let token = apiTokens.match(secret), let bound = token.accountID,
              let account = running.accounts.first(where: { $0.id == bound }), !account.locked else {
            throw ControlError(.permissionDenied, "the API token is unknown, revoked, or its account is locked")
        }
        return account
    }

    /// Issues an API token for an account (admin only); the secret is in the
    /// answer once and never again.
    public func createAPIToken(_ parameters: ConfigdMethod.APITokenCreateParameters, caller: PeerCredentials) throws(ControlError) -> ConfigdMethod.APITokenIssued {
        let who = try principal(session: parameters.session, origin: parameters.origin, caller: caller)
        try permit(ConfigdMethod.APITokenCreate.name, who, refusal: "api-token-refused")
        guard let account = running.accounts.first(where: { $0.name == parameters.account }), let accountID = account.id else {
            throw ControlError(.invalidParameters, "no account \(parameters.account)")
        }
        let label = parameters.label
        guard !label.isEmpty, label.utf8.count <= 64, label.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
            throw ControlError(.invalidParameters, "a token label is 1-64 printable characters without spaces")
        }
        var generator = SystemRandomNumberGenerator()
        let entry: APIToken, secret: String
        do throws(APITokenRefusal) {
            (entry, secret) = try apiTokens.issue(account: account.name, accountID: accountID, label: label, now: Int64(time(nil)), using: &generator)
        } catch {
            throw ControlError(.invalidParameters, error.description)
        }
        try saveAPITokens()
        audit.record(AuditEvent("api-token-created", facts: who.auditFacts + [("token-account", entry.account), ("token-id", entry.id), ("label", entry.label)],
                                message: "\(who.account) created API token \(entry.id) (\(entry.label)) for \(entry.account)"))
        return .init(token: Self.listed(entry), secret: secret)
    }

    /// The API tokens (admin: all; anyone else: their own), without secrets or hashes.
    public func listAPITokens(_ parameters: ConfigdMethod.APITokenListParameters, caller: PeerCredentials) throws(ControlError) -> [ConfigdMethod.APITokenInfo] {
        let who = try principal(session: parameters.session, origin: nil, caller: caller)
        try permit(ConfigdMethod.APITokenList.name, who, refusal: "api-token-refused")
        return apiTokens.tokens.filter { who.role == .admin || $0.account == who.account }.map(Self.listed)
    }

    /// Revokes an API token (admin only); it stops working at once.
    public func revokeAPIToken(_ parameters: ConfigdMethod.APITokenRevokeParameters, caller: PeerCredentials) throws(ControlError) {
        let who = try principal(session: parameters.session, origin: parameters.origin, caller: caller)
        try permit(ConfigdMethod.APITokenRevoke.name, who, refusal: "api-token-refused")
        guard let gone = apiTokens.revoke(id: parameters.id) else { throw ControlError(.invalidParameters, "no API token \(parameters.id)") }
        try saveAPITokens()
        audit.record(AuditEvent("api-token-revoked", facts: who.auditFacts + [("token-account", gone.account), ("token-id", gone.id), ("label", gone.label)],
                                message: "\(who.account) revoked API token \(gone.id) (\(gone.label)) of \(gone.account)"))
    }

    private static func listed(_ token: APIToken) -> ConfigdMethod.APITokenInfo {
        .init(id: token.id, account: token.account, label: token.label, created: token.created)
    }

    private var apiTokensPath: String { paths.stateDirectory("configd") + "/api-tokens.json" }

    /// The tokens on disk, those of an older file bound to their account's id
    /// by name, and those of accounts that no longer exist removed.
    private static func loadAPITokens(paths: AppliancePaths, logger: Logger, accounts: [Account]) -> APITokenStore {
        let path = paths.stateDirectory("configd") + "/api-tokens.json"
        guard let bytes = try? AtomicFile.read(path) else { return APITokenStore() }
        do {
            var tokens = try JSONDecoder().decode(APITokenStore.self, from: Data(bytes))
            let ids = Dictionary(accounts.compactMap { account in account.id.map { (account.name, $0) } }, uniquingKeysWith: { first, _ in first })
            let bound = tokens.bindUnbound(accounts: ids)
            let gone = tokens.keepOnly(accountIDs: Set(ids.values))
            if bound || !gone.isEmpty {
                if !gone.isEmpty { logger.notice("\(gone.count) API token(s) of accounts that no longer exist removed") }
                do {
                    try AtomicFile.write([UInt8](try JSONEncoder().encode(tokens)), to: path, mode: 0o600)
                } catch {
                    logger.error("API tokens in \(path) could not be rewritten: \(error)")
                }
            }
            return tokens
        } catch {
            // Refusing every token is the safe side; the file is kept for a look.
            logger.error("API tokens in \(path) unreadable (\(error)); no token is accepted until one is created")
            return APITokenStore()
        }
    }

    /// Deleted accounts' tokens go with them, at the commit that deletes
    /// them: a later revert or reload that brings the name back (with its
    /// old id or a new one) does not bring them back.
    private func pruneAPITokens() {
        let gone = apiTokens.keepOnly(accountIDs: Set(running.accounts.compactMap(\.id)))
        guard !gone.isEmpty else { return }
        do {
            try saveAPITokens()
        } catch {
            logger.error("\(error.message)")
        }
        for token in gone {
            audit.record(AuditEvent("api-token-revoked", facts: [("token-account", token.account), ("token-id", token.id), ("label", token.label), ("reason", "account deleted")],
                                    message: "API token \(token.id) (\(token.label)) of \(token.account) revoked with its account"))
        }
    }

    private func saveAPITokens() throws(ControlError) {
        _ = apiTokens.keepOnly(accountIDs: Set(running.accounts.compactMap(\.id)))
        do {
            let data = try JSONEncoder().encode(apiTokens)
            try AtomicFile.write([UInt8](data), to: apiTokensPath, mode: 0o600)
        } catch {
            throw ControlError(.failed, "the API tokens could not be written: \(error)")
        }
    }

    /// Ends sessions idle past the policy's timeout (on the monotonic clock).
    public func expireIdleSessions() {
        for session in sessions.expireIdle(now: .now) {
            mustChange.remove(session.token)
            audit.record(AuditEvent("session-expired", facts: [("account", session.account)], message: "\(session.account)'s session ended after \(running.policy.sessionIdleTimeoutSeconds) s idle"))
        }
    }

    /// Step one of a password change: who, which account, and the hashes to check against.
    public func passwordChangeContext(_ parameters: ConfigdMethod.SetPasswordParameters, caller: PeerCredentials) throws(ControlError) -> (account: Account, policy: SecurityPolicy, ownChange: Bool) {
        let who = try principal(session: parameters.session, origin: parameters.origin, caller: caller, allowMustChange: true)
        try permit(ConfigdMethod.SetPassword.name, who, refusal: "password-change-refused")
        let target = parameters.account ?? who.account
        guard let account = running.accounts.first(where: { $0.name == target }) else {
            throw ControlError(.invalidParameters, "no account \"\(target.prefix(64))\"")
        }
        let own = target == who.account
        guard own || who.role == .admin else {
            refuse(who, "password-change-refused", "only an admin may set another account's password")
            throw ControlError(.permissionDenied, "only an admin may set another account's password")
        }
        // The current password is a guess like a sign-in: a throttled source waits here too.
        if own, loginGuard.isLocked(name: target, source: loginSource(who.origin, caller: caller), now: .now) {
            let reason = "too many wrong passwords for \(target) from \(loginSource(who.origin, caller: caller)); try again later or ask an administrator"
            refuse(who, "password-change-refused", reason)
            throw ControlError(.permissionDenied, reason)
        }
        return (account, running.policy, own)
    }

    /// A password change whose current password was wrong: counted by the
    /// throttle like a failed sign-in from the caller's source, and audited.
    public func recordWrongCurrentPassword(_ parameters: ConfigdMethod.SetPasswordParameters, caller: PeerCredentials) {
        guard let who = try? principal(session: parameters.session, origin: parameters.origin, caller: caller, allowMustChange: true) else { return }
        let target = parameters.account ?? who.account
        loginGuard.recordFailure(name: target, source: loginSource(who.origin, caller: caller), now: .now)
        let facts: [(name: String, value: String)] = [("name", String(target.prefix(64))), ("channel", who.origin.channel), ("peer", who.origin.peer),
                                                      ("uid", String(caller.uid)), ("pid", String(caller.pid)), ("method", "set-password")]
        for event in loginGuard.takeEvents() { recordLoginEvent(event, facts: facts) }
    }

    /// Step two: the new hash, made outside the actor, is recorded.
    public func recordPasswordChange(_ parameters: ConfigdMethod.SetPasswordParameters, newHash: String, caller: PeerCredentials) throws(ControlError) {
        let who = try principal(session: parameters.session, origin: parameters.origin, caller: caller, allowMustChange: true)
        try permit(ConfigdMethod.SetPassword.name, who, refusal: "password-change-refused")
        let target = parameters.account ?? who.account
        var updated = running
        guard let index = updated.accounts.firstIndex(where: { $0.name == target }) else {
            throw ControlError(.invalidParameters, "no account \"\(target.prefix(64))\"")
        }
        updated.accounts[index].recordPasswordChange(newHash: newHash, at: Int64(time(nil)), historyDepth: running.policy.passwordHistoryDepth)
        commit(updated)
        if let session = who.session { mustChange.remove(session) }
        // A password change is saved at once: it must survive a restart even before `copy running-config startup-config`.
        do {
            try store.save(running.applyingSavedAccounts(to: startup))
            startup = running.applyingSavedAccounts(to: startup)
        } catch {
            throw ControlError(.failed, "the new password is in force but could not be saved: \(error)")
        }
        audit.record(AuditEvent("password-change", facts: who.auditFacts + [("target", target)], message: "\(who.account) changed the password of \(target)"))
    }

    private func refuse(_ who: Principal, _ kind: String, _ reason: String) {
        refusals += 1
        audit.record(AuditEvent(kind, severity: .warning, facts: who.auditFacts + [("reason", reason)], message: "\(who.account): \(reason)"))
    }

    public func status() -> ConfigdMethod.StatusResult {
        ConfigdMethod.StatusResult(revision: revision, savedRevision: savedRevision, unsavedChanges: running != startup,
                                   sessions: sessions.count, startupProblem: startupProblem, refusedRequests: refusals, watches: watchers.count)
    }
}

extension ApplianceConfig {
    /// `startup` with this configuration's accounts: account changes that must
    /// persist at once (a password change, a lockout) without saving other
    /// unsaved changes.
    func applyingSavedAccounts(to startup: ApplianceConfig) -> ApplianceConfig {
        var saved = startup
        saved.accounts = accounts
        return saved
    }
}

extension MonotonicInstant {
    /// The monotonic clock now (CLOCK_MONOTONIC: setting the wall clock does not move it).
    static var now: MonotonicInstant {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return MonotonicInstant(nanoseconds: UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec))
    }
}

extension String {
    func replacingNewlines() -> String {
        split(separator: "\n").joined(separator: "; ")
    }
}
