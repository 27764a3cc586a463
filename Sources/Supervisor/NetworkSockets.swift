import ApplianceProtocol
import ApplianceCore
import Glibc

/// The sockets of every process, read from /proc the way `ss -tulpnx`
/// does: /proc/net/{tcp,tcp6,udp,udp6} give the Internet sockets and their
/// inodes, /proc/net/unix the listening Unix sockets (stream and seqpacket
/// sockets that accept, bound datagram sockets that receive), and
/// /proc/PID/fd links give the processes holding them (readable by root).
public enum NetworkSockets {
    public static func owners(procRoot: String = "/proc") -> [SocketOwner] {
        var sockets: [UInt64: (proto: String, local: String, remote: String, state: String, uid: UInt32?)] = [:]
        for proto in ["tcp", "tcp6", "udp", "udp6"] {
            guard let bytes = try? AtomicFile.read("\(procRoot)/net/\(proto)") else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
                guard let entry = parse(line, proto: proto) else { continue }
                if proto.hasPrefix("tcp"), entry.state != "LISTEN", entry.state != "ESTABLISHED" { continue }
                sockets[entry.inode] = (proto, entry.local, entry.remote, entry.state, entry.uid)
            }
        }
        if let bytes = try? AtomicFile.read("\(procRoot)/net/unix") {
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
                guard let entry = parseUnix(line), entry.listening else { continue }
                sockets[entry.inode] = ("unix-" + entry.type, renamedPath(entry.path), "*", entry.type == "dgram" ? "UNCONN" : "LISTEN", nil)
            }
        }
        var owners: [SocketOwner] = []
        for pid in processIDs(procRoot) {
            let fdFolder = "\(procRoot)/\(pid)/fd"
            guard let folder = opendir(fdFolder) else { continue }
            var inodes: [UInt64] = []
            while let entry = readdir(folder) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
                var target = [CChar](repeating: 0, count: 64)
                let n = readlink(fdFolder + "/" + name, &target, target.count - 1)
                guard n > 0 else { continue }
                let text = String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if text.hasPrefix("socket:["), let inode = UInt64(text.dropFirst(8).dropLast()) { inodes.append(inode) }
            }
            closedir(folder)
            let process = (try? AtomicFile.read("\(procRoot)/\(pid)/comm")).map { String(decoding: $0, as: UTF8.self).trimmingNewline() } ?? "?"
            // The process's user, not the socket's creator (procmon binds
            // privileged ports for the services it hands them to).
            let status = (try? AtomicFile.read("\(procRoot)/\(pid)/status")).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let processUID = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }
                .flatMap { $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first }.flatMap { UInt32($0) }
            for inode in Set(inodes) {
                guard let socket = sockets[inode] else { continue }
                let user = (processUID ?? socket.uid).map { uid in getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? String(uid) } ?? "?"
                owners.append(SocketOwner(pid: pid, process: process, user: user, proto: socket.proto, local: socket.local,
                                          remote: socket.remote, state: socket.state))
            }
        }
        return owners.sorted { ($0.state != "LISTEN" && $0.state != "UNCONN" ? 1 : 0, $0.proto, $0.local, $0.pid) < ($1.state != "LISTEN" && $1.state != "UNCONN" ? 1 : 0, $1.proto, $1.local, $1.pid) }
    }

    static func processIDs(_ procRoot: String) -> [Int32] {
        guard let folder = opendir(procRoot) else { return [] }
        defer { closedir(folder) }
        var pids: [Int32] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if let pid = Int32(name) { pids.append(pid) }
        }
        return pids
    }

    /// One line of /proc/net/tcp*: `sl local rem st tx:rx tr:when retr uid timeout inode ...`.
    static func parse(_ line: Substring, proto: String) -> (local: String, remote: String, state: String, uid: UInt32, inode: UInt64)? {
        let fields = line.split(separator: " ")
        guard fields.count >= 10, let stateCode = UInt8(fields[3], radix: 16), let uid = UInt32(fields[7]), let inode = UInt64(fields[9]), inode != 0,
              let local = address(fields[1]), let remote = address(fields[2]) else { return nil }
        let state: String
        if proto.hasPrefix("udp") {
            state = stateCode == 1 ? "ESTAB" : "UNCONN"
        } else {
            state = tcpStates[Int(stateCode)] ?? "STATE-\(stateCode)"
        }
        return (local, remote, state, uid, inode)
    }

    /// One line of /proc/net/unix (af_unix.c's `unix_seq_show`):
    /// `ADDR: REFCOUNT PROTOCOL FLAGS TYPE ST INODE[ PATH]`, the inode padded
    /// to 5 columns, then one space and the bound name as it is (spaces and
    /// all); an abstract name is printed with `@` for its leading NUL and for
    /// every NUL inside it. Listening: a stream or seqpacket socket with
    /// `__SO_ACCEPTCON` (0x10000) in its flags, or a bound datagram socket
    /// that is not connected (it receives from anyone).
    static func parseUnix(_ line: Substring) -> (path: String, type: String, listening: Bool, inode: UInt64)? {
        var rest = line.utf8[...]
        var fields: [Substring] = []
        while fields.count < 7 {
            while rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
            guard !rest.isEmpty else { return nil }
            let end = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
            fields.append(Substring(rest[rest.startIndex..<end]))
            rest = rest[end...]
        }
        guard fields[0].hasSuffix(":"), let flags = UInt32(fields[3], radix: 16), let typeCode = UInt16(fields[4], radix: 16),
              let state = UInt8(fields[5], radix: 16), let inode = UInt64(fields[6]), inode != 0 else { return nil }
        // One space separates the inode from the name; what follows is the name.
        let path = rest.first == UInt8(ascii: " ") ? String(Substring(rest.dropFirst())) : ""
        let type: String
        switch typeCode {
        case 1: type = "stream"
        case 2: type = "dgram"
        case 5: type = "seqpacket"
        default: type = "type-\(typeCode)"
        }
        let accepting = flags & 0x10000 != 0
        // SS_UNCONNECTED is 1.
        let listening = !path.isEmpty && (typeCode == 2 ? state == 1 : accepting)
        return (path, type, listening, inode)
    }

    /// The kernel keeps the name a socket was bound to. The appliance binds
    /// its sockets at `PATH.new` and renames them to `PATH` once their mode
    /// is set (UnixSocket, ControlServer): such a name is shown as `PATH`
    /// when `PATH.new` is gone and `PATH` is a socket.
    static func renamedPath(_ path: String, exists: (String) -> Bool = { fileExists($0) }, isSocket: (String) -> Bool = { socketExists($0) }) -> String {
        guard path.hasPrefix("/"), path.hasSuffix(".new") else { return path }
        let final = String(path.dropLast(4))
        return !exists(path) && isSocket(final) ? final : path
    }

    static func fileExists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func socketExists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }

    static let tcpStates: [Int: String] = [1: "ESTABLISHED", 2: "SYN-SENT", 3: "SYN-RECV", 4: "FIN-WAIT-1", 5: "FIN-WAIT-2", 6: "TIME-WAIT",
                                           7: "CLOSE", 8: "CLOSE-WAIT", 9: "LAST-ACK", 10: "LISTEN", 11: "CLOSING"]

    /// `0100007F:1F90` → `127.0.0.1:8080`; IPv6 as 4 host-order words → `[::1]:8080`.
    static func address(_ field: Substring) -> String? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let hex = Array(parts[0].utf8)
        var bytes: [UInt8] = []
        var index = 0
        while index + 8 <= hex.count {
            guard let word = UInt32(String(decoding: hex[index..<index + 8], as: UTF8.self), radix: 16) else { return nil }
            // The kernel prints each 32-bit word in host (little-endian) order.
            bytes += [UInt8(word & 0xff), UInt8(word >> 8 & 0xff), UInt8(word >> 16 & 0xff), UInt8(word >> 24)]
            index += 8
        }
        switch bytes.count {
        case 4:
            return bytes.map(String.init).joined(separator: ".") + ":\(port)"
        case 16:
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            var address = in6_addr()
            withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes) }
            guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return nil }
            return "[" + String(cString: text) + "]:\(port)"
        default:
            return nil
        }
    }
}

extension String {
    func trimmingNewline() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
