import Glibc
import Logging

/// swift-log handler writing one line per record to standard error:
/// `2026-11-21T23:59:01.123456Z notice procmon: service restarted name=webd`.
///
/// Daemons always log to stderr; procmon captures each service's stderr into
/// `var/log/<name>.log`. One `write(2)` per line keeps lines whole.
public struct ApplianceLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String, level: Logger.Level) {
        self.label = label
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let stamp = SyslogMessage.timestamp((Int64(now.tv_sec), Int32(now.tv_nsec / 1000)))
        var line = "\(stamp) \(event.level) \(label): \(event.message)"
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for key in merged.keys.sorted() {
            line += " \(key)=\(merged[key]!)"
        }
        line += "\n"
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}

public enum ApplianceLogging {
    /// Installs `ApplianceLogHandler` for the whole process; `APPLIANCE_LOG_LEVEL`
    /// (trace…critical) overrides the level.
    public static func bootstrap(label: String, level: Logger.Level = .info) {
        let chosen = getenv("APPLIANCE_LOG_LEVEL").flatMap { Logger.Level(rawValue: String(cString: $0)) } ?? level
        LoggingSystem.bootstrap { _ in ApplianceLogHandler(label: label, level: chosen) }
    }
}
