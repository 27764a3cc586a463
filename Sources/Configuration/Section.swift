/// A part of the configuration, the unit daemons read and subscribe to.
public enum Section: String, CaseIterable, Codable, Sendable {
    /// Host name, location, contact, banner.
    case system
    /// Accounts: configd-internal, never given to a daemon.
    case accounts
    /// Password, login and session rules.
    case policy
    /// Outgoing streams.
    case streams
    /// SNMP agent: engine ID, users, trap receivers.
    case snmp
    /// Remote syslog and retention.
    case audit
    /// NTP.
    case time
    /// Interfaces.
    case network

    /// The section a top-level configuration command word belongs to.
    public init?(commandWord: String) {
        switch commandWord {
        case "hostname", "system", "banner": self = .system
        case "account": self = .accounts
        case "security": self = .policy
        case "stream": self = .streams
        case "snmp": self = .snmp
        case "logging": self = .audit
        case "ntp": self = .time
        case "interface": self = .network
        default: return nil
        }
    }
}

/// A daemon that reads its part of the configuration from configd.
public enum ApplianceService: String, CaseIterable, Codable, Sendable {
    case sessmgrd, webd, snmpd, auditd, cli, procmon

    /// The sections this daemon may read: what it needs and nothing more
    /// (OpenBSD privsep's allowlist idea). `accounts` is in no list.
    public var readableSections: Set<Section> {
        switch self {
        case .sessmgrd: [.streams, .network]
        case .webd: [.system, .policy]
        case .snmpd: [.system, .snmp, .streams, .network]
        case .auditd: [.system, .audit]
        case .cli: [.system, .policy]
        case .procmon: []
        }
    }

    /// Which secrets this daemon may see: SNMP localized keys go to `snmpd`
    /// only; password hashes go to no daemon.
    public var secretDisclosure: SecretDisclosure {
        self == .snmpd ? .snmpKeys : .none
    }
}

/// Which secrets a rendering or view of the configuration carries.
public enum SecretDisclosure: Sendable, Equatable {
    /// Everything: configd's own startup-config file only.
    case all
    /// SNMP localized keys but no password hashes: for `snmpd`.
    case snmpKeys
    /// No secrets: for people (`show running-config`) and other daemons.
    case none

    var includesPasswordHashes: Bool { self == .all }
    var includesSNMPKeys: Bool { self != .none }
}

extension ApplianceConfig {
    /// The configuration as `service` may see it: its sections as they are,
    /// every other section at factory defaults, no accounts, and SNMP keys
    /// emptied unless the service is `snmpd`.
    public func view(for service: ApplianceService) -> ApplianceConfig {
        view(sections: service.readableSections, secrets: service.secretDisclosure)
    }

    /// The configuration restricted to `sections`, with secrets removed as
    /// `secrets` says.
    public func view(sections: Set<Section>, secrets: SecretDisclosure) -> ApplianceConfig {
        let factory = ApplianceConfig()
        var result = factory
        if sections.contains(.system) { result.system = system }
        if sections.contains(.accounts) {
            result.accounts = accounts
            if !secrets.includesPasswordHashes {
                for index in result.accounts.indices {
                    result.accounts[index].passwordHash = nil
                    result.accounts[index].passwordHistory = []
                }
            }
        }
        if sections.contains(.policy) { result.policy = policy }
        if sections.contains(.streams) { result.streams = streams }
        if sections.contains(.snmp) {
            result.snmp = snmp
            if !secrets.includesSNMPKeys {
                for index in result.snmp.users.indices {
                    result.snmp.users[index].authKey = LocalizedKey(octets: [])
                    result.snmp.users[index].privKey = LocalizedKey(octets: [])
                }
            }
        }
        if sections.contains(.audit) { result.audit = audit }
        if sections.contains(.time) { result.time = time }
        if sections.contains(.network) { result.network = network }
        return result
    }
}
