import Glibc

/// The memory watchdog's rule, apart from /proc: a service whose RSS stays
/// above its limit for the whole grace period is to be restarted (a single
/// spike is tolerated).
public struct MemoryWatch: Sendable {
    public let limit: Int
    public let grace: Duration
    private var overSince: ContinuousClock.Instant?

    public init(limit: Int, grace: Duration) {
        self.limit = limit
        self.grace = grace
    }

    /// Records a sample; true when the service has been over the limit for the grace period.
    public mutating func sample(rss: Int, at now: ContinuousClock.Instant) -> Bool {
        guard rss > limit else {
            overSince = nil
            return false
        }
        let since = overSince ?? now
        overSince = since
        return since.duration(to: now) >= grace
    }

    public mutating func reset() { overSince = nil }
}

public enum ProcessMemory {
    /// Resident set size in bytes from `/proc/<pid>/statm`, nil if it is gone.
    public static func residentBytes(of pid: Int32) -> Int? {
        let fd = open("/proc/\(pid)/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return nil }
        let fields = buffer[0..<n].split(separator: UInt8(ascii: " "))
        guard fields.count > 1, let pages = Int(String(decoding: fields[1], as: UTF8.self)) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
