/// Splices a looped file onto itself so a decoder sees one continuous stream:
/// continuity counters continue per PID across the loop point (no CC error,
/// ISO/IEC 13818-1 §2.4.3.3) and PCR, PTS and DTS keep increasing (no time
/// base discontinuity, §2.4.3.5), wrapping at 2^33 × 300 and 2^33.
///
/// The rewrite is a pure function of the packet and the loop number: pass
/// `n` adds `n × loopDuration` to the clocks and `n × shift(PID)` (mod 16) to
/// the counter, where the shift makes the first packet of a PID in pass n+1
/// follow its last packet of pass n. A resumed stream needs only the loop
/// number and file position. Null packets (PID 0x1FFF) pass unchanged.
public struct LoopContinuity: Equatable, Sendable {
    /// What each pass adds to PCR (27 MHz); a multiple of 300, so PTS/DTS get
    /// exactly `loopDuration / 300`.
    public let loopDuration: UInt64
    /// Per-PID continuity counter shift per pass, indexed by PID (8192 entries).
    private let shiftTable: [UInt8]

    init(loopDuration: UInt64, shiftTable: [UInt8]) {
        self.loopDuration = loopDuration
        self.shiftTable = shiftTable
    }

    /// Rebuilds a splice from its recorded parts (e.g. a checkpoint).
    /// `loopDuration` is rounded down to a multiple of 300.
    public init(loopDuration: UInt64, continuityShifts: [UInt16: UInt8]) {
        var table = [UInt8](repeating: 0, count: 8192)
        for (pid, shift) in continuityShifts where pid < TSPacket.nullPID { table[Int(pid)] = shift & 0x0F }
        self.loopDuration = loopDuration % MediaClock.pcrModulus / 300 * 300
        shiftTable = table
    }

    /// The non-zero per-PID counter shifts per pass (for checkpoints and diagnostics).
    public var continuityShifts: [UInt16: UInt8] {
        var shifts: [UInt16: UInt8] = [:]
        for pid in 0..<8192 where shiftTable[pid] != 0 { shifts[UInt16(pid)] = shiftTable[pid] }
        return shifts
    }

    /// The PCR offset of pass `loop` (27 MHz, modulo 2^33 × 300).
    public func pcrOffset(loop: UInt64) -> UInt64 {
        MediaClock.multiplyModulo(loop, loopDuration, MediaClock.pcrModulus)
    }

    /// Rewrites, in place, the packet at `offset` as it must be sent in pass
    /// `loop` (0 is the file as is). A malformed packet throws before anything
    /// changes. A PES header whose timestamps cannot be read is not an error
    /// of the packet: CC and PCR are still rewritten, the timestamps are left,
    /// and the problem is returned for the caller to count.
    @discardableResult
    public func rewrite(_ bytes: inout [UInt8], at offset: Int = 0, loop: UInt64) throws(TSPacketError) -> PESError? {
        let packet = try TSPacket(bytes, at: offset)
        guard loop > 0, packet.pid != TSPacket.nullPID else { return nil }
        let shift = UInt8(truncatingIfNeeded: UInt64(shiftTable[Int(packet.pid)]) &* loop) & 0x0F
        if shift != 0 {
            bytes[offset + 3] = (bytes[offset + 3] & 0xF0) | ((packet.continuityCounter &+ shift) & 0x0F)
        }
        let pcrShift = pcrOffset(loop: loop)
        if let pcr = packet.pcr {
            ProgramClockReference.write((pcr + pcrShift) % MediaClock.pcrModulus, into: &bytes,
                                        at: offset + AdaptationField.pcrOffset)
        }
        if packet.payloadUnitStart {
            do { try PESTimestamps.shift(by: pcrShift / 300, in: &bytes, at: offset) } catch { return error }
        }
        return nil
    }
}
