/// A stream's clock recovered from its PCRs: the 27 MHz send time of any
/// packet, by linear interpolation between the PCRs around it (ISO/IEC
/// 13818-1 §2.4.2.2: bytes between PCRs arrive at a constant rate), or by
/// extrapolation at the last measured rate (the last two PCRs) beyond the
/// last one. Jumps are judged against the mean rate of the PCRs kept.
///
/// Times are on a continuous, unwrapped timeline that starts at the first PCR
/// seen: the 33-bit wrap (every ~26.5 h) and PCR jumps are bridged, so the
/// pacer never bursts or stalls. A jump is returned from `observe` for the
/// caller to report.
public struct PCRClock: Sendable {
    /// One PCR on the unwrapped timeline.
    public struct Observation: Equatable, Sendable {
        public var packetIndex: UInt64
        public var time: UInt64
    }

    /// 100 ms: how far a PCR may run ahead of the byte-rate prediction before it is
    /// a jump (the PCR interval limit of §2.7.2, so no legal stream trips it).
    public static let defaultJumpTolerance: UInt64 = 2_700_000

    /// ISO/IEC 13818-1 §2.7.2: PCRs at most 0.1 s apart. Before a rate is
    /// measured, a larger first step (plus the tolerance) is a jump.
    public static let maximumPCRInterval: UInt64 = 2_700_000

    /// How far ahead of prediction a PCR may be before it counts as a jump.
    public let jumpTolerance: UInt64
    /// Observations kept for interpolation, oldest first.
    public private(set) var observations: [Observation] = []
    /// Most observations kept; older ones are dropped first.
    public let capacity: Int
    /// The time given to the first PCR. Packets before it are timed backwards
    /// from it, down to 0 (earlier ones are due at 0).
    public let origin: UInt64
    private var lastRaw: UInt64 = 0

    /// - Parameters:
    ///   - jumpTolerance: 27 MHz ticks a PCR may exceed the prediction by.
    ///   - capacity: observations kept (at least 2).
    ///   - origin: the time of the first PCR on the timeline; leave room
    ///     (e.g. 1 s) for the packets a file or relay has before its first PCR.
    public init(jumpTolerance: UInt64 = PCRClock.defaultJumpTolerance, capacity: Int = 64, origin: UInt64 = 0) {
        self.origin = origin
        self.jumpTolerance = jumpTolerance
        self.capacity = max(2, capacity)
        observations.reserveCapacity(self.capacity)
    }

    /// Takes the PCR carried by packet `packetIndex` (indices increase along
    /// the stream). Returns the jump if the PCR breaks the timeline.
    @discardableResult
    public mutating func observe(packetIndex: UInt64, pcr: UInt64, discontinuity: Bool = false) -> PCRJump? {
        let raw = pcr % MediaClock.pcrModulus
        guard let last = observations.last else {
            lastRaw = raw
            append(Observation(packetIndex: packetIndex, time: origin))
            return nil
        }
        guard packetIndex > last.packetIndex else { return nil }  // a repeat or out of order: ignore
        defer { lastRaw = raw }
        let advance = MediaClock.forwardDistance(from: lastRaw, to: raw, modulus: MediaClock.pcrModulus)
        let backwards = advance == 0 || advance > MediaClock.pcrModulus / 2
        let predicted = predictedAdvance(to: packetIndex)
        var kind: PCRJump.Kind?
        if discontinuity {
            kind = .signalled
        } else if backwards {
            kind = .backwards
        } else if advance > (predicted.measured ? predicted.ticks : PCRClock.maximumPCRInterval) + jumpTolerance {
            kind = .forward
        }
        guard let kind else {
            append(Observation(packetIndex: packetIndex, time: last.time + advance))
            return nil
        }
        let signedAdvance = backwards ? -Int64(MediaClock.pcrModulus - advance) : Int64(advance)
        let jump = PCRJump(kind: kind, packetIndex: packetIndex, received: raw,
                           error: signedAdvance - Int64(predicted.ticks))
        // Bridge: continue at the predicted time. With no rate yet there is
        // nothing to predict from, so the timeline restarts at this PCR.
        if predicted.measured {
            append(Observation(packetIndex: packetIndex, time: last.time + predicted.ticks))
        } else {
            observations.removeAll(keepingCapacity: true)
            append(Observation(packetIndex: packetIndex, time: last.time))
        }
        return jump
    }

    /// The 27 MHz send time of packet `packetIndex`, or nil until two PCRs
    /// give a rate.
    public func sendTime(ofPacket packetIndex: UInt64) -> UInt64? {
        guard observations.count >= 2 else { return nil }
        // Find the pair around the packet; beyond either end use the end pair.
        var upper = observations.count - 1
        if packetIndex < observations[upper].packetIndex {
            var low = 1, high = upper
            while low < high {
                let middle = (low + high) / 2
                if observations[middle].packetIndex > packetIndex { high = middle } else { low = middle + 1 }
            }
            upper = low
        }
        let a = observations[upper - 1], b = observations[upper]
        let ticks = b.time - a.time, packets = b.packetIndex - a.packetIndex
        if packetIndex >= a.packetIndex {
            guard let step = MediaClock.scale(packetIndex - a.packetIndex, by: ticks, over: packets) else { return nil }
            return a.time.addingReportingOverflow(step).overflow ? nil : a.time + step
        }
        guard let back = MediaClock.scale(a.packetIndex - packetIndex, by: ticks, over: packets) else { return nil }
        return back <= a.time ? a.time - back : 0
    }

    /// The mean bitrate (bits/s) over the observations kept, or nil until two PCRs.
    public var bitrate: UInt64? {
        guard let first = observations.first, let last = observations.last, last.time > first.time else { return nil }
        let bits = (last.packetIndex - first.packetIndex) * UInt64(TSPacket.size * 8)
        return MediaClock.scale(bits, by: MediaClock.systemClockHz, over: last.time - first.time)
    }

    /// Drops observations no longer needed to time packets at or after
    /// `packetIndex`, keeping the pair that surrounds it.
    public mutating func forget(before packetIndex: UInt64) {
        var drop = 0
        while observations.count - drop > 2, observations[drop + 1].packetIndex <= packetIndex { drop += 1 }
        if drop > 0 { observations.removeFirst(drop) }
    }

    private mutating func append(_ observation: Observation) {
        if observations.count == capacity { observations.removeFirst() }
        observations.append(observation)
    }

    /// Ticks from the last PCR to `packetIndex` at the mean rate of the
    /// observations kept: one late or early PCR then barely moves the
    /// prediction the next PCR is judged by.
    private func predictedAdvance(to packetIndex: UInt64) -> (ticks: UInt64, measured: Bool) {
        guard observations.count >= 2, let a = observations.first, let b = observations.last else { return (0, false) }
        let ticks = MediaClock.scale(packetIndex - b.packetIndex, by: b.time - a.time, over: b.packetIndex - a.packetIndex)
        return (ticks ?? 0, true)
    }
}
