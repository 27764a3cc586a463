/// configd's `session` method as a daemon that does not link the
/// configuration model sees it: who a session token belongs to and the
/// role, which the daemon then checks against what the request needs.
public enum ConfigdSessionCheck: ControlMethod {
    public struct Parameters: Codable, Sendable {
        public var session: String
        public init(session: String) { self.session = session }
    }

    public struct Result: Codable, Sendable, Equatable {
        public var account: String
        /// `admin`, `operator` or `viewer`.
        public var role: String
        public var mustChangePassword: Bool
    }

    public static let name = "session"

    /// The caller of a request that carries `session`, or (without one) the
    /// local privileged caller; throws a permission error when neither passes
    /// or the role is not among `roles`.
    public static func authorize(_ caller: PeerCredentials, session: String?, roles: Set<String>, paths: AppliancePaths,
                                 what: String) async throws(ControlError) -> String {
        guard let session else {
            if ControlPermission.privileged.permits(caller) { return "console" }
            throw ControlError(.permissionDenied, "\(what) needs a session (sign in first)")
        }
        guard session.utf8.count <= 128 else { throw ControlError(.invalidParameters, "a session token is at most 128 bytes") }
        let who = try await ControlClient(paths: paths, daemon: "configd", timeout: .seconds(3)).call(Self.self, .init(session: session))
        guard !who.mustChangePassword else { throw ControlError(.permissionDenied, "the password of \(who.account) has expired: change it first") }
        guard roles.contains(who.role) else {
            throw ControlError(.permissionDenied, "\(what) needs the role \(roles.sorted().joined(separator: " or ")); \(who.account) is \(who.role)")
        }
        return who.account
    }
}
