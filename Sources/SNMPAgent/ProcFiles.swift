import Glibc

/// Small reads of /proc.
enum ProcFiles {
    static func read(_ path: String, limit: Int = 4096) -> String {
        String(decoding: readBytes(path, limit: limit), as: UTF8.self)
    }

    static func readBytes(_ path: String, limit: Int = 4096) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = Glibc.read(fd, &buffer, limit)
        return count > 0 ? Array(buffer[..<count]) : []
    }

    /// argv[0] and the rest of a process's command line.
    static func commandLine(pid: Int32) -> (path: String, parameters: String) {
        let words = readBytes("/proc/\(pid)/cmdline").split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard let first = words.first else { return ("", "") }
        return (first, words.dropFirst().filter { !$0.isEmpty }.joined(separator: " "))
    }

    /// utime + stime in centi-seconds (clock ticks are 100 Hz on Linux's ABI).
    static func cpuCentiseconds(pid: Int32) -> UInt64 {
        let stat = read("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return 0 }
        let ticks = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        return (user + system) * 100 / ticks
    }
}
