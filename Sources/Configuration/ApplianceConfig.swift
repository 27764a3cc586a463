/// The whole configuration of the appliance: the one typed model behind the
/// CLI text, the JSON API and the startup-config file.
///
/// The defaults are the factory state and are secure by construction: no
/// accounts (configd creates `admin` on first start), no SNMP users, no
/// remote syslog destination, no streams.
///
/// Values may be invalid (a JSON body can say anything): `ConfigParser`
/// refuses bad types and ranges as it reads, and `ConfigValidator` checks
/// the whole before configd accepts a configuration.
public struct ApplianceConfig: Codable, Equatable, Sendable {
    /// Host name, location, contact, login banner.
    public var system: SystemSettings
    /// Logins (configd-internal).
    public var accounts: [Account]
    /// Password, login and session rules.
    public var policy: SecurityPolicy
    /// Outgoing streams.
    public var streams: [StreamConfig]
    /// The SNMPv3 agent.
    public var snmp: SNMPSettings
    /// Remote syslog and local retention.
    public var audit: AuditSettings
    /// NTP.
    public var time: TimeSettings
    /// Interfaces.
    public var network: NetworkSettings

    public init(system: SystemSettings = SystemSettings(), accounts: [Account] = [], policy: SecurityPolicy = SecurityPolicy(),
                streams: [StreamConfig] = [], snmp: SNMPSettings = SNMPSettings(), audit: AuditSettings = AuditSettings(),
                time: TimeSettings = TimeSettings(), network: NetworkSettings = NetworkSettings()) {
        self.system = system
        self.accounts = accounts
        self.policy = policy
        self.streams = streams
        self.snmp = snmp
        self.audit = audit
        self.time = time
        self.network = network
    }

    /// The account called `name`, if any.
    public func account(named name: String) -> Account? {
        accounts.first { $0.name == name }
    }

    /// The stream called `name`, if any.
    public func stream(named name: String) -> StreamConfig? {
        streams.first { $0.name == name }
    }
}
