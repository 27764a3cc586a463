/// Why a file cannot be looped seamlessly.
public enum LoopError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No packets were observed.
    case empty
    /// Fewer than two PCRs on the PCR PID: the file's duration cannot be measured.
    case notEnoughPCRs(found: Int)
    /// The PCRs span no time (all equal, or only on one packet).
    case zeroDuration

    public var description: String {
        switch self {
        case .empty: "the file holds no TS packets"
        case .notEnoughPCRs(let found): "the file holds \(found) PCR(s); two are needed to measure its duration"
        case .zeroDuration: "the file's PCRs span no time"
        }
    }
}

/// The first pass over a file that will be played in a loop: it learns what
/// `LoopContinuity` needs to splice the end of the file onto its start.
///
/// Per PID it keeps the first and last continuity counter (and whether the
/// first packet carries payload); for the PCR PID the first and last PCR and
/// their packet indices. A PCR discontinuity inside the file is not handled:
/// the span is taken as first-to-last.
public struct LoopAnalyzer: Sendable {
    /// The PCR PID, or nil to take the first PID seen carrying a PCR.
    public private(set) var pcrPID: UInt16?
    /// Packets observed.
    public private(set) var packetCount: UInt64 = 0
    private var firstCounter: [UInt8]  // 0xFF: PID not seen; bit 0x10: first packet had payload
    private var lastCounter: [UInt8]
    private var firstPCR: (index: UInt64, value: UInt64)?
    private var lastPCR: (index: UInt64, value: UInt64)?
    private var pcrCount = 0

    public init(pcrPID: UInt16? = nil) {
        self.pcrPID = pcrPID
        firstCounter = [UInt8](repeating: 0xFF, count: 8192)
        lastCounter = [UInt8](repeating: 0, count: 8192)
    }

    /// Takes the next packet of the file, in order.
    public mutating func observe(_ bytes: [UInt8], at offset: Int = 0) throws(TSPacketError) {
        let packet = try TSPacket(bytes, at: offset)
        let pid = Int(packet.pid)
        if firstCounter[pid] == 0xFF {
            firstCounter[pid] = packet.continuityCounter | (packet.hasPayload ? 0x10 : 0)
        }
        lastCounter[pid] = packet.continuityCounter
        if let pcr = packet.pcr, pcrPID == nil || pcrPID == packet.pid {
            pcrPID = packet.pid
            if firstPCR == nil { firstPCR = (packetCount, pcr) }
            lastPCR = (packetCount, pcr)
            pcrCount += 1
        }
        packetCount += 1
    }

    /// The splice for this file.
    ///
    /// Each loop adds the file's duration to PCR/PTS/DTS: the PCR span
    /// measured from the first pass, scaled to the whole file's packet count,
    /// `packetCount × (lastPCR − firstPCR) / (lastIndex − firstIndex)`. For a
    /// file cut just before a PCR packet that is the PCR span plus one PCR
    /// interval; in general it keeps the byte rate across the loop point, so
    /// the pacer sees no jump. It is rounded to a multiple of 300 so PCR and
    /// PTS/DTS move by exactly the same time.
    public func finish() throws(LoopError) -> LoopContinuity {
        guard packetCount > 0 else { throw .empty }
        guard let firstPCR, let lastPCR, pcrCount >= 2, lastPCR.index > firstPCR.index else {
            throw .notEnoughPCRs(found: pcrCount)
        }
        let span = MediaClock.forwardDistance(from: firstPCR.value, to: lastPCR.value, modulus: MediaClock.pcrModulus)
        guard span > 0, let duration = MediaClock.scale(packetCount, by: span, over: lastPCR.index - firstPCR.index)
        else { throw .zeroDuration }
        let rounded = (duration + 150) / 300 * 300
        guard rounded > 0 else { throw .zeroDuration }
        var shifts = [UInt8](repeating: 0, count: 8192)
        for pid in 0..<8191 where firstCounter[pid] != 0xFF {
            let first = firstCounter[pid] & 0x0F
            let increment: UInt8 = firstCounter[pid] & 0x10 != 0 ? 1 : 0
            shifts[pid] = (lastCounter[pid] &+ increment &- first) & 0x0F
        }
        return LoopContinuity(loopDuration: rounded % MediaClock.pcrModulus, shiftTable: shifts)
    }
}
