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
    /// The permission table. Reading is by section, and the rendering people
    /// get never carries a password hash or SNMP key (`SecretDisclosure.none`):
    ///
    /// | section  | admin | operator | viewer |
    /// |----------|-------|----------|--------|
    /// | system   | rw    | r        | r      |
    /// | streams  | rw    | rw       | r      |
    /// | time     | rw    | r        | r      |
    /// | network  | rw    | r        | r      |
    /// | policy   | rw    | r        | -      |
    /// | snmp     | rw    | r        | -      |
    /// | audit    | rw    | r        | -      |
    /// | accounts | rw    | -        | -      |
    ///
    /// Accounts are readable by admins only: the list of names (and who is
    /// locked) is itself useful to an attacker. A viewer, who only watches
    /// streams, also does not see the login rules (lockout thresholds), the
    /// SNMP users and trap receivers, or where the audit trail is sent.
    public var permissions: Set<Permission> {
        switch self {
        case .admin:
            return Set(Section.allCases.map(Permission.read) + Section.allCases.map(Permission.change) + [.changeOwnPassword])
        case .operator:
            return Set(Section.allCases.filter { $0 != .accounts }.map(Permission.read) + [.change(.streams), .changeOwnPassword])
        case .viewer:
            return Set([Section.system, .streams, .time, .network].map(Permission.read) + [.changeOwnPassword])
        }
    }

    /// Whether this role holds `permission`.
    public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// The sections this role may read.
    public var readableSections: Set<Section> { Set(Section.allCases.filter { may(.read($0)) }) }

    /// The sections a session of this role is given when it asks for
    /// `asked` (nil: everything it may read, so `show running-config` of a
    /// viewer simply lacks the other sections). Naming a section it may not
    /// read is refused whole, so that a front end says "not permitted"
    /// rather than showing an empty list.
    public func sectionsToRead(asked: [Section]?) throws(ReadRefusal) -> Set<Section> {
        let allowed = readableSections
        guard let asked else { return allowed }
        let forbidden = Set(asked).subtracting(allowed)
        guard forbidden.isEmpty else { throw ReadRefusal(role: self, forbidden: forbidden) }
        return Set(asked)
    }
}

/// A read of sections the caller's role does not permit.
public struct ReadRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public let role: Role
    public let forbidden: Set<Section>

    public init(role: Role, forbidden: Set<Section>) {
        self.role = role
        self.forbidden = forbidden
    }

    public var description: String {
        let names = forbidden.map(\.rawValue).sorted().joined(separator: ", ")
        let readable = role.readableSections.map(\.rawValue).sorted().joined(separator: ", ")
        return "not permitted: \(role == .operator ? "an" : "a") \(role.rawValue) may not read \(names) (it may read \(readable))"
    }
}

extension ApplianceConfig {
    /// The configuration as a person of `role` may see it: the sections the
    /// role may read, every other section at factory defaults (no accounts
    /// unless admin), and no password hash or SNMP key for anyone.
    public func view(for role: Role) -> ApplianceConfig {
        view(sections: role.readableSections, secrets: .none)
    }
}
