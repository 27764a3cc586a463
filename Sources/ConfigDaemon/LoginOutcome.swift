import Configuration
import ApplianceProtocol
/// The answer to a login attempt.
public enum LoginOutcome: Equatable, Sendable {
    /// Logged in with `role`; when `mustChangePassword`, the session may do
    /// nothing but change the password.
    case success(role: Role, mustChangePassword: Bool)
    /// Refused.
    case failure(LoginFailureReason)
}

/// Why a login was refused. Never says whether the name or the password was
/// wrong.
public enum LoginFailureReason: String, Equatable, Sendable {
    /// Unknown name, wrong password, or an account without a password.
    case badCredentials
    /// Too many failures from this source (for this name, known or not): it
    /// must wait; or locked by an administrator (said only after the right
    /// password).
    case locked
    /// The right password, expired beyond the grace period: an administrator
    /// must set a new one.
    case expired
}

/// A security-relevant fact for the audit log.
public enum LoginAuditEvent: Equatable, Sendable {
    /// A login succeeded.
    case loginSucceeded(account: String, role: Role)
    /// A login was refused. `knownAccount` is for the audit log only.
    case loginFailed(name: String, reason: LoginFailureReason, knownAccount: Bool)
    /// `failures` failures from `source` make it wait for `name` until
    /// `until` (nil: until an administrator unlocks it). Other sources are
    /// not touched.
    case lockedOut(name: String, source: String, knownAccount: Bool, failures: Int, until: MonotonicInstant?)
    /// An administrator lifted the waits of `name` (an unlock, a role change,
    /// a password reset).
    case unlocked(name: String)
}
