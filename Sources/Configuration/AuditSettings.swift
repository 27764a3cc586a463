/// Where audit events go beyond the appliance, and how long they stay on it.
public struct AuditSettings: Codable, Equatable, Sendable {
    /// Remote syslog collectors (RFC 5424 over TLS, RFC 5425).
    public var remoteDestinations: [SyslogDestination]
    /// Local retention.
    public var retention: LogRetention

    /// The most collectors `auditd` forwards to.
    public static let maximumDestinations = 8

    public init(remoteDestinations: [SyslogDestination] = [], retention: LogRetention = LogRetention()) {
        self.remoteDestinations = remoteDestinations
        self.retention = retention
    }
}

/// How long the local audit log is kept: by age, by size, or both (the
/// first limit reached wins). Both nil: `auditd` keeps everything its disk
/// guard allows.
public struct LogRetention: Codable, Equatable, Sendable {
    /// Days to keep (1-3650).
    public var days: Int?
    /// MiB to keep at most (1-1048576).
    public var maxMiB: Int?

    public static let daysRange = 1...3650
    public static let maxMiBRange = 1...1_048_576

    public init(days: Int? = nil, maxMiB: Int? = nil) {
        self.days = days
        self.maxMiB = maxMiB
    }
}
