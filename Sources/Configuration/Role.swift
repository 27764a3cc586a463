/// What an account may do. The same roles govern the web interface, the CLI,
/// the JSON API and SNMP users.
public enum Role: String, CaseIterable, Codable, Sendable, Comparable {
    /// Everything.
    case admin
    /// Streams (configure, start, stop) and their statistics; its own password.
    case `operator`
    /// Reads only (and may change its own password, so that password expiry
    /// cannot strand a viewer).
    case viewer

    /// Parses a role word. `guest` is accepted as a synonym of `viewer`
    /// (other devices' word for it); the canonical word is always rendered.
    public init?(word: String) {
        switch word {
        case "admin": self = .admin
        case "operator": self = .operator
        case "viewer", "guest": self = .viewer
        default: return nil
        }
    }

    /// The words accepted, for error messages.
    public static let rule = "admin, operator or viewer"

    public init(from decoder: any Decoder) throws {
        let word = try decoder.singleValueContainer().decode(String.self)
        guard let role = Role(word: word) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "\"\(word)\" is not a role; expected \(Role.rule)"))
        }
        self = role
    }

    /// Orders by privilege: viewer < operator < admin.
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .viewer: 0
        case .operator: 1
        case .admin: 2
        }
    }
}

/// One thing a role may do to the configuration.
public enum Permission: Hashable, Sendable, CustomStringConvertible {
    /// Read a section (as rendered for people: never a password hash or SNMP key).
    case read(Section)
    /// Change a section.
    case change(Section)
    /// Change one's own password (through the password-change operation,
    /// which checks `PasswordPolicy`).
    case changeOwnPassword

    public var description: String {
        switch self {
        case .read(let section): "read \(section.rawValue)"
        case .change(let section): "change \(section.rawValue)"
        case .changeOwnPassword: "change own password"
        }
    }
}

extension Role {
    /// The permission table. Accounts are readable by admins only: the list
    /// of names is itself useful to an attacker.
    public var permissions: Set<Permission> {
        let readAllButAccounts = Section.allCases.filter { $0 != .accounts }.map(Permission.read)
        switch self {
        case .admin:
            return Set(Section.allCases.map(Permission.read) + Section.allCases.map(Permission.change) + [.changeOwnPassword])
        case .operator:
            return Set(readAllButAccounts + [.change(.streams), .changeOwnPassword])
        case .viewer:
            return Set(readAllButAccounts + [.changeOwnPassword])
        }
    }

    /// Whether this role holds `permission`.
    public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }
}
