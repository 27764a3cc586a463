import ApplianceCore
import Configuration
import Glibc

/// A local caller as the permission tables name it, from its kernel-verified
/// uid (`SO_PEERCRED`), never from what the request claims.
public enum CallerClass: Hashable, Sendable, CustomStringConvertible {
    /// root or the daemon's own user: the local console administrator.
    case privileged
    /// Another daemon of the appliance, by its service account.
    case service(ApplianceService)
    /// Anyone else (an account's own OS user, `nobody`, …): may act only
    /// through a session or API token it presents, unless a rule says otherwise.
    case other

    /// The columns of the tables, in order.
    public static let all: [CallerClass] = [.privileged] + ApplianceService.daemonsWithUsers.map(CallerClass.service) + [.other]

    public var description: String {
        switch self {
        case .privileged: "root/own"
        case .service(let service): service.rawValue
        case .other: "other uid"
        }
    }
}

extension ApplianceService {
    /// The daemons that run as a service account of their own, and that account.
    public static let serviceAccounts: KeyValuePairs<ApplianceService, String> = [
        .webd: "appliance-web", .snmpd: "appliance-snmp", .sessmgrd: "appliance-sessmgr", .auditd: "appliance-audit",
    ]
    static let daemonsWithUsers: [ApplianceService] = serviceAccounts.map(\.key)
}

/// What one rule gives one caller class or role.
public enum Grant: Hashable, Sendable {
    case denied
    case allowed
    /// Allowed, and the handler checks the request's arguments further
    /// (what: e.g. "own sections only"); the table documents it.
    case limited(String)

    public var permits: Bool { self != .denied }
}

/// Who may call one method: by caller class without a session, and by role
/// with a session or API token (from any uid: holding the token is the
/// authority, as with a browser's cookie).
public struct AccessRule: Sendable {
    public var callers: [CallerClass: Grant]
    public var roles: [Role: Grant]
    /// What the method does, for refusals: "reading the audit log".
    public var what: String

    public init(_ what: String, callers: [CallerClass: Grant] = [:], roles: [Role: Grant] = [:]) {
        self.what = what
        self.callers = callers
        self.roles = roles
    }

    public func grant(_ caller: CallerClass) -> Grant { callers[caller] ?? .denied }
    public func grant(_ role: Role) -> Grant { roles[role] ?? .denied }
    /// The roles a session may have to call the method, in `Role` order.
    public var permittedRoles: [Role] { Role.allCases.filter { grant($0).permits } }

    /// Every role, allowed.
    public static let anyRole: [Role: Grant] = [.admin: .allowed, .operator: .allowed, .viewer: .allowed]
    /// Every caller class, allowed: the method answers whoever reaches the socket.
    public static let anyCaller: [CallerClass: Grant] = Dictionary(uniqueKeysWithValues: CallerClass.all.map { ($0, .allowed) })
}

/// A daemon's permission table: every control method × every caller class
/// and role. The daemon registers its routes from it and checks callers
/// with `CallerResolver`; docs/PRIVSEP.md shows it (generated, and checked
/// by a test against this data).
public struct AccessTable: Sendable {
    public let daemon: String
    public let rules: [(method: String, rule: AccessRule)]

    public init(daemon: String, _ rules: [(method: String, rule: AccessRule)]) {
        self.daemon = daemon
        self.rules = rules
    }

    public func rule(_ method: String) -> AccessRule {
        guard let rule = rules.first(where: { $0.method == method })?.rule else {
            preconditionFailure("\(daemon): no access rule for \(method)")
        }
        return rule
    }

    public var methods: [String] { rules.map(\.method) }

    /// The table as docs/PRIVSEP.md shows it: ✓ allowed, ✓¹… allowed with
    /// the numbered check below the table, – refused.
    public func markdown() -> String {
        let columns = CallerClass.all.map(\.description) + Role.allCases.map { "\($0.rawValue) session" }
        var notes: [String] = []
        func cell(_ grant: Grant) -> String {
            switch grant {
            case .denied: return "–"
            case .allowed: return "✓"
            case .limited(let note):
                if let index = notes.firstIndex(of: note) { return "✓\(index + 1)" }
                notes.append(note)
                return "✓\(notes.count)"
            }
        }
        var lines = ["| \(daemon) | " + columns.joined(separator: " | ") + " |",
                     "|---|" + String(repeating: "---|", count: columns.count)]
        for (method, rule) in rules {
            let cells = CallerClass.all.map { cell(rule.grant($0)) } + Role.allCases.map { cell(rule.grant($0)) }
            lines.append("| `\(method)` | " + cells.joined(separator: " | ") + " |")
        }
        for (index, note) in notes.enumerated() { lines.append("\n\(index + 1). \(note)") }
        return lines.joined(separator: "\n")
    }
}

/// Who acts, once a request passed its table.
public enum Principal: Sendable, Equatable {
    /// root or the daemon's own user (named for the audit trail).
    case console(String)
    /// Another daemon, calling as itself.
    case service(ApplianceService)
    /// Any other uid a rule lets in without a session.
    case local(uid: UInt32)
    /// A person, by the session or API token presented.
    case account(String, Role)

    /// The actor the audit trail names.
    public var actor: String {
        switch self {
        case .console(let name): "console:\(name)"
        case .service(let service): "service \(service.rawValue)"
        case .local(let uid): "uid \(uid)"
        case .account(let name, _): name
        }
    }
}

/// The one caller resolver: peer credentials to caller class, and caller
/// plus presented session to principal, checked against a table.
public struct CallerResolver: Sendable {
    public let ownUID: UInt32
    private let services: [UInt32: ApplianceService]

