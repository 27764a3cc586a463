/// One service procmon supervises, as the manifest declares it.
public struct ServiceDefinition: Sendable, Equatable {
    public struct ListenSocket: Sendable, Equatable {
        public enum Transport: String, Sendable { case tcp, udp }
        /// The name the service looks the socket up by (`LISTEN_FDNAMES`).
        public var name: String
        public var transport: Transport
        /// The appliance's port; development mode adds the port base.
        public var port: UInt16
        /// Address to bind; nil means procmon's default listen address.
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
    public var logMaxBytes: Int
    public var logFiles: Int
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
