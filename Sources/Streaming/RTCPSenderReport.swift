/// An RTCP sender report (RFC 3550 §6.4.1, PT 200): ties the stream's RTP
/// timestamps to wall-clock time (NTP) so receivers can synchronise and
/// measure round trips, and says how much was sent.
public struct RTCPSenderReport: Equatable, Sendable {
    /// Packet type.
    public static let packetType: UInt8 = 200

    /// SSRC of the sender.
    public var ssrc: UInt32
    /// Wall-clock time of this report.
    public var ntpTimestamp: NTPTimestamp
    /// The RTP timestamp of the same instant (not of any packet sent).
    public var rtpTimestamp: UInt32
    /// RTP data packets sent since the start (wraps at 2^32).
    public var packetCount: UInt32
    /// Payload octets sent since the start, headers and padding excluded.
    public var octetCount: UInt32
    /// Reception reports (none for a pure sender).
    public var reports: [RTCPReportBlock]

    public init(ssrc: UInt32, ntpTimestamp: NTPTimestamp, rtpTimestamp: UInt32, packetCount: UInt32,
                octetCount: UInt32, reports: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reports = reports
    }

    /// Appends the packet (at most 31 report blocks; more are dropped, RFC 3550
    /// §6.4: the count field has 5 bits).
    public func encode(into bytes: inout [UInt8]) {
        let blocks = reports.prefix(31)
        RTCPBytes.appendHeader(count: blocks.count, type: Self.packetType,
                               bodyBytes: 24 + blocks.count * RTCPReportBlock.size, to: &bytes)
        RTCPBytes.append32(ssrc, to: &bytes)
        RTCPBytes.append32(ntpTimestamp.seconds, to: &bytes)
        RTCPBytes.append32(ntpTimestamp.fraction, to: &bytes)
        RTCPBytes.append32(rtpTimestamp, to: &bytes)
        RTCPBytes.append32(packetCount, to: &bytes)
        RTCPBytes.append32(octetCount, to: &bytes)
        for block in blocks { block.encode(into: &bytes) }
    }

    /// Decodes the body of an SR whose common header said `count` blocks;
    /// `range` excludes the 4 header bytes and any padding.
    init(decoding bytes: [UInt8], body range: Range<Int>, count: Int) throws(RTCPError) {
        let needed = 24 + count * RTCPReportBlock.size
        guard range.count >= needed else { throw .bodyTooShort(packetType: Self.packetType, needed: needed + 4, length: range.count + 4) }
        let o = range.lowerBound
        ssrc = RTCPBytes.read32(bytes, o)
        ntpTimestamp = NTPTimestamp(seconds: RTCPBytes.read32(bytes, o + 4), fraction: RTCPBytes.read32(bytes, o + 8))
        rtpTimestamp = RTCPBytes.read32(bytes, o + 12)
        packetCount = RTCPBytes.read32(bytes, o + 16)
        octetCount = RTCPBytes.read32(bytes, o + 20)
        reports = (0..<count).map { RTCPReportBlock(decoding: bytes, at: o + 24 + $0 * RTCPReportBlock.size) }
    }
}
