/// How many TS packets go in one UDP datagram for a path MTU.
///
/// Seven is the norm (SMPTE 2022-2, and 7 × 188 = 1316 bytes is the most that
/// fits Ethernet's 1500 with IP, UDP and RTP headers); a smaller MTU lowers
/// the count so datagrams are never fragmented, never below one.
public enum DatagramSizing {
    /// The usual and largest count.
    public static let standardPacketsPerDatagram = 7
    /// UDP header bytes (RFC 768).
    public static let udpHeaderSize = 8
    /// RTP fixed header bytes without CSRCs (RFC 3550 §5.1).
    public static let rtpHeaderSize = 12
    /// IPv4 header without options (RFC 791) and IPv6 fixed header (RFC 8200).
    public static let ipv4HeaderSize = 20
    public static let ipv6HeaderSize = 40

    /// `min(7, (mtu − ipHeader − 8 − 12 if RTP) / 188)`, at least 1.
    public static func packetsPerDatagram(mtu: Int, ipHeaderSize: Int = ipv4HeaderSize, rtp: Bool) -> Int {
        let room = mtu - ipHeaderSize - udpHeaderSize - (rtp ? rtpHeaderSize : 0)
        return max(1, min(standardPacketsPerDatagram, room / TSPacket.size))
    }
}
