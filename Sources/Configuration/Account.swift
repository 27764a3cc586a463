/// A person's login. Accounts are configd-internal: no daemon ever reads them,
/// and no password hash leaves configd.
public struct Account: Codable, Equatable, Sendable {
    /// The OS group of the users procmon makes for appliance accounts (the
    /// ssh logins); a caller whose primary group it is speaks for the
    /// account of the same name.
    public static let osGroup = "appliance-accounts"

    /// The login name (`ConfigName.rule`).
    public var name: String
    /// 16 lowercase hex digits, random, given by configd to every account
    /// that has none and never changed after: what API tokens are bound to,
    /// so that a token dies with its account even if the name is made again.
    /// nil only between parsing a new account and configd's giving it one.
    public var id: String?
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
                passwordChangedAt: Int64? = nil, passwordHistory: [String] = [], sshKeys: [SSHPublicKey] = [], id: String? = nil) {
        self.name = name
        self.id = id
        self.role = role
        self.locked = locked
        self.passwordHash = passwordHash
        self.passwordChangedAt = passwordChangedAt
        self.passwordHistory = passwordHistory
        self.sshKeys = sshKeys
    }

    /// Whether `text` has the form of an account id: 16 lowercase hex digits.
    public static func isValidID(_ text: String) -> Bool {
        text.utf8.count == 16 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// A new random id, not in `taken`.
    public static func makeID<Generator: RandomNumberGenerator>(avoiding taken: Set<String>, using generator: inout Generator) -> String {
        var id: String
        repeat {
            id = Hex.encode((0..<8).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        } while taken.contains(id)
        return id
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
