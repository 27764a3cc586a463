import Glibc

/// Where this process's binary is. Every program of the set is one
/// executable, `appliance`, and a link per program beside it (procmon, cli,
/// sshd's forced command…): a program finds another as its sibling.
public enum OwnExecutable {
    /// The target of /proc/self/exe; nil when it cannot be read.
    public static var path: String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The folder holding it; nil when /proc/self/exe cannot be read.
    public static var folder: String? {
        path.map { String($0[..<($0.lastIndex(of: "/") ?? $0.endIndex)]) }
    }

    /// The program `name` beside this executable (the multicall link of that
    /// name); nil when /proc/self/exe cannot be read.
    public static func sibling(_ name: String) -> String? {
        folder.map { $0 + "/" + name }
    }
}
