import Configuration
import Glibc

/// A UDP peer address, as the kernel gives and takes it.
public struct UDPPeer: Sendable {
    public var storage: sockaddr_storage
    public var length: socklen_t

    public init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// `address:port` (`[v6]:port`); v4-mapped IPv6 shown as plain IPv4.
    public var description: String {
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer -> String in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> String in
                var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
                if Int32(address.pointee.sa_family) == AF_INET {
                    return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                        var addr = v4.pointee.sin_addr
                        inet_ntop(AF_INET, &addr, &text, socklen_t(text.count))
                        return "\(Self.text(text)):\(UInt16(bigEndian: v4.pointee.sin_port))"
                    }
                }
                return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var addr = v6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &text, socklen_t(text.count))
                    var shown = Self.text(text)
                    if shown.hasPrefix("::ffff:"), shown.contains(".") {
                        shown.removeFirst(7)
                        return "\(shown):\(UInt16(bigEndian: v6.pointee.sin6_port))"
                    }
                    return "[\(shown)]:\(UInt16(bigEndian: v6.pointee.sin6_port))"
                }
            }
        }
    }

    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The address of `host` (an IP literal, or a name looked up now) and `port`.
    public static func resolve(_ host: NetworkHost, port: UInt16) -> UDPPeer? {
        let text = host.address?.description ?? host.name ?? ""
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        hints.ai_flags = host.address != nil ? AI_NUMERICHOST : 0
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(text, String(port), &hints, &results) == 0, let first = results else { return nil }
        defer { freeaddrinfo(results) }
        var storage = sockaddr_storage()
        let length = first.pointee.ai_addrlen
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(length)))
        }
        return UDPPeer(storage: storage, length: length)
    }

    public var family: Int32 { Int32(storage.ss_family) }
}

/// Binds a UDP socket on `address:port` (used when snmpd runs without procmon).
public enum UDPSocket {
    public static func bind(address: String, port: UInt16) throws(EngineStore.Failure) -> Int32 {
        guard let peer = UDPPeer.resolve(NetworkHost(address) ?? NetworkHost(address: IPAddress("127.0.0.1")!), port: port) else {
            throw EngineStore.Failure(description: "\(address) is not an address")
        }
        let fd = socket(peer.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw EngineStore.Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var off: Int32 = 0
        if peer.family == AF_INET6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &off, socklen_t(MemoryLayout<Int32>.size))
        }
        var storage = peer.storage
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, peer.length) }
        }
        guard bound == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw EngineStore.Failure(description: "cannot bind udp \(address):\(port): \(message)")
        }
        return fd
    }

    /// Sends `bytes` to `peer`; false when the kernel refused.
    @discardableResult
    public static func send(_ fd: Int32, _ bytes: [UInt8], to peer: UDPPeer) -> Bool {
        var storage = peer.storage
        let sent = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT), $0, peer.length)
                }
            }
        }
        return sent == bytes.count
    }
}
