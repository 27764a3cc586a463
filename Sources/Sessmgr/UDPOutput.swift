import Configuration
import Glibc

/// A connected UDP socket to a stream's destination (or its RTCP port), with
/// the stream's TTL, TOS and output interface.
public final class UDPOutput {
    public let fd: Int32
    public let localPort: UInt16

    public init(to host: IPAddress, port: UInt16, ttl: Int, tos: Int, interface: String?,
                sendBufferBytes: Int = 1 << 20) throws(SocketError) {
        let v6 = host.family == .ipv6
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        func option(_ level: Int32, _ name: Int32, _ value: Int32, _ what: String) throws(SocketError) {
            var value = value
            guard setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                let code = errno
                close(fd)
                throw SocketError(what, code: code)
            }
        }
        if v6 {
            try option(Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS, Int32(ttl), "IPV6_UNICAST_HOPS")
            try option(Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, Int32(ttl), "IPV6_MULTICAST_HOPS")
            try option(Int32(IPPROTO_IPV6), IPV6_TCLASS, Int32(tos), "IPV6_TCLASS")
        } else {
            try option(Int32(IPPROTO_IP), IP_TTL, Int32(ttl), "IP_TTL")
            try option(Int32(IPPROTO_IP), IP_MULTICAST_TTL, Int32(ttl), "IP_MULTICAST_TTL")
            try option(Int32(IPPROTO_IP), IP_TOS, Int32(tos), "IP_TOS")
        }
        try option(SOL_SOCKET, SO_SNDBUF, Int32(sendBufferBytes), "SO_SNDBUF")
        if let interface {
            let index = Int32(if_nametoindex(interface))
            guard index > 0 else {
                close(fd)
                throw SocketError("interface \(interface)", code: ENODEV)
            }
            if host.isMulticast {
                if v6 {
                    try option(Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, index, "IPV6_MULTICAST_IF")
                } else {
                    var request = ip_mreqn()
                    request.imr_ifindex = index
                    guard setsockopt(fd, Int32(IPPROTO_IP), IP_MULTICAST_IF, &request, socklen_t(MemoryLayout<ip_mreqn>.size)) == 0 else {
                        let code = errno
                        close(fd)
                        throw SocketError("IP_MULTICAST_IF \(interface)", code: code)
                    }
                }
            } else {
                let name = Array(interface.utf8) + [0]
                guard setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, socklen_t(name.count)) == 0 else {
                    let code = errno
                    close(fd)
                    throw SocketError("SO_BINDTODEVICE \(interface)", code: code)
                }
            }
        }
        var (address, length) = SocketAddress.make(host, port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw SocketError("connect to \(host) port \(port)", code: code)
        }
        self.fd = fd
        localPort = SocketAddress.localPort(of: fd)
    }

    /// Sends `bytes` as one datagram; 0 or the errno.
    @inline(__always)
    public func send(_ bytes: [UInt8]) -> Int32 {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return sent < 0 ? errno : 0
    }

    deinit { close(fd) }
}

/// sockaddr_in / sockaddr_in6 from the configuration's addresses.
enum SocketAddress {
    static func make(_ host: IPAddress, port: UInt16) -> (sockaddr_storage, socklen_t) {
        var storage = sockaddr_storage()
        if host.family == .ipv4 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: host.octets) }
            withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
            return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: host.octets) }
        withUnsafeMutableBytes(of: &storage) { raw in withUnsafeBytes(of: address) { raw.copyMemory(from: $0) } }
        return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
    }

    static func localPort(of fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return withUnsafeBytes(of: storage) { raw in
            // sin_port and sin6_port sit at the same offset (2).
            UInt16(raw[2]) << 8 | UInt16(raw[3])
        }
    }
}
