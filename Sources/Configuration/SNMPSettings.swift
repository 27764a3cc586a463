/// The SNMPv3 agent's configuration. sysContact and sysLocation come from
/// `SystemSettings`. Only USM with authentication and privacy (authPriv) is
/// offered, so every user has both keys.
public struct SNMPSettings: Codable, Equatable, Sendable {
    /// The agent's snmpEngineID; nil until configd generates one.
    public var engineID: SNMPEngineID?
    /// USM users.
    public var users: [USMUser]
    /// Where notifications go.
    public var trapReceivers: [TrapReceiver]

    public init(engineID: SNMPEngineID? = nil, users: [USMUser] = [], trapReceivers: [TrapReceiver] = []) {
        self.engineID = engineID
        self.users = users
        self.trapReceivers = trapReceivers
    }
}
