/// Packs TS packets into datagrams of `packetsPerDatagram`, each due at the
/// send time of its first packet (the sender paces datagrams, not packets, so
/// a datagram leaves when its first byte would have, RFC 2250 §2).
///
/// The bytes are built in a buffer reserved once per datagram, with
/// `headerRoom` bytes in front for the RTP header, so neither the packetizer
/// nor the sender copies them again.
public struct DatagramAssembler: Sendable {
    /// TS packets per datagram (≥ 1).
    public let packetsPerDatagram: Int
    /// Bytes reserved for the RTP header (12 for ts-rtp, 0 for ts-udp).
    public let headerRoom: Int
    private var pending: [UInt8] = []
    private var firstPacketIndex: UInt64 = 0
    private var sendTime: UInt64 = 0
    private var count = 0

    public init(packetsPerDatagram: Int = DatagramSizing.standardPacketsPerDatagram, headerRoom: Int = 0) {
        self.packetsPerDatagram = max(1, packetsPerDatagram)
        self.headerRoom = max(0, headerRoom)
    }

    /// TS packets waiting for the datagram to fill.
    public var pendingPacketCount: Int { count }

    /// Adds the packet at `offset` of `bytes` (packet `index` of the stream,
    /// due at `sendTime`); returns the datagram it completes, if any.
    public mutating func append(_ bytes: [UInt8], at offset: Int = 0, index: UInt64, sendTime: UInt64)
        throws(TSPacketError) -> Datagram?
    {
        try TSPacket.checkFrame(bytes, at: offset)
        if count == 0 {
            pending.reserveCapacity(headerRoom + packetsPerDatagram * TSPacket.size)
            pending.append(contentsOf: repeatElement(0, count: headerRoom))
            firstPacketIndex = index
            self.sendTime = sendTime
        }
        pending.append(contentsOf: bytes[offset..<(offset + TSPacket.size)])
        count += 1
        return count == packetsPerDatagram ? flush() : nil
    }

    /// The partly filled datagram (at the end of a stream), if any.
    public mutating func flush() -> Datagram? {
        guard count > 0 else { return nil }
        let datagram = Datagram(bytes: pending, headerRoom: headerRoom, firstPacketIndex: firstPacketIndex,
                                sendTime: sendTime)
        pending = []
        count = 0
        return datagram
    }
}
