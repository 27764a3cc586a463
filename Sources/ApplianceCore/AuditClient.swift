import Glibc
import Synchronization

/// A security-relevant act: who did what, from where, with what outcome.
public struct AuditEvent: Sendable {
    /// Short stable identifier, the RFC 5424 MSGID (`service-restart`, `login-failure`).
    public var kind: String
    public var severity: SyslogMessage.Severity
    /// The facts, in order; rendered as the `audit@32473` structured element.
    /// Never a secret: callers pass names and outcomes, not passwords or keys.
    public var facts: [(name: String, value: String)]
    public var message: String

    public init(_ kind: String, severity: SyslogMessage.Severity = .notice, facts: [(name: String, value: String)] = [], message: String) {
        self.kind = kind
        self.severity = severity
        self.facts = facts
        self.message = message
    }
}

/// Sends audit events to auditd's datagram socket `run/appliance/audit.sock`.
///
/// Never blocks and never fails its caller: the socket is non-blocking, and an
/// event that cannot be delivered (auditd absent or saturated) is counted and
/// written to this process's log instead, so it is not lost without trace.
public final class AuditClient: Sendable {
    /// Private enterprise number 32473 (RFC 5612, for documentation).
    public static let structuredDataID = "audit@32473"

    public let socketPath: String
    public let appName: String
    private let fd: Int32
    private let counts = Mutex((delivered: 0, undelivered: 0))
    private let fallback: @Sendable (String) -> Void

    public init(socketPath: String, appName: String, fallback: @escaping @Sendable (String) -> Void = AuditClient.writeToStandardError) {
        self.socketPath = socketPath
        self.appName = appName
        self.fallback = fallback
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    }

    public convenience init(paths: AppliancePaths, appName: String) {
        self.init(socketPath: paths.auditSocket, appName: appName)
    }

    deinit { if fd >= 0 { close(fd) } }

    public var delivered: Int { counts.withLock { $0.delivered } }
    /// Events auditd did not take (absent, refused, saturated).
    public var undelivered: Int { counts.withLock { $0.undelivered } }

    public func record(_ event: AuditEvent) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let message = SyslogMessage(
            facility: .logAudit, severity: event.severity,
            time: (Int64(now.tv_sec), Int32(now.tv_nsec / 1000)),
            hostname: Self.hostname(), appName: appName, processID: String(getpid()),
            messageID: event.kind,
            structuredData: event.facts.isEmpty ? [] : [.init(id: Self.structuredDataID, parameters: event.facts)],
            message: event.message
        ).encoded
        if send(Array(message.utf8)) {
            counts.withLock { $0.delivered += 1 }
        } else {
            counts.withLock { $0.undelivered += 1 }
            fallback("audit event not delivered to \(socketPath): \(message)")
        }
    }

    private func send(_ bytes: [UInt8]) -> Bool {
        guard fd >= 0 else { return false }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path)
            raw[path.count] = 0
        }
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        }
        return sent == bytes.count
    }

    public static let writeToStandardError: @Sendable (String) -> Void = { line in
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "-" }
        return String(cString: buffer)
    }
}