    /// The service accounts as they exist on this system, looked up once.
    public init(ownUID: UInt32 = getuid()) {
        var services: [UInt32: ApplianceService] = [:]
        for (service, user) in ApplianceService.serviceAccounts {
            if let entry = getpwnam(user), entry.pointee.pw_uid != 0 { services[entry.pointee.pw_uid] = service }
        }
        self.init(ownUID: ownUID, services: services)
    }

    public init(ownUID: UInt32, services: [UInt32: ApplianceService]) {
        self.ownUID = ownUID
        self.services = services
    }

    public func classify(_ caller: PeerCredentials) -> CallerClass {
        if caller.uid == 0 || caller.uid == ownUID { return .privileged }
        return services[caller.uid].map(CallerClass.service) ?? .other
    }

    /// The check made before a request's parameters are decoded: the caller
    /// class may call the method itself, or some role may (then a session
    /// decides later).
    public func gate(_ table: AccessTable, _ method: String) -> ControlPermission {
        let rule = table.rule(method)
        let roles = rule.permittedRoles
        let anyRole = !roles.isEmpty
        var who: [String] = []
        if rule.grant(.other).permits {
            who = ["anyone"]
        } else {
            if rule.grant(.privileged).permits { who += ["root", "uid \(ownUID)"] }
            who += ApplianceService.serviceAccounts.filter { rule.grant(.service($0.key)).permits }.map(\.value)
            if anyRole { who.append("a session of \(roles.map(\.rawValue).joined(separator: "/"))") }
        }
        let description = who.count <= 2 ? who.joined(separator: " or ")
                                         : who.dropLast().joined(separator: ", ") + " or " + who[who.count - 1]
        return ControlPermission(description) { caller in
            anyRole || rule.grant(classify(caller)).permits
        }
    }

    /// Who acts for `method`: the session's account when one was presented
    /// (`session`: what configd said of it), else the caller by its class.
    /// Throws `permissionDenied`, saying what would be needed.
    public func authorize(_ method: String, in table: AccessTable, caller: PeerCredentials,
                          session: ConfigdMethod.SessionInfo?) throws(ControlError) -> Principal {
        let rule = table.rule(method)
        if let session {
            guard !session.mustChangePassword else {
                throw ControlError(.permissionDenied, "the password of \(session.account) has expired: change it first")
            }
            guard rule.grant(session.role).permits else {
                let roles = rule.permittedRoles.map(\.rawValue)
                if roles.isEmpty { throw ControlError(.permissionDenied, "\(rule.what) is not done with a session") }
                throw ControlError(.permissionDenied,
                                   "\(rule.what) needs the role \(roles.joined(separator: " or ")); \(session.account) is \(session.role.rawValue)")
            }
            return .account(session.account, session.role)
        }
        let callerClass = classify(caller)
        guard rule.grant(callerClass).permits else {
            if rule.permittedRoles.isEmpty { throw ControlError(.permissionDenied, "\(rule.what) is not permitted to uid \(caller.uid)") }
            throw ControlError(.permissionDenied, "\(rule.what) needs a session (sign in first)")
        }
        switch callerClass {
        case .privileged:
            return .console(getpwuid(caller.uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(caller.uid)")
        case .service(let service):
            return .service(service)
        case .other:
            return .local(uid: caller.uid)
        }
    }

    /// `authorize` for daemons other than configd: a presented session is
    /// first checked with `verify` (configd's `session` method; see `configdSessions`).
    public func authorize(_ method: String, in table: AccessTable, caller: PeerCredentials, session: String?,
                          verify: @Sendable (String) async throws -> ConfigdMethod.SessionInfo) async throws(ControlError) -> Principal {
        guard let session else { return try authorize(method, in: table, caller: caller, session: nil) }
        guard session.utf8.count <= 128 else { throw ControlError(.invalidParameters, "a session token is at most 128 bytes") }
        let info: ConfigdMethod.SessionInfo
        do { info = try await verify(session) } catch let error as ControlError {
            throw error.code == .permissionDenied ? error : ControlError(.unavailable, "configd cannot check the session: \(error.message)")
        } catch {
            throw ControlError(.unavailable, "configd cannot check the session: \(error)")
        }
        return try authorize(method, in: table, caller: caller, session: info)
    }

    /// Asks configd who holds a session (its `session` method).
    public static func configdSessions(paths: AppliancePaths) -> @Sendable (String) async throws -> ConfigdMethod.SessionInfo {
        let configd = ControlClient(paths: paths, daemon: "configd", timeout: .seconds(3))
        return { token in try await configd.call(ConfigdMethod.SessionCheck.self, .init(session: token)) }
    }
}

extension ControlRoutes {
    /// Adds `method` with the gate its table gives: the daemon's table is
    /// the one place that says who may call what.
    public mutating func register<M: ControlMethod>(
        _ method: M.Type, table: AccessTable, resolver: CallerResolver, timeout: Duration? = nil,
        _ handler: @escaping @Sendable (M.Parameters, PeerCredentials) async throws -> M.Result
    ) {
        register(method, permission: resolver.gate(table, M.name), timeout: timeout, handler)
    }
}

/// Every daemon's table, in the order docs/PRIVSEP.md shows them.
public enum AccessTables {
    public static let all: [AccessTable] = [
        ProcmonAccess.table, ConfigdAccess.table, AuditdAccess.table, SessmgrdAccess.table, ShaperAccess.table,
        WebdAccess.table, SnmpdAccess.table,
    ]

    /// The generated part of docs/PRIVSEP.md.
    public static func markdown() -> String {
        all.map { $0.markdown() }.joined(separator: "\n\n")
    }
}
