import ApplianceCore
import Configuration

extension ConfigdMethod.SessionCheck {
    /// The caller of a request that carries `session` (asked of configd),
    /// or, without one, the local privileged caller (`console`); throws a
    /// permission error when neither passes or the role is not among `roles`.
    /// How daemons other than configd check a session's role.
    public static func authorize(_ caller: PeerCredentials, session: String?, roles: Set<Role>, paths: AppliancePaths,
                                 what: String) async throws(ControlError) -> String {
        guard let session else {
            if ControlPermission.privileged.permits(caller) { return "console" }
            throw ControlError(.permissionDenied, "\(what) needs a session (sign in first)")
        }
        guard session.utf8.count <= 128 else { throw ControlError(.invalidParameters, "a session token is at most 128 bytes") }
        let who = try await ControlClient(paths: paths, daemon: "configd", timeout: .seconds(3)).call(Self.self, .init(session: session))
        guard !who.mustChangePassword else { throw ControlError(.permissionDenied, "the password of \(who.account) has expired: change it first") }
        guard roles.contains(who.role) else {
            let needed = roles.map(\.rawValue).sorted().joined(separator: " or ")
            throw ControlError(.permissionDenied, "\(what) needs the role \(needed); \(who.account) is \(who.role.rawValue)")
        }
        return who.account
    }
}
