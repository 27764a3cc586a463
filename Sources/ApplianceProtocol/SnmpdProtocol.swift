import Configuration
import ApplianceCore

/// What snmpd reports of one notification receiver.
public struct ReceiverStatus: Codable, Sendable, Equatable {
    public var host: String
    public var port: UInt16
    public var user: String
    public var kind: String
    public var sent: Int
    public var failed: Int
    public var lastNotification: String?
    public var lastError: String?

    public init(host: String, port: UInt16, user: String, kind: String, sent: Int, failed: Int,
                lastNotification: String? = nil, lastError: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.kind = kind
        self.sent = sent
        self.failed = failed
        self.lastNotification = lastNotification
        self.lastError = lastError
    }
}

/// snmpd's control methods (`run/appliance/snmpd.sock`). Here, beside
/// configd's, so the front ends (the CLI's `snmp user`, webd's SNMP user
/// form) ask snmpd for its engine ID without linking snmpd's library.
public enum SnmpdMethod {
    public struct UserSummary: Codable, Sendable, Equatable {
        public var name: String
        public var role: Role
        public var auth: String
        public var priv: String

        public init(name: String, role: Role, auth: String, priv: String) {
            self.name = name
            self.role = role
            self.auth = auth
            self.priv = priv
        }
    }

    public struct StatusResult: Codable, Sendable, Equatable {
        /// snmpEngineID in hex, what managers discover and keys are localized to.
        public var engineID: String
        /// Whether the engine ID comes from `snmp engine-id` (else snmpd generated it).
        public var engineIDConfigured: Bool
        public var engineBoots: Int32
        public var engineTime: Int32
        /// Users (names, roles and protocols; never keys).
        public var users: [UserSummary]
        public var receivers: [ReceiverStatus]
        /// snmpInPkts, the RFC counters by MIB name, snmpSilentDrops.
        public var counters: [String: UInt32]
        /// Notifications sent since start.
        public var notificationsSent: Int
        /// The configd revision last followed (nil before configd answered).
        public var configurationRevision: UInt64?
        /// What in the configuration could not be used.
        public var problems: [String]

        public init(engineID: String, engineIDConfigured: Bool, engineBoots: Int32, engineTime: Int32, users: [UserSummary],
                    receivers: [ReceiverStatus], counters: [String: UInt32], notificationsSent: Int,
                    configurationRevision: UInt64?, problems: [String]) {
            self.engineID = engineID
            self.engineIDConfigured = engineIDConfigured
            self.engineBoots = engineBoots
            self.engineTime = engineTime
            self.users = users
            self.receivers = receivers
            self.counters = counters
            self.notificationsSent = notificationsSent
            self.configurationRevision = configurationRevision
            self.problems = problems
        }
    }

    /// The agent's engine, users, receivers and counters. Anyone who can
    /// reach the socket (it reveals no secret).
    public enum Status: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = StatusResult
        public static let name = "status"
    }
}
