/// The RTCP transmission interval (RFC 3550 §6.3.1, the algorithm of A.7):
/// RTCP takes 5 % of the session bandwidth, a sender's share a quarter of it
/// when senders are few, never more often than every 5 s (2.5 s before the
/// first report), randomised over [0.5, 1.5) so reports do not synchronise,
/// and divided by e − 3/2 to compensate for timer reconsideration.
public enum RTCPInterval {
    /// RTCP_MIN_TIME (§6.2).
    public static let minimumSeconds = 5.0
    /// RTCP's share of the session bandwidth (§6.2).
    public static let rtcpBandwidthFraction = 0.05
    /// RTCP_SENDER_BW_FRACTION (A.7).
    public static let senderBandwidthFraction = 0.25
    /// COMPENSATION = e − 3/2 (A.7).
    public static let compensation = 2.71828 - 1.5

    /// The interval before randomisation, in seconds (A.7 up to the minimum).
    /// - Parameters:
    ///   - sessionBandwidth: the session bandwidth in bits/s (the stream's rate).
    ///   - members: session members including this sender (a unicast stream: 2).
    ///   - senders: active senders (1: us).
    ///   - weSent: whether this participant sent data since the last report.
    ///   - averageRTCPSize: average compound RTCP packet size in octets, UDP/IP headers included.
    ///   - initial: true before the first report (half the minimum, §6.2).
    public static func deterministicSeconds(sessionBandwidth: UInt64, members: Int = 2, senders: Int = 1,
                                            weSent: Bool = true, averageRTCPSize: Double,
                                            initial: Bool = false) -> Double {
        let minimum = initial ? minimumSeconds / 2 : minimumSeconds
        var bandwidth = Double(sessionBandwidth) / 8 * rtcpBandwidthFraction  // octets/s
        var n = Double(max(1, members))
        if Double(senders) <= Double(members) * senderBandwidthFraction {
            if weSent {
                bandwidth *= senderBandwidthFraction
                n = Double(max(1, senders))
            } else {
                bandwidth *= 1 - senderBandwidthFraction
                n -= Double(senders)
            }
        }
        guard bandwidth > 0 else { return minimum }
        return max(minimum, averageRTCPSize * n / bandwidth)
    }

    /// The randomised, compensated interval in nanoseconds: what the sender
    /// waits before its next report.
    public static func nanoseconds(sessionBandwidth: UInt64, members: Int = 2, senders: Int = 1, weSent: Bool = true,
                                   averageRTCPSize: Double, initial: Bool = false,
                                   using generator: inout some RandomNumberGenerator) -> UInt64 {
        let t = deterministicSeconds(sessionBandwidth: sessionBandwidth, members: members, senders: senders,
                                     weSent: weSent, averageRTCPSize: averageRTCPSize, initial: initial)
        let randomised = t * Double.random(in: 0.5..<1.5, using: &generator) / compensation
        return UInt64(randomised * 1e9)
    }

    /// The running average compound size after sending or receiving one of
    /// `packetSize` octets (§6.3.3: avg = 1/16 × size + 15/16 × avg).
    public static func updatedAverageSize(_ average: Double, packetSize: Int) -> Double {
        Double(packetSize) / 16 + average * 15 / 16
    }
}
