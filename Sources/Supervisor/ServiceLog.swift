import ApplianceCore
import CApplianceSystem
import Glibc
import Synchronization

/// Captures a service's stdout and stderr into `var/log/<name>.log`, rotated
/// by size (`name.log.1` … `name.log.N`).
///
/// One pipe per service for its whole life (s6-log style): procmon keeps the
/// write end, so output is never lost across restarts and the reader never
/// sees end-of-file while procmon lives. A dedicated thread copies the pipe
/// into the file.
public final class ServiceLog: Sendable {
    public let path: String
    /// The write end, handed to every incarnation of the service as fds 1 and 2.
    public let writeFD: Int32
    private let readFD: Int32
    private let maximumBytes: Int
    private let keptFiles: Int

    public init(path: String, maximumBytes: Int, keptFiles: Int) throws {
        var fds: [Int32] = [0, 0]
        guard appliance_pipe(&fds) == 0 else {
            throw SpawnError(executable: path, step: "log pipe", code: errno)
        }
        self.path = path
        self.readFD = fds[0]
        self.writeFD = fds[1]
        self.maximumBytes = maximumBytes
        self.keptFiles = keptFiles
    }

    /// Starts copying; returns at once.
    public func start() {
        let path = path, readFD = readFD, maximumBytes = maximumBytes, keptFiles = keptFiles
        DedicatedThread.start(name: "log") {
            var fd = Self.openLog(path)
            var size = fd >= 0 ? Int(lseek(fd, 0, SEEK_END)) : 0
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                // A chunk may hold many lines: fill the file up to the bound,
                // cut at the last whole line that fits, rotate, go on.
                var chunk = buffer[0..<n]
                while !chunk.isEmpty {
                    let room = maximumBytes - size
                    var take = chunk.count
                    if take > room {
                        let window = chunk.prefix(max(room, 0))
                        take = window.lastIndex(of: UInt8(ascii: "\n")).map { $0 - chunk.startIndex + 1 } ?? (size == 0 ? min(chunk.count, maximumBytes) : 0)
                    }
                    if take == 0 {
                        if fd >= 0 { close(fd) }
                        Self.rotate(path, keep: keptFiles)
                        fd = Self.openLog(path)
                        size = 0
                        continue
                    }
                    if fd >= 0 {
                        _ = chunk.prefix(take).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    }
                    size += take
                    chunk = chunk.dropFirst(take)
                }
            }
            if fd >= 0 { close(fd) }
            close(readFD)
        }
    }

    static func openLog(_ path: String) -> Int32 {
        open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o640)
    }

    /// `name.log.(N-1)` → `name.log.N`, …, `name.log` → `name.log.1`.
    static func rotate(_ path: String, keep: Int) {
        unlink("\(path).\(keep)")
        for index in stride(from: keep - 1, through: 1, by: -1) {
            rename("\(path).\(index)", "\(path).\(index + 1)")
        }
        rename(path, "\(path).1")
    }
}

extension ServiceLog {
    /// The last `count` lines of a log file (reading at most its last 1 MiB).
    public static func lastLines(of path: String, count: Int) -> [String] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        let start = max(0, size - (1 << 20))
        lseek(fd, start, SEEK_SET)
        var bytes = [UInt8](repeating: 0, count: Int(size - start))
        var filled = 0
        while filled < bytes.count {
            let n = bytes[filled...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            filled += n
        }
        var lines = String(decoding: bytes[0..<filled], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if start > 0, !lines.isEmpty { lines.removeFirst() }
        if lines.last == "" { lines.removeLast() }
        return Array(lines.suffix(count))
    }
}
