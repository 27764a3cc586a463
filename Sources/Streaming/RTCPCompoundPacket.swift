/// One decoded RTCP packet of a compound packet.
public enum RTCPPacket: Equatable, Sendable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case sourceDescription(RTCPSourceDescription)
}

/// RTCP compound packets (RFC 3550 §6.1): several RTCP packets in one UDP
/// datagram, each with its own length.
public enum RTCPCompoundPacket {
    /// What the sender sends every interval: SR followed by SDES with the
    /// CNAME, the minimum compound packet a sender may send (§6.1).
    public static func senderReport(_ report: RTCPSenderReport, cname: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(28 + 24 * report.reports.count + 12 + cname.utf8.count)
        report.encode(into: &bytes)
        RTCPSourceDescription(ssrc: report.ssrc, cname: cname).encode(into: &bytes)
        return bytes
    }

    /// Decodes every packet of a compound datagram. Types this codec does not
    /// know (BYE, APP, feedback...) are skipped by their length and counted;
    /// a packet whose length does not fit, a wrong version or a malformed
    /// body fails the whole datagram, as RFC 3550 A.2 asks.
    public static func decode(_ bytes: [UInt8]) throws(RTCPError) -> (packets: [RTCPPacket], skipped: Int) {
        guard !bytes.isEmpty else { throw .empty }
        var packets: [RTCPPacket] = []
        var skipped = 0
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { throw .truncatedHeader(offset: offset) }
            let version = bytes[offset] >> 6
            guard version == 2 else { throw .unsupportedVersion(version, offset: offset) }
            let count = Int(bytes[offset] & 0x1F)
            let type = bytes[offset + 1]
            let length = ((Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])) + 1) * 4
            guard length <= bytes.count - offset else {
                throw .lengthOverflow(offset: offset, length: length, available: bytes.count - offset)
            }
            var end = offset + length
            if bytes[offset] & 0x20 != 0 {
                let padding = Int(bytes[end - 1])
                guard padding >= 1, padding <= length - 4 else { throw .badPadding(offset: offset) }
                end -= padding
            }
            let body = (offset + 4)..<end
            switch type {
            case RTCPSenderReport.packetType:
                packets.append(.senderReport(try RTCPSenderReport(decoding: bytes, body: body, count: count)))
            case RTCPReceiverReport.packetType:
                packets.append(.receiverReport(try RTCPReceiverReport(decoding: bytes, body: body, count: count)))
            case RTCPSourceDescription.packetType:
                packets.append(.sourceDescription(try RTCPSourceDescription(decoding: bytes, body: body, count: count)))
            default:
                skipped += 1
            }
            offset += length
        }
        return (packets, skipped)
    }
}
