import Configuration
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

    public init(name: String, state: String, pid: Int32? = nil, startCount: Int, uptimeSeconds: Double? = nil, rssBytes: Int? = nil, memoryLimitBytes: Int? = nil, lastExit: String? = nil, failureReason: String? = nil, user: String? = nil) {
        self.name = name
        self.state = state
        self.pid = pid
        self.startCount = startCount
        self.uptimeSeconds = uptimeSeconds
        self.rssBytes = rssBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.lastExit = lastExit
        self.failureReason = failureReason
        self.user = user
    }
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

    /// One of the calling service's own threads under SCHED_FIFO at the
    /// service's `realtime-priority` (the service's own process only).
    public typealias RealtimeThread = RealtimeThreadMethod

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

    public struct LogParameters: Codable, Sendable {
        public var service: String
        /// The last lines wanted (1...1000, default 40).
        public var lines: Int?
        public var session: String?
        public init(service: String, lines: Int? = nil, session: String? = nil) {
            self.service = service
            self.lines = lines
            self.session = session
        }
    }

    public struct LogResult: Codable, Sendable, Equatable {
        public var lines: [String]

        public init(lines: [String]) {
            self.lines = lines
        }
    }

    /// The end of a service's own log (`var/log/NAME.log`). root, procmon's
    /// own user, or an admin's session (logs are for engineers).
    public enum Log: ControlMethod {
        public typealias Parameters = LogParameters
        public typealias Result = LogResult
        public static let name = "log"
    }

    public struct SessionParameters: Codable, Sendable {
        public var session: String?
        public init(session: String? = nil) { self.session = session }
    }

    /// Every process with a listening or connected Internet socket or a
    /// listening Unix socket: the appliance's own exposure report (`show
    /// network-processes`). procmon reads it as root from /proc; any
    /// signed-in role may ask.
    public enum NetworkProcesses: ControlMethod {
        public typealias Parameters = SessionParameters
        public typealias Result = [SocketOwner]
        public static let name = "network-processes"
    }
}

/// One socket and the process holding it.
public struct SocketOwner: Codable, Sendable, Equatable {
    public var pid: Int32
    public var process: String
    public var user: String
    /// tcp, tcp6, udp, udp6; unix-stream, unix-dgram, unix-seqpacket.
    public var proto: String
    /// An address and port; for a Unix socket its path (`@NAME` for an
    /// abstract name, as /proc/net/unix prints it).
    public var local: String
    /// An address and port; `*` for a Unix socket.
    public var remote: String
    /// LISTEN, ESTABLISHED, ... (TCP); UNCONN or ESTAB (UDP); LISTEN (a Unix
    /// stream or seqpacket socket accepting), UNCONN (a bound Unix datagram
    /// socket).
    public var state: String

    public init(pid: Int32, process: String, user: String, proto: String, local: String, remote: String, state: String) {
        self.pid = pid
        self.process = process
        self.user = user
        self.proto = proto
        self.local = local
        self.remote = remote
        self.state = state
    }
}
