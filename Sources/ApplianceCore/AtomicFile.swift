import Glibc

/// Replaces a file's contents so that a crash at any moment leaves either the
/// old file or the new one, never a torn mix: write a temporary file in the
/// same folder, fsync it, rename it over the target, fsync the folder.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var step: String
        public var code: Int32
        public var description: String { "cannot write \(path): \(step) failed: \(String(cString: strerror(code)))" }
    }

    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(WriteError) {
        let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let temporary = "\(path).tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw WriteError(path: path, step: "create", code: errno) }
        var ok = false
        defer { if !ok { unlink(temporary) } }
        do {
            defer { close(fd) }
            guard fchmod(fd, mode) == 0 else { throw WriteError(path: path, step: "chmod", code: errno) }
            var written = 0
            while written < bytes.count {
                let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: path, step: "write", code: errno)
                }
                written += n
            }
            guard fsync(fd) == 0 else { throw WriteError(path: path, step: "fsync", code: errno) }
        }
        guard rename(temporary, path) == 0 else { throw WriteError(path: path, step: "rename", code: errno) }
        ok = true
        let folderFD = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folderFD >= 0 else { throw WriteError(path: folder, step: "open folder", code: errno) }
        defer { close(folderFD) }
        guard fsync(folderFD) == 0 else { throw WriteError(path: folder, step: "fsync folder", code: errno) }
    }

    public static func write(_ text: String, to path: String, mode: mode_t = 0o600) throws(WriteError) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    /// The whole file, or nil when it does not exist; throws on other errors.
    public static func read(_ path: String, limit: Int = 16 << 20) throws(WriteError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw WriteError(path: path, step: "open", code: errno)
        }
        defer { close(fd) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: path, step: "read", code: errno)
            }
            if n == 0 { return contents }
            contents += chunk[0..<n]
            if contents.count > limit { throw WriteError(path: path, step: "read (larger than \(limit) bytes)", code: EFBIG) }
        }
    }

    /// The names in a folder, without "." and "..", in no particular order.
    public static func entries(in folder: String) throws(WriteError) -> [String] {
        guard let directory = opendir(folder) else { throw WriteError(path: folder, step: "opendir", code: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates a folder and its parents (mode applies to the ones created).
    public static func makeFolders(_ path: String, mode: mode_t = 0o755) throws(WriteError) {
        var partial = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, mode) != 0 && errno != EEXIST {
                throw WriteError(path: partial, step: "mkdir", code: errno)
            }
        }
    }
}
