/// A person's login. Accounts are configd-internal: no daemon ever reads them,
/// and no password hash leaves configd.
public struct Account: Codable, Equatable, Sendable {
    /// The login name (`ConfigName.rule`).
    public var name: String
    /// What the account may do.
    public var role: Role
    /// Locked by an administrator: no login until unlocked.
    public var locked: Bool
    /// The current password as a `PasswordHasher` string, or nil for an
    /// account that logs in with ssh keys only.
    public var passwordHash: String?
    /// When the password was last set, in seconds since the Unix epoch.
    public var passwordChangedAt: Int64?
    /// Hashes of earlier passwords, newest first, kept to refuse reuse.
    public var passwordHistory: [String]
    /// Keys accepted for ssh login.
    public var sshKeys: [SSHPublicKey]

    /// The most keys one account may hold.
    public static let maximumSSHKeys = 16

    public init(name: String, role: Role = .viewer, locked: Bool = false, passwordHash: String? = nil,
                passwordChangedAt: Int64? = nil, passwordHistory: [String] = [], sshKeys: [SSHPublicKey] = []) {
        self.name = name
        self.role = role
        self.locked = locked
        self.passwordHash = passwordHash
        self.passwordChangedAt = passwordChangedAt
        self.passwordHistory = passwordHistory
        self.sshKeys = sshKeys
    }

    /// Sets a new password hash: the current one moves to the front of the
    /// history, which keeps at most `historyDepth` entries.
    public mutating func recordPasswordChange(newHash: String, at time: Int64, historyDepth: Int) {
        if let current = passwordHash {
            passwordHistory.insert(current, at: 0)
        }
        passwordHistory = Array(passwordHistory.prefix(max(0, historyDepth)))
        passwordHash = newHash
        passwordChangedAt = time
    }
}
