/// RFC 4445's Media Delivery Index of a stream as it leaves the sender:
/// the delay factor (DF) and the media loss rate (MLR), per interval.
///
/// RFC 4445 §3.1: a virtual buffer fills with each packet's bytes and drains
/// at the media rate; DF = (VB_max − VB_min) / media rate over the interval,
/// in milliseconds: how much buffering a receiver needs to absorb the
/// stream's jitter. §3.2: MLR is the count of lost or out-of-order media
/// packets per second; at the output that is the TS packets whose continuity
/// counter does not follow (ISO/IEC 13818-1 §2.4.3.3), null packets excepted.
public struct MediaDeliveryIndex: Sendable {
    /// One closed interval.
    public struct Reading: Equatable, Sendable, Codable {
        /// Delay factor in milliseconds.
        public var delayFactorMilliseconds: Double
        /// Media packets lost per second.
        public var mediaLossRate: Double
        public init(delayFactorMilliseconds: Double, mediaLossRate: Double) {
            self.delayFactorMilliseconds = delayFactorMilliseconds
            self.mediaLossRate = mediaLossRate
        }
    }

    /// The media rate the virtual buffer drains at, bit/s.
    public var mediaRate: UInt64
    private var virtualBuffer = 0.0
    private var maximum = 0.0
    private var minimum = 0.0
    private var lastTime: UInt64?
    private var intervalStart: UInt64?
    private var lost: UInt64 = 0
    private var lastCounter: [UInt8]
    /// Continuity errors seen since the start.
    public private(set) var totalLost: UInt64 = 0

    public init(mediaRate: UInt64) {
        self.mediaRate = mediaRate
        lastCounter = [UInt8](repeating: 0xFF, count: 8192)
    }

    /// A datagram of `bytes` media bytes left at `nanoseconds`.
    public mutating func record(bytes: Int, atNanoseconds now: UInt64) {
        if intervalStart == nil { intervalStart = now }
        if let lastTime, now > lastTime, mediaRate > 0 {
            virtualBuffer -= Double(now - lastTime) * Double(mediaRate) / 8e9
        }
        lastTime = max(lastTime ?? now, now)
        minimum = min(minimum, virtualBuffer)  // before arrival
        virtualBuffer += Double(bytes)
        maximum = max(maximum, virtualBuffer)  // after arrival
    }

    /// The continuity counter of an outgoing TS packet; a packet with
    /// payload must carry the previous counter + 1 unless it signals a
    /// discontinuity (a duplicate, same counter, is allowed once; counted here as no loss).
    public mutating func observe(_ packet: TSPacket) {
        guard packet.pid != TSPacket.nullPID else { return }
        let pid = Int(packet.pid)
        let previous = lastCounter[pid]
        lastCounter[pid] = packet.continuityCounter
        guard previous != 0xFF, !packet.discontinuity else { return }
        let expected = packet.hasPayload ? (previous &+ 1) & 0x0F : previous
        if packet.continuityCounter != expected && packet.continuityCounter != previous {
            lost += 1
            totalLost += 1
        }
    }

    /// Closes the interval at `now` and starts the next; nil before any datagram.
    public mutating func closeInterval(atNanoseconds now: UInt64) -> Reading? {
        guard let started = intervalStart, mediaRate > 0 else { return nil }
        let seconds = Double(max(now, started + 1) - started) / 1e9
        let reading = Reading(delayFactorMilliseconds: (maximum - minimum) * 8 / Double(mediaRate) * 1000,
                              mediaLossRate: Double(lost) / seconds)
        virtualBuffer = 0
        maximum = 0
        minimum = 0
        lost = 0
        intervalStart = now
        return reading
    }
}
