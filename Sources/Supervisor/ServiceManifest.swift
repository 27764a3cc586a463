/// One service procmon supervises, as the manifest declares it.
public struct ServiceDefinition: Sendable, Equatable {
    public struct ListenSocket: Sendable, Equatable {
        public enum Transport: String, Sendable {
            case tcp, udp
            /// A Unix stream socket at `run/appliance/<path>` (a control socket).
            case unix
            /// A Unix datagram socket at `run/appliance/<path>` (auditd's intake).
            case unixgram
        }
        /// The name the service looks the socket up by (`LISTEN_FDNAMES`).
        public var name: String
        public var transport: Transport
        /// The appliance's port; development mode adds the port base. 0 for unix.
        public var port: UInt16
        /// Address to bind (nil: procmon's default); for unix, the file name under `run/appliance/`.
        public var address: String?
    }

    public enum Readiness: String, Sendable {
        /// Ready when it writes `READY=1` to `APPLIANCE_READY_FD`.
        case notify
        /// Ready as soon as it has been started.
        case none
    }

    public var name: String
    /// Executable (a bare name is looked up next to procmon) and its arguments;
    /// `{root}` in an argument is replaced by the appliance root.
    public var command: [String]
    public var user: String?
    public var group: String?
    /// Capability numbers kept (ambient) after the privilege drop.
    public var capabilities: Set<Int>
    public var listen: [ListenSocket]
    /// Services that must be ready before this one starts.
    public var after: [String]
    public var readiness: Readiness
    public var readyTimeout: Duration
    public var restart: RestartPolicy
    /// RSS above this for `memoryGrace` restarts the service; nil: unwatched.
    public var memoryLimit: Int?
    public var memoryGrace: Duration
    public var stopTimeout: Duration
    public var environment: [String: String]
    /// Variables copied from procmon's own environment when set there
    /// (e.g. `APPLIANCE_ADMIN_PASSWORD` for configd's first start).
    public var passEnvironment: [String]
    /// Folders (relative to the root) the service may create entries in:
    /// group-owned by the service's group, sticky, so it cannot remove others'.
    public var writable: [String]
    public var logMaxBytes: Int
    public var logFiles: Int
    /// `realtime-priority`: 1-99, the SCHED_FIFO priority procmon gives the
    /// threads the service names (realtime-thread; RLIMIT_RTTIME 1 s); 0: none.
    public var realtimePriority: Int = 0
    /// Declared at this line of the manifest, for messages.
    public var line: Int

    public init(name: String, line: Int) {
        self.name = name
        self.line = line
        command = []
        capabilities = []
        listen = []
        after = []
        readiness = .notify
        readyTimeout = .seconds(10)
        restart = RestartPolicy()
        memoryGrace = .seconds(3)
        stopTimeout = .seconds(5)
        environment = [:]
        passEnvironment = []
        writable = []
        logMaxBytes = 1 << 20
        logFiles = 3
    }
}

/// The whole manifest: services in declaration order.
public struct ServiceManifest: Sendable, Equatable {
    public var file: String
    public var services: [ServiceDefinition]

    public func service(named name: String) -> ServiceDefinition? {
        services.first { $0.name == name }
    }

    /// Service names such that every service comes after all it depends on.
    public var startOrder: [String] {
        var order: [String] = []
        var placed: Set<String> = []
        func place(_ name: String) {
            guard !placed.contains(name), let service = service(named: name) else { return }
            placed.insert(name)
            service.after.forEach(place)
            order.append(name)
        }
        services.map(\.name).forEach(place)
        return order
    }
}
