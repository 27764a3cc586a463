/// A reception report block (RFC 3550 §6.4.1), carried by SR and RR packets:
/// how one receiver sees one source.
public struct RTCPReportBlock: Equatable, Sendable {
    /// Block size in bytes.
    public static let size = 24

    /// SSRC of the source reported on.
    public var ssrc: UInt32
    /// Fraction lost since the previous report, in 1/256.
    public var fractionLost: UInt8
    /// Cumulative packets lost (24-bit signed: duplicates can make it negative).
    public var cumulativeLost: Int32
    /// Extended highest sequence number received (cycles << 16 | sequence).
    public var highestSequence: UInt32
    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32
    /// LSR: middle 32 bits of the last SR's NTP timestamp (0 if none).
    public var lastSenderReport: UInt32
    /// DLSR: delay since that SR, in 1/65536 s.
    public var delaySinceLastSenderReport: UInt32

    public init(ssrc: UInt32, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0, highestSequence: UInt32 = 0,
                jitter: UInt32 = 0, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.highestSequence = highestSequence
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    func encode(into bytes: inout [UInt8]) {
        RTCPBytes.append32(ssrc, to: &bytes)
        RTCPBytes.append32(UInt32(fractionLost) << 24 | UInt32(bitPattern: cumulativeLost) & 0x00FF_FFFF, to: &bytes)
        RTCPBytes.append32(highestSequence, to: &bytes)
        RTCPBytes.append32(jitter, to: &bytes)
        RTCPBytes.append32(lastSenderReport, to: &bytes)
        RTCPBytes.append32(delaySinceLastSenderReport, to: &bytes)
    }

    init(decoding bytes: [UInt8], at offset: Int) {
        ssrc = RTCPBytes.read32(bytes, offset)
        let lost = RTCPBytes.read32(bytes, offset + 4)
        fractionLost = UInt8(lost >> 24)
        // Sign-extend the 24-bit count.
        cumulativeLost = Int32(bitPattern: lost << 8) >> 8
        highestSequence = RTCPBytes.read32(bytes, offset + 8)
        jitter = RTCPBytes.read32(bytes, offset + 12)
        lastSenderReport = RTCPBytes.read32(bytes, offset + 16)
        delaySinceLastSenderReport = RTCPBytes.read32(bytes, offset + 20)
    }
}

/// Big-endian field access shared by the RTCP codecs.
enum RTCPBytes {
    static func append32(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    static func read32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    /// The common header: V=2, P=0, count, type, length in 32-bit words minus one.
    static func appendHeader(count: Int, type: UInt8, bodyBytes: Int, to bytes: inout [UInt8]) {
        bytes.append(0x80 | UInt8(count & 0x1F))
        bytes.append(type)
        let words = (4 + bodyBytes) / 4 - 1
        bytes.append(UInt8(truncatingIfNeeded: words >> 8))
        bytes.append(UInt8(truncatingIfNeeded: words))
    }
}
