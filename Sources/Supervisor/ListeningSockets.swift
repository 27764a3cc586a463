import ApplianceCore
import Glibc

/// Binds the sockets services listen on, as root, before any privilege is
/// dropped; the fds are then passed to the service (`LISTEN_FDS`) and kept by
/// procmon across the service's restarts, so a restart never closes the port
/// and connections queued meanwhile are served by the next incarnation.
public enum ListeningSockets {
    public struct BindError: Error, CustomStringConvertible {
        public var socket: String
        public var message: String
        public var description: String { "cannot listen on \(socket): \(message)" }
    }

    /// A Unix socket under run/appliance (see `UnixSocket.bindShared`).
    public static func bindUnix(path: String, datagram: Bool = false) throws(BindError) -> Int32 {
        do {
            return try UnixSocket.bindShared(path: path, datagram: datagram)
        } catch {
            throw BindError(socket: path, message: error.message)
        }
    }

    /// A bound (and for TCP, listening) socket, close-on-exec in procmon.
    public static func bind(_ transport: ServiceDefinition.ListenSocket.Transport, address: String, port: UInt16) throws(BindError) -> Int32 {
        let label = "\(transport.rawValue) \(address.contains(":") ? "[\(address)]" : address):\(port)"
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            family = AF_INET
            var address4 = sockaddr_in()
            address4.sin_family = sa_family_t(AF_INET)
            address4.sin_port = port.bigEndian
            address4.sin_addr = v4
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address4) { raw.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        } else if inet_pton(AF_INET6, address, &v6) == 1 {
            family = AF_INET6
            var address6 = sockaddr_in6()
            address6.sin6_family = sa_family_t(AF_INET6)
            address6.sin6_port = port.bigEndian
            address6.sin6_addr = v6
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address6) { raw.copyMemory(from: $0) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            throw BindError(socket: label, message: "\"\(address)\" is not an IPv4 or IPv6 address")
        }
        let type = transport == .tcp ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BindError(socket: label, message: String(cString: strerror(errno))) }
        var on: Int32 = 1
        var off: Int32 = 0
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            // "::" serves IPv4 too (dual stack), as a user of the appliance expects.
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) }
        }
        guard bound == 0, transport == .udp || listen(fd, 512) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw BindError(socket: label, message: message)
        }
        return fd
    }
}
