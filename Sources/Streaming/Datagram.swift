/// One outgoing UDP payload: room for an RTP header (if any) followed by
/// whole TS packets, due at the send time of its first packet.
public struct Datagram: Equatable, Sendable {
    /// The bytes to send: `headerRoom` bytes (zero until the RTP packetizer
    /// stamps them) then `packetCount` TS packets.
    public var bytes: [UInt8]
    /// Bytes reserved in front for the RTP header (0 for ts-udp).
    public var headerRoom: Int
    /// Stream index of the first TS packet.
    public var firstPacketIndex: UInt64
    /// 27 MHz stream time of the first TS packet: when the datagram is due.
    public var sendTime: UInt64

    /// TS packets carried.
    public var packetCount: Int { (bytes.count - headerRoom) / TSPacket.size }
    /// The TS payload (RFC 3550's payload octets for the sender octet count).
    public var payloadSize: Int { bytes.count - headerRoom }
}
