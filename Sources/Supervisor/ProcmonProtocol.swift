import ApplianceCore

/// One service as procmon reports it (`processes`, `procmon status`, the
/// web dashboard, SNMP's process table).
public struct ProcessStatus: Codable, Sendable, Equatable {
    public var name: String
    /// stopped, waiting (for dependencies), starting, running, stopping, backoff, failed.
    public var state: String
    public var pid: Int32?
    public var startCount: Int
    public var uptimeSeconds: Double?
    public var rssBytes: Int?
    public var memoryLimitBytes: Int?
    public var lastExit: String?
    public var failureReason: String?
    public var user: String?
}

public struct ServiceName: Codable, Sendable, Equatable {
    public var name: String
    public init(_ name: String) { self.name = name }
}

/// procmon's control methods (`run/appliance/procmon.sock`).
public enum ProcmonMethod {
    /// Every service's status. Anyone who can reach the socket (like /proc).
    public enum Processes: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = [ProcessStatus]
        public static let name = "processes"
    }

    /// Start a stopped or failed service. root or procmon's own user.
    public enum Start: ControlMethod {
        public typealias Parameters = ServiceName
        public typealias Result = ProcessStatus
        public static let name = "start"
    }

    /// Stop a service (it stays stopped until started). root or procmon's own user.
    public enum Stop: ControlMethod {
        public typealias Parameters = ServiceName
        public typealias Result = ProcessStatus
        public static let name = "stop"
    }

    /// Stop and start a service. root or procmon's own user.
    public enum Restart: ControlMethod {
        public typealias Parameters = ServiceName
        public typealias Result = ProcessStatus
        public static let name = "restart"
    }
}
