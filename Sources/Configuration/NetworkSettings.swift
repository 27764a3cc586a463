/// Management and media interfaces' addressing.
public struct NetworkSettings: Codable, Equatable, Sendable {
    /// Configured interfaces; an interface not listed is left down.
    public var interfaces: [InterfaceConfig]

    public init(interfaces: [InterfaceConfig] = []) {
        self.interfaces = interfaces
    }
}

/// One interface's addressing.
public struct InterfaceConfig: Codable, Equatable, Sendable {
    /// The Linux interface name (`InterfaceConfig.isValidName`).
    public var name: String
    /// DHCP or static.
    public var addressing: InterfaceAddressing

    public init(name: String, addressing: InterfaceAddressing) {
        self.name = name
        self.addressing = addressing
    }

    /// What a valid interface name looks like, for error messages.
    public static let nameRule = "an interface name: 1-15 letters, digits, '.', '-' or '_'"

    /// Linux IFNAMSIZ is 16 with the NUL, so 1-15 bytes; no `/`, spaces or
    /// `:` (which the kernel refuses or aliases use); not `.` or `..`.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...15).contains(bytes.count), name != ".", name != ".." else { return false }
        return bytes.allSatisfy { byte in
            ConfigName.isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}

/// How an interface gets its address.
public enum InterfaceAddressing: Codable, Equatable, Sendable {
    /// DHCP (or SLAAC/DHCPv6 for IPv6): address, gateway and DNS from the network.
    case dhcp
    /// A fixed address.
    case `static`(StaticAddressing)
}

/// A fixed address with its prefix, default gateway and DNS servers.
public struct StaticAddressing: Codable, Equatable, Sendable {
    /// The interface's address.
    public var address: IPAddress
    /// The prefix length (0-32 or 0-128).
    public var prefixLength: Int
    /// The default gateway, inside the prefix.
    public var gateway: IPAddress?
    /// DNS servers, at most `maximumDNSServers`.
    public var dnsServers: [IPAddress]

    /// resolv.conf's MAXNS.
    public static let maximumDNSServers = 3

    public init(address: IPAddress, prefixLength: Int, gateway: IPAddress? = nil, dnsServers: [IPAddress] = []) {
        self.address = address
        self.prefixLength = prefixLength
        self.gateway = gateway
        self.dnsServers = dnsServers
    }
}
