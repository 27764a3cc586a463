/// How a stream's MPEG-TS is carried.
public enum Encapsulation: String, Codable, Sendable, CaseIterable {
    /// Seven 188-byte TS packets per UDP datagram.
    case tsUDP = "ts-udp"
    /// The same in RTP: RFC 3550 header, RFC 2250 payload (PT 33).
    case tsRTP = "ts-rtp"
}

/// One outgoing stream as `sessmgrd` runs it.
public struct StreamConfig: Codable, Equatable, Sendable {
    /// The stream's name (`ConfigName.rule`), unique.
    public var name: String
    /// Where the TS comes from.
    public var source: StreamSource
    /// Where it goes: unicast or multicast, IPv4 or IPv6. Never has a source filter.
    public var destination: MediaAddress
    /// Set explicitly, or nil to follow the destination's scheme.
    public var encapsulation: Encapsulation?
    /// IPv4 TTL / IPv6 hop limit (1-255).
    public var ttl: Int = 64
    /// The IP TOS / traffic-class byte (0-255). 0xB8 is DSCP EF (RFC 3246),
    /// what broadcast contribution links usually expect.
    public var tos: Int = 0xB8
    /// Path MTU to size datagrams for (576-9000).
    public var mtu: Int = 1500
    /// The interface to send from; nil lets routing choose.
    public var outputInterface: String?
    /// Whether `sessmgrd` shapes the stream with an HTB class.
    public var shaping: Bool = false
    /// The HTB class's headroom, percent (0-100): `sessmgrd` sets the class
    /// rate to the stream's measured rate with its IP/UDP/RTP overhead, plus
    /// this percentage (see sessmgrd(8)).
    public var shapingCeilingPercent: Int = 10
    /// Start with the appliance.
    public var autostart: Bool = false

    /// TS packets per datagram: 7 × 188 = 1316 bytes, the most that fits a
    /// 1500-byte Ethernet MTU with RTP/UDP/IP headers; the usual choice.
    public static let packetsPerDatagram = 7
    /// The size of one TS packet (ISO/IEC 13818-1 §2.4.3).
    public static let tsPacketSize = 188

    public init(name: String, source: StreamSource, destination: MediaAddress, encapsulation: Encapsulation? = nil,
                ttl: Int = 64, tos: Int = 0xB8, mtu: Int = 1500, outputInterface: String? = nil,
                shaping: Bool = false, shapingCeilingPercent: Int = 10, autostart: Bool = false) {
        self.name = name
        self.source = source
        self.destination = destination
        self.encapsulation = encapsulation
        self.ttl = ttl
        self.tos = tos
        self.mtu = mtu
        self.outputInterface = outputInterface
        self.shaping = shaping
        self.shapingCeilingPercent = shapingCeilingPercent
        self.autostart = autostart
    }

    /// The encapsulation in effect: the explicit one, else `ts-rtp` for an
    /// `rtp://` destination and `ts-udp` for `udp://`.
    public var effectiveEncapsulation: Encapsulation {
        encapsulation ?? (destination.transport == .rtp ? .tsRTP : .tsUDP)
    }

    /// The smallest MTU that carries one datagram of seven TS packets:
    /// 1316 bytes of TS + 12 of RTP (if any) + 8 of UDP + 20 (IPv4) or 40 (IPv6) of IP.
    public var minimumMTU: Int {
        let payload = StreamConfig.packetsPerDatagram * StreamConfig.tsPacketSize
        let rtp = effectiveEncapsulation == .tsRTP ? 12 : 0
        let ip = destination.host.family == .ipv4 ? 20 : 40
        return payload + rtp + 8 + ip
    }
}
