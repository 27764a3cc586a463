import ApplianceCore
import Configuration
import ApplianceProtocol

/// The daemons webd asks on a user's behalf, each call bounded by a
/// deadline and failing with a `WebError` that names the daemon. The user's
/// configd session token is passed through on every call, so configd and
/// sessmgrd enforce the role themselves, as they do for the CLI.
public struct ApplianceBackends: Sendable {
    public let paths: AppliancePaths
    /// How long a read or a start/stop may take before the answer is 503.
    public var deadline: Duration
    /// `authenticate` hashes the password (scrypt, about 0.1 s, queued under load).
    public var signInDeadline: Duration

    public init(paths: AppliancePaths, deadline: Duration = .seconds(3), signInDeadline: Duration = .seconds(15)) {
        self.paths = paths
        self.deadline = deadline
        self.signInDeadline = signInDeadline
    }

    /// webd's calls in flight to each daemon, at most 12: below the 16
    /// connections a daemon takes from one peer uid (the rest for webd's
    /// watch and a margin), so many clients at once queue here, never refused.
    static let gates: [String: CallGate] = Dictionary(uniqueKeysWithValues:
        ["configd", "sessmgrd", "procmon", "auditd", "snmpd"].map { ($0, CallGate(limit: 12)) })

    func call<M: ControlMethod>(_ daemon: String, _ method: M.Type, _ parameters: M.Parameters, deadline: Duration? = nil) async throws(WebError) -> M.Result {
        let client = ControlClient(paths: paths, daemon: daemon, timeout: deadline ?? self.deadline)
        do {
            guard let gate = Self.gates[daemon] else { return try await client.call(method, parameters) }
            return try await gate.run { () async throws(ControlError) -> M.Result in try await client.call(method, parameters) }
        } catch {
            throw WebError.from(error, daemon: daemon)
        }
    }

    // MARK: configd

    public func authenticate(account: String, password: String, peer: String) async throws(WebError) -> ConfigdMethod.Login {
        try await call("configd", ConfigdMethod.Authenticate.self,
                       .init(name: account, password: password, origin: RequestOrigin(channel: "web", peer: peer)), deadline: signInDeadline)
    }

    /// Who holds the session; configd also refreshes its idle timer.
    public func session(_ token: String) async throws(WebError) -> ConfigdMethod.SessionInfo {
        try await call("configd", ConfigdMethod.SessionCheck.self, .init(session: token))
    }

    public func logout(_ token: String) async throws(WebError) {
        _ = try await call("configd", ConfigdMethod.Logout.self, .init(session: token))
    }

    /// The system section as webd's own user reads it (for the sign-in
    /// page's banner, before anyone has signed in).
    public func systemSettings() async throws(WebError) -> SystemSettings {
        try await call("configd", ConfigdMethod.Get.self, .init(sections: [.system])).config.system
    }

    public func running(session: String, sections: [Section]? = nil) async throws(WebError) -> ConfigdMethod.Snapshot {
        try await call("configd", ConfigdMethod.Get.self, .init(sections: sections, session: session))
    }

    public func configdStatus() async throws(WebError) -> ConfigdMethod.StatusResult {
        try await call("configd", ConfigdMethod.Status.self, NoValue())
    }

    public func save(session: String, peer: String) async throws(WebError) -> ConfigdMethod.Revision {
        try await call("configd", ConfigdMethod.Save.self, .init(session: session, origin: RequestOrigin(channel: "web", peer: peer)))
    }

    /// Changes the session's own password under configd's policy (scrypt:
    /// the sign-in deadline). Works for a session whose password expired.
    public func changePassword(session: String, current: String, new: String, peer: String) async throws(WebError) {
        _ = try await call("configd", ConfigdMethod.SetPassword.self,
                           .init(session: session, currentPassword: current, newPassword: new, origin: RequestOrigin(channel: "web", peer: peer)),
                           deadline: signInDeadline)
    }

    /// Applies configuration-language lines, whole or nothing; configd
    /// checks the session's role and audits the change with `peer`.
    public func apply(_ commands: [String], session: String, peer: String) async throws(WebError) -> ConfigdMethod.Applied {
        try await call("configd", ConfigdMethod.Apply.self, .init(session: session, commands: commands, origin: RequestOrigin(channel: "web", peer: peer)))
    }

    /// The startup configuration becomes the running one again.
    public func revert(session: String, peer: String) async throws(WebError) -> ConfigdMethod.Revision {
        try await call("configd", ConfigdMethod.Revert.self, .init(session: session, origin: RequestOrigin(channel: "web", peer: peer)))
    }

    /// Running versus startup, as `- startup` / `+ running` lines.
    public func diff(session: String) async throws(WebError) -> ConfigdMethod.DiffResult {
        try await call("configd", ConfigdMethod.Diff.self, .init(session: session))
    }

    /// The same daemons with the page-render deadline (at most 1 s), so a
    /// daemon that is down costs a page one panel, not the whole answer.
    public var forPages: ApplianceBackends {
        var copy = self
        copy.deadline = min(deadline, Self.pageDeadline)
        return copy
    }

    /// The longest a page render waits for one daemon.
    public static let pageDeadline: Duration = .seconds(1)

    // MARK: procmon

    public func processes() async throws(WebError) -> [ProcessStatus] {
        try await call("procmon", ProcmonMethod.Processes.self, NoValue())
    }

    // MARK: sessmgrd

    public func streams(session: String) async throws(WebError) -> SessmgrdMethod.StatusResult {
        try await call("sessmgrd", SessmgrdMethod.Status.self, .init(session: session))
    }

    public func start(stream: String, session: String) async throws(WebError) -> SessmgrdMethod.Started {
        try await call("sessmgrd", SessmgrdMethod.Start.self, .init(name: stream, session: session))
    }

    public func stop(stream: String, session: String) async throws(WebError) -> SessmgrdMethod.Started {
        try await call("sessmgrd", SessmgrdMethod.Stop.self, .init(name: stream, session: session))
    }
}
