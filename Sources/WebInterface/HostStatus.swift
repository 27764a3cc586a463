import ApplianceCore

/// The host's uptime, load and memory, read from /proc for the dashboard.
public struct HostStatus: Codable, Sendable, Equatable {
    public var uptimeSeconds: Double
    public var load: [Double]
    public var memoryTotalBytes: Int
    public var memoryAvailableBytes: Int

    /// Reads /proc now.
    public static func current() -> HostStatus {
        parse(uptime: read("/proc/uptime"), loadavg: read("/proc/loadavg"), meminfo: read("/proc/meminfo"))
    }

    /// Pure: the three files' texts to values (missing fields are 0).
    public static func parse(uptime: String, loadavg: String, meminfo: String) -> HostStatus {
        var memory: [Substring: Int] = [:]
        for line in meminfo.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kib = Int(parts[1]) { memory[parts[0].dropLast()] = kib * 1024 }
        }
        return HostStatus(uptimeSeconds: Double(uptime.split(separator: " ").first ?? "") ?? 0,
                          load: loadavg.split(separator: " ").prefix(3).compactMap { Double($0) },
                          memoryTotalBytes: memory["MemTotal"] ?? 0, memoryAvailableBytes: memory["MemAvailable"] ?? 0)
    }

    static func read(_ path: String) -> String {
        ((try? AtomicFile.read(path, limit: 1 << 16)) ?? nil).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }
}
