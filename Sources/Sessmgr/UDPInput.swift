import Configuration
import Glibc

/// A UDP socket receiving a stream's input: bound to the port (and, for
/// multicast, the group), joined to the group, source-specifically when the
/// address names a source (RFC 4607: IGMPv3 / MLDv2 source filters).
public final class UDPInput {
    public let fd: Int32

    public init(_ address: MediaAddress, interface: String?) throws(SocketError) {
        let host = address.host
        let v6 = host.family == .ipv6
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        func fail(_ step: String) -> SocketError {
            let error = SocketError(step)
            close(fd)
            return error
        }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var buffer: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
        // Bind to the group itself for multicast (only its datagrams arrive),
        // to the unicast address otherwise.
        var (bound, length) = SocketAddress.make(host, port: address.port)
        let ok = withUnsafePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard ok == 0 else { throw fail("bind \(address)") }
        let index = interface.map { UInt32(if_nametoindex($0)) } ?? 0
        if host.isMulticast {
            if v6 {
                if let source = address.sourceFilter {
                    var request = group_source_req()
                    request.gsr_interface = index
                    var (group, _) = SocketAddress.make(host, port: 0)
                    var (filter, _) = SocketAddress.make(source, port: 0)
                    request.gsr_group = group
                    request.gsr_source = filter
                    _ = (group, filter)
                    guard setsockopt(fd, Int32(IPPROTO_IPV6), MCAST_JOIN_SOURCE_GROUP, &request,
                                     socklen_t(MemoryLayout<group_source_req>.size)) == 0 else { throw fail("MCAST_JOIN_SOURCE_GROUP") }
                } else {
                    var request = ipv6_mreq()
                    withUnsafeMutableBytes(of: &request.ipv6mr_multiaddr) { $0.copyBytes(from: host.octets) }
                    request.ipv6mr_interface = index
                    guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_ADD_MEMBERSHIP, &request,
                                     socklen_t(MemoryLayout<ipv6_mreq>.size)) == 0 else { throw fail("IPV6_ADD_MEMBERSHIP") }
                }
            } else if let source = address.sourceFilter {
                var request = ip_mreq_source()
                withUnsafeMutableBytes(of: &request.imr_multiaddr) { $0.copyBytes(from: host.octets) }
                withUnsafeMutableBytes(of: &request.imr_sourceaddr) { $0.copyBytes(from: source.octets) }
                if let interface, let local = Self.ipv4Address(of: interface) {
                    withUnsafeMutableBytes(of: &request.imr_interface) { $0.copyBytes(from: local) }
                }
                guard setsockopt(fd, Int32(IPPROTO_IP), IP_ADD_SOURCE_MEMBERSHIP, &request,
                                 socklen_t(MemoryLayout<ip_mreq_source>.size)) == 0 else { throw fail("IP_ADD_SOURCE_MEMBERSHIP") }
            } else {
                var request = ip_mreqn()
                withUnsafeMutableBytes(of: &request.imr_multiaddr) { $0.copyBytes(from: host.octets) }
                request.imr_ifindex = Int32(index)
                guard setsockopt(fd, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &request,
                                 socklen_t(MemoryLayout<ip_mreqn>.size)) == 0 else { throw fail("IP_ADD_MEMBERSHIP") }
            }
        }
        self.fd = fd
    }

    /// Waits up to `timeoutMilliseconds` for one datagram into `buffer`; its length, 0 on timeout.
    public func receive(into buffer: inout [UInt8], timeoutMilliseconds: Int32) -> Int {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return 0 }
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        return max(0, count)
    }

    deinit { close(fd) }

    static func ipv4Address(of interface: String) -> [UInt8]? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return nil }
        defer { freeifaddrs(list) }
        var cursor = list
        while let entry = cursor {
            if let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
               String(cString: entry.pointee.ifa_name) == interface {
                return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    withUnsafeBytes(of: pointer.pointee.sin_addr) { Array($0) }
                }
            }
            cursor = entry.pointee.ifa_next
        }
        return nil
    }
}
