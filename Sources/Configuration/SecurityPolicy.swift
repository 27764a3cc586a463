/// The rules for passwords, login attempts and sessions. Defaults follow
/// NIST SP 800-63B's spirit (length over complexity, no forced expiry) with
/// the character-class rule most security teams still ask appliances for.
public struct SecurityPolicy: Codable, Equatable, Sendable {
    /// Shortest password accepted (8-128).
    public var passwordMinLength: Int = 12
    /// How many of the four character classes (lowercase, uppercase, digits,
    /// others) a password must mix (1-4).
    public var passwordRequiredClasses: Int = 3
    /// How many earlier passwords may not be reused (0-24).
    public var passwordHistoryDepth: Int = 5
    /// Days after which a password must be changed; 0 = never (0-3650).
    public var passwordExpiryDays: Int = 0
    /// Days after expiry during which a login is still accepted but must
    /// change the password; after them only an administrator can reset it (0-365).
    public var passwordExpiryGraceDays: Int = 30
    /// Failed logins for an account from one source address within
    /// `loginFailureWindowSeconds` after which that source must wait (1-100).
    public var loginMaxFailures: Int = 5
    /// The window over which failures are counted (1-86400 s).
    public var loginFailureWindowSeconds: Int = 300
    /// The first wait of a throttled source; each further failure doubles it,
    /// up to a day (`LoginGuard`). 0 = until an administrator unlocks, except
    /// for the last usable admin (0-604800 s).
    public var lockoutSeconds: Int = 900
    /// A session without activity for this long ends (60-86400 s).
    public var sessionIdleTimeoutSeconds: Int = 900
    /// Sessions one account may hold at once (1-64).
    public var maxSessionsPerAccount: Int = 4

    /// The longest password accepted, whatever the policy: bounds hashing work.
    public static let maximumPasswordLength = 1024

    public init() {}

    /// One numeric setting: where it lives in the language and its range.
    /// The parser, renderer and validator all read this one table.
    public struct Setting: Sendable {
        /// The command group: `password`, `login` or `session` (`security GROUP ...`).
        public let group: String
        /// The keyword in the command.
        public let keyword: String
        /// The allowed values.
        public let range: ClosedRange<Int>
        /// The unit, for messages ("seconds", "days", or empty).
        public let unit: String
        let keyPath: WritableKeyPath<SecurityPolicy, Int> & Sendable
    }

    /// Every numeric setting, in rendering order.
    public static var settings: [Setting] {
        [
            Setting(group: "password", keyword: "min-length", range: 8...128, unit: "characters", keyPath: \.passwordMinLength),
            Setting(group: "password", keyword: "classes", range: 1...4, unit: "", keyPath: \.passwordRequiredClasses),
            Setting(group: "password", keyword: "history", range: 0...24, unit: "", keyPath: \.passwordHistoryDepth),
            Setting(group: "password", keyword: "expiry-days", range: 0...3650, unit: "days", keyPath: \.passwordExpiryDays),
            Setting(group: "password", keyword: "grace-days", range: 0...365, unit: "days", keyPath: \.passwordExpiryGraceDays),
            Setting(group: "login", keyword: "max-failures", range: 1...100, unit: "", keyPath: \.loginMaxFailures),
            Setting(group: "login", keyword: "window", range: 1...86400, unit: "seconds", keyPath: \.loginFailureWindowSeconds),
            Setting(group: "login", keyword: "lockout", range: 0...604_800, unit: "seconds", keyPath: \.lockoutSeconds),
            Setting(group: "session", keyword: "idle-timeout", range: 60...86400, unit: "seconds", keyPath: \.sessionIdleTimeoutSeconds),
            Setting(group: "session", keyword: "max-per-account", range: 1...64, unit: "", keyPath: \.maxSessionsPerAccount),
        ]
    }

    /// The command groups, in rendering order.
    public static let groups = ["password", "login", "session"]

    /// Reads a setting.
    public subscript(setting: Setting) -> Int {
        get { self[keyPath: setting.keyPath] }
        set { self[keyPath: setting.keyPath] = newValue }
    }
}
