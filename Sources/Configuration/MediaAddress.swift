/// The transport named by a media URL's scheme.
public enum MediaTransport: String, Codable, Sendable, CaseIterable {
    /// MPEG-TS directly in UDP datagrams.
    case udp
    /// MPEG-TS in RTP (RFC 3550, payload type 33 per RFC 2250) over UDP.
    case rtp
}

/// A network media address: `udp://HOST:PORT` or `rtp://HOST:PORT`, with an
/// optional source filter for source-specific multicast written the way VLC
/// and most broadcast gear do, `udp://SOURCE@GROUP:PORT` (RFC 4607 SSM;
/// IGMPv3/MLDv2 joins). IPv6 literals go in brackets (RFC 3986 §3.2.2):
/// `rtp://[ff3e::1234]:5004`. Only IP literals: the media plane does no DNS.
public struct MediaAddress: Hashable, Sendable, CustomStringConvertible, Codable {
    /// `udp` or `rtp`.
    public var transport: MediaTransport
    /// The unicast or multicast address.
    public var host: IPAddress
    /// The UDP port (1-65535).
    public var port: UInt16
    /// For SSM reception: the only sender accepted.
    public var sourceFilter: IPAddress?

    public init(transport: MediaTransport, host: IPAddress, port: UInt16, sourceFilter: IPAddress? = nil) {
        self.transport = transport
        self.host = host
        self.port = port
        self.sourceFilter = sourceFilter
    }

    /// What a valid address looks like, for error messages.
    public static let rule = "udp://HOST:PORT or rtp://HOST:PORT (IPv6 in brackets)"

    /// Parses the URL form. Port 0 is refused.
    public init?(_ text: String) {
        let transport: MediaTransport
        var rest: Substring
        if text.hasPrefix("udp://") {
            transport = .udp
        } else if text.hasPrefix("rtp://") {
            transport = .rtp
        } else {
            return nil
        }
        rest = text.dropFirst(6)
        var sourceFilter: IPAddress? = nil
        if let at = rest.firstIndex(of: "@") {
            guard let source = MediaAddress.parseHost(rest[..<at]) else { return nil }
            sourceFilter = source
            rest = rest[rest.index(after: at)...]
        }
        guard let colon = rest.lastIndex(of: ":"),
              let host = MediaAddress.parseHost(rest[..<colon]),
              let port = MediaAddress.parsePort(rest[rest.index(after: colon)...]) else { return nil }
        self.init(transport: transport, host: host, port: port, sourceFilter: sourceFilter)
    }

    public var description: String {
        let source = sourceFilter.map { MediaAddress.renderHost($0) + "@" } ?? ""
        return "\(transport.rawValue)://\(source)\(MediaAddress.renderHost(host)):\(port)"
    }

    private static func parseHost(_ text: Substring) -> IPAddress? {
        if text.hasPrefix("[") && text.hasSuffix("]") {
            let address = IPAddress(String(text.dropFirst().dropLast()))
            return address?.family == .ipv6 ? address : nil
        }
        let address = IPAddress(String(text))
        return address?.family == .ipv4 ? address : nil
    }

    private static func renderHost(_ address: IPAddress) -> String {
        address.family == .ipv6 ? "[\(address)]" : address.description
    }

    private static func parsePort(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy(ConfigName.isDigit),
              !(text.count > 1 && text.hasPrefix("0")), let port = Int(text), (1...65535).contains(port) else { return nil }
        return UInt16(port)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let address = MediaAddress(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                debugDescription: "\"\(text)\" is not \(MediaAddress.rule)"))
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
