/// An RTCP receiver report (RFC 3550 §6.4.2, PT 201): what receivers (a
/// decoder, ffprobe) send back about the stream.
public struct RTCPReceiverReport: Equatable, Sendable {
    /// Packet type.
    public static let packetType: UInt8 = 201

    /// SSRC of the receiver.
    public var ssrc: UInt32
    /// Reception reports.
    public var reports: [RTCPReportBlock]

    public init(ssrc: UInt32, reports: [RTCPReportBlock] = []) {
        self.ssrc = ssrc
        self.reports = reports
    }

    /// Appends the packet (at most 31 report blocks).
    public func encode(into bytes: inout [UInt8]) {
        let blocks = reports.prefix(31)
        RTCPBytes.appendHeader(count: blocks.count, type: Self.packetType,
                               bodyBytes: 4 + blocks.count * RTCPReportBlock.size, to: &bytes)
        RTCPBytes.append32(ssrc, to: &bytes)
        for block in blocks { block.encode(into: &bytes) }
    }

    init(decoding bytes: [UInt8], body range: Range<Int>, count: Int) throws(RTCPError) {
        let needed = 4 + count * RTCPReportBlock.size
        guard range.count >= needed else { throw .bodyTooShort(packetType: Self.packetType, needed: needed + 4, length: range.count + 4) }
        ssrc = RTCPBytes.read32(bytes, range.lowerBound)
        reports = (0..<count).map { RTCPReportBlock(decoding: bytes, at: range.lowerBound + 4 + $0 * RTCPReportBlock.size) }
    }
}
