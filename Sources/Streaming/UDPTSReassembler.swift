/// Turns datagrams received by a gateway input into TS packets. Each datagram
/// is raw TS (a multiple of 188 bytes starting 0x47) or RTP with PT 33 whose
/// payload is TS (RFC 2250); the first byte tells them apart (0x47 is RTP
/// version 1, which does not exist). RTP sequence numbers are tracked after
/// RFC 3550 A.1: gaps are counted as lost datagrams, late or duplicate ones
/// are dropped (their slot was already counted lost and the stream moved on),
/// and a jump beyond 3000 is believed only when the next datagram confirms it
/// (a restarted sender). Every refused datagram is counted.
public struct UDPTSReassembler: Sendable {
    /// How a datagram carried its TS.
    public enum Framing: Equatable, Sendable {
        case rawTS
        case rtp(RTPHeader)
    }

    /// Why a datagram was refused.
    public enum Refusal: Equatable, Sendable {
        /// Neither raw TS nor RTP/TS; the string says what was wrong.
        case malformed(String)
        /// An RTP datagram older than the one expected (reordered or duplicated).
        case late(sequence: UInt16)
        /// An RTP sequence jump not yet confirmed by the next datagram.
        case unconfirmedJump(sequence: UInt16)
    }

    /// What one datagram gave.
    public enum Outcome: Equatable, Sendable {
        /// TS packets at `payload` (a multiple of 188 bytes) of the datagram.
        case packets(payload: Range<Int>, framing: Framing)
        case refused(Refusal)
    }

    /// Counters, named for what they count.
    public struct Counters: Equatable, Sendable {
        public var datagrams = 0
        public var rawTSDatagrams = 0
        public var rtpDatagrams = 0
        public var tsPackets = 0
        public var malformedDatagrams = 0
        /// Datagrams missing from the RTP sequence.
        public var lostDatagrams = 0
        /// Reordered or duplicate RTP datagrams, dropped.
        public var lateDatagrams = 0
        /// Sequence jumps accepted as a sender restart, and SSRC changes.
        public var sequenceResets = 0
        public var ssrcChanges = 0
    }

    /// RFC 3550 A.1 MAX_DROPOUT and MAX_MISORDER.
    static let maximumDropout: UInt16 = 3000
    static let maximumMisorder: UInt16 = 100

    public private(set) var counters = Counters()
    private var ssrc: UInt32?
    private var expectedSequence: UInt16 = 0
    private var confirmingSequence: UInt16?

    public init() {}

    /// Takes one received datagram.
    public mutating func accept(_ datagram: [UInt8]) -> Outcome {
        counters.datagrams += 1
        guard let first = datagram.first else { return malformed("empty datagram") }
        if first == TSPacket.syncByte {
            guard datagram.count % TSPacket.size == 0 else {
                return malformed("raw TS datagram of \(datagram.count) bytes is not a multiple of 188")
            }
            guard Self.syncBytesAligned(datagram, datagram.indices) else { return malformed("raw TS datagram lost sync") }
            counters.rawTSDatagrams += 1
            counters.tsPackets += datagram.count / TSPacket.size
            return .packets(payload: datagram.indices, framing: .rawTS)
        }
        let parsed: (header: RTPHeader, payload: Range<Int>)
        do { parsed = try RTPHeader.parse(datagram) } catch { return malformed(error.description) }
        let header = parsed.header, payload = parsed.payload
        guard header.payloadType == RTPPacketizer.payloadType else {
            return malformed("RTP payload type \(header.payloadType), expected 33 (MP2T)")
        }
        guard !payload.isEmpty, payload.count % TSPacket.size == 0 else {
            return malformed("RTP payload of \(payload.count) bytes is not whole TS packets")
        }
        guard Self.syncBytesAligned(datagram, payload) else { return malformed("RTP payload is not TS (no 0x47 sync)") }
        if let refusal = track(header) { return .refused(refusal) }
        counters.rtpDatagrams += 1
        counters.tsPackets += payload.count / TSPacket.size
        return .packets(payload: payload, framing: .rtp(header))
    }

    private mutating func track(_ header: RTPHeader) -> Refusal? {
        let sequence = header.sequenceNumber
        guard let known = ssrc, known == header.ssrc else {
            if ssrc != nil { counters.ssrcChanges += 1 }
            ssrc = header.ssrc
            expectedSequence = sequence &+ 1
            confirmingSequence = nil
            return nil
        }
        let delta = sequence &- expectedSequence
        if delta < Self.maximumDropout {
            counters.lostDatagrams += Int(delta)
            expectedSequence = sequence &+ 1
            confirmingSequence = nil
            return nil
        }
        if delta >= 0 &- Self.maximumMisorder {
            counters.lateDatagrams += 1
            return .late(sequence: sequence)
        }
        if confirmingSequence == sequence {
            counters.sequenceResets += 1
            expectedSequence = sequence &+ 1
            confirmingSequence = nil
            return nil
        }
        confirmingSequence = sequence &+ 1
        return .unconfirmedJump(sequence: sequence)
    }

    private mutating func malformed(_ why: String) -> Outcome {
        counters.malformedDatagrams += 1
        return .refused(.malformed(why))
    }

    private static func syncBytesAligned(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        stride(from: range.lowerBound, to: range.upperBound, by: TSPacket.size).allSatisfy { bytes[$0] == TSPacket.syncByte }
    }
}
