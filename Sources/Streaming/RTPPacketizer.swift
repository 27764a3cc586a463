/// Stamps datagrams of TS with RTP headers for `ts-rtp` (RFC 3550 §5.1,
/// RFC 2250 §2): PT 33, sequence +1 per datagram (16-bit wrap), timestamp =
/// base + the 90 kHz time (PCR / 300) of the datagram's first TS packet
/// (32-bit wrap), one SSRC for the life of the stream, restarts included.
///
/// SSRC, first sequence number and timestamp base are random (RFC 3550 §5.1,
/// §8.1) from an injected generator, so tests are deterministic.
public struct RTPPacketizer: Equatable, Sendable {
    /// MP2T (RFC 3551 Table 5).
    public static let payloadType: UInt8 = 33

    /// Synchronization source of the stream.
    public let ssrc: UInt32
    /// Added to the stream's 90 kHz time to form the RTP timestamp.
    public let timestampBase: UInt32
    /// Sequence number of the next datagram.
    public private(set) var nextSequence: UInt16
    /// RFC 3550 §6.4.1 sender's packet count (RTP packets sent, wraps at 2^32).
    public private(set) var packetCount: UInt32
    /// RFC 3550 §6.4.1 sender's octet count (payload octets, no headers, wraps at 2^32).
    public private(set) var octetCount: UInt32

    /// A packetizer continuing a known stream (a resumed checkpoint).
    public init(ssrc: UInt32, nextSequence: UInt16, timestampBase: UInt32, packetCount: UInt32 = 0,
                octetCount: UInt32 = 0) {
        self.ssrc = ssrc
        self.nextSequence = nextSequence
        self.timestampBase = timestampBase
        self.packetCount = packetCount
        self.octetCount = octetCount
    }

    /// A new stream: random SSRC, first sequence number and timestamp base.
    public init(using generator: inout some RandomNumberGenerator) {
        self.init(ssrc: UInt32.random(in: .min ... .max, using: &generator),
                  nextSequence: UInt16.random(in: .min ... .max, using: &generator),
                  timestampBase: UInt32.random(in: .min ... .max, using: &generator))
    }

    /// The RTP timestamp of a stream time (27 MHz): base + time / 300, mod 2^32.
    public func timestamp(forStreamTime time: UInt64) -> UInt32 {
        timestampBase &+ UInt32(truncatingIfNeeded: time / MediaClock.ticksPerTimestampUnit)
    }

    /// The base that makes `streamTime` map to `timestamp`: how a resumed
    /// stream keeps its timestamps continuing on a new clock.
    public static func timestampBase(continuing timestamp: UInt32, atStreamTime time: UInt64) -> UInt32 {
        timestamp &- UInt32(truncatingIfNeeded: time / MediaClock.ticksPerTimestampUnit)
    }

    /// The header of the next datagram, whose first TS packet is due at `streamTime`
    /// and which carries `payloadSize` bytes of TS; advances sequence and counts.
    public mutating func nextHeader(streamTime: UInt64, payloadSize: Int) -> RTPHeader {
        let header = RTPHeader(payloadType: Self.payloadType, sequenceNumber: nextSequence,
                               timestamp: timestamp(forStreamTime: streamTime), ssrc: ssrc)
        nextSequence &+= 1
        packetCount &+= 1
        octetCount &+= UInt32(truncatingIfNeeded: payloadSize)
        return header
    }

    /// Writes the next header into the datagram's header room, in place.
    /// A datagram assembled without 12 bytes of room is left as it is and nil returned.
    @discardableResult
    public mutating func stamp(_ datagram: inout Datagram) -> RTPHeader? {
        guard datagram.headerRoom >= RTPHeader.size else { return nil }
        let header = nextHeader(streamTime: datagram.sendTime, payloadSize: datagram.payloadSize)
        header.write(into: &datagram.bytes, at: datagram.headerRoom - RTPHeader.size)
        return header
    }

    /// Skips sequence numbers for datagrams that were due but not sent (an
    /// outage), so receivers count them as lost.
    public mutating func skip(datagrams: UInt64) {
        nextSequence &+= UInt16(truncatingIfNeeded: datagrams)
    }
}
