import Glibc

/// One network interface as the kernel reports it, for IF-MIB.
public struct KernelInterface: Hashable, Sendable {
    public var index: UInt32
    public var name: String
    /// ARPHRD_* (`if_arp.h`).
    public var hardwareType: UInt16
    /// IFF_* flags.
    public var flags: UInt32
    public var mtu: UInt32
    public var address: [UInt8]
    /// IF_OPER_* (RFC 2863 numbering minus one: 0 unknown … 6 up).
    public var operState: UInt8
    public var alias: String
    /// rtnl_link_stats64, in kernel order (rx_packets, tx_packets, rx_bytes, …).
    public var stats: [UInt64]

    public var rxPackets: UInt64 { stat(0) }
    public var txPackets: UInt64 { stat(1) }
    public var rxBytes: UInt64 { stat(2) }
    public var txBytes: UInt64 { stat(3) }
    public var rxErrors: UInt64 { stat(4) }
    public var txErrors: UInt64 { stat(5) }
    public var rxDropped: UInt64 { stat(6) }
    public var txDropped: UInt64 { stat(7) }
    public var rxMulticast: UInt64 { stat(8) }
    /// Frames no protocol handler took (rx_nohandler, index 23).
    public var rxNoHandler: UInt64 { stat(23) }

    private func stat(_ index: Int) -> UInt64 { index < stats.count ? stats[index] : 0 }

    public var isUp: Bool { flags & 0x1 != 0 }           // IFF_UP
    public var isPromiscuous: Bool { flags & 0x100 != 0 } // IFF_PROMISC
}

/// Reads every interface with one rtnetlink RTM_GETLINK dump (what `ip link`
/// does): a few syscalls however many interfaces there are, where reading
/// sysfs would open a dozen files per interface.
public enum KernelInterfaces {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    // linux/netlink.h, linux/rtnetlink.h, linux/if_link.h: the kernel's ABI,
    // which Glibc's module does not import.
    static let netlinkRoute: Int32 = 0
    static let newLink: UInt16 = 16, getLink: UInt16 = 18
    static let flagRequest: UInt16 = 0x1, flagDump: UInt16 = 0x300
    static let messageDone: UInt16 = 3, messageError: UInt16 = 2
    static let attributeAddress: UInt16 = 1, attributeName: UInt16 = 3, attributeMTU: UInt16 = 4
    static let attributeOperState: UInt16 = 16, attributeAlias: UInt16 = 20, attributeStats64: UInt16 = 23

    private static let headerLength = 16  // struct nlmsghdr
    private static let infoLength = 16    // struct ifinfomsg

    public static func read() throws(Failure) -> [KernelInterface] {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkRoute)
        guard fd >= 0 else { throw Failure(description: "netlink socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var request = [UInt8](repeating: 0, count: headerLength + infoLength)
        put32(&request, 0, UInt32(request.count))
        put16(&request, 4, getLink)
        put16(&request, 6, flagRequest | flagDump)
        put32(&request, 8, 1)  // sequence
        request[16] = UInt8(AF_UNSPEC)
        guard send(fd, request, request.count, 0) == request.count else {
            throw Failure(description: "netlink send: \(String(cString: strerror(errno)))")
        }
        var interfaces: [KernelInterface] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard received > 0 else {
                if received < 0 && errno == EINTR { continue }
                throw Failure(description: "netlink receive: \(String(cString: strerror(errno)))")
            }
            var offset = 0
            while offset + headerLength <= received {
                let length = Int(get32(buffer, offset))
                let type = get16(buffer, offset + 4)
                guard length >= headerLength, offset + length <= received else { break }
                if type == messageDone { return interfaces }
                if type == messageError { throw Failure(description: "netlink answered an error") }
                if type == newLink, length >= headerLength + infoLength {
                    interfaces.append(parseLink(buffer, from: offset + headerLength, to: offset + length))
                }
                offset += (length + 3) & ~3
            }
        }
    }

    static func parseLink(_ bytes: [UInt8], from start: Int, to end: Int) -> KernelInterface {
        var interface = KernelInterface(index: get32(bytes, start + 4), name: "", hardwareType: get16(bytes, start + 2),
                                        flags: get32(bytes, start + 8), mtu: 0, address: [], operState: 0, alias: "", stats: [])
        var offset = start + infoLength
        while offset + 4 <= end {
            let length = Int(get16(bytes, offset))
            let type = get16(bytes, offset + 2) & 0x3FFF
            guard length >= 4, offset + length <= end else { break }
            let payload = Array(bytes[(offset + 4)..<(offset + length)])
            switch type {
            case attributeName: interface.name = cString(payload)
            case attributeAlias: interface.alias = cString(payload)
            case attributeMTU where payload.count >= 4: interface.mtu = get32(payload, 0)
            case attributeAddress: interface.address = payload
            case attributeOperState where !payload.isEmpty: interface.operState = payload[0]
            case attributeStats64:
                interface.stats = stride(from: 0, to: payload.count - 7, by: 8).map { at in
                    (0..<8).reduce(UInt64(0)) { $0 | UInt64(payload[at + $1]) << (8 * UInt64($1)) }
                }
            default: break
            }
            offset += (length + 3) & ~3
        }
        return interface
    }

    /// The link speed in bits per second from sysfs, when the driver knows it.
    public static func speed(of name: String) -> UInt64? {
        guard let fd = Optional(open("/sys/class/net/\(name)/speed", O_RDONLY | O_CLOEXEC)), fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = Glibc.read(fd, &buffer, buffer.count)
        guard count > 0, let megabits = Int64(String(decoding: buffer[..<count], as: UTF8.self).trimmingSpace), megabits > 0 else { return nil }
        return UInt64(megabits) * 1_000_000
    }

    private static func cString(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func get16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func get32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
    private static func put16(_ bytes: inout [UInt8], _ at: Int, _ value: UInt16) {
        bytes[at] = UInt8(truncatingIfNeeded: value)
        bytes[at + 1] = UInt8(truncatingIfNeeded: value >> 8)
    }
    private static func put32(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }
}

extension String {
    var trimmingSpace: String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        return String(text)
    }
}
