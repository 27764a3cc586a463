import ApplianceCore
import Configuration

/// snmpd's control methods (`run/appliance/snmpd.sock`).
public enum SnmpdMethod {
    public struct UserSummary: Codable, Sendable, Equatable {
        public var name: String
        public var role: Role
        public var auth: String
        public var priv: String
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
    }

    /// The agent's engine, users, receivers and counters. Anyone who can
    /// reach the socket (it reveals no secret).
    public enum Status: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = StatusResult
        public static let name = "status"
    }
}
