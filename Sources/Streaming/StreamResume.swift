/// Where a stream picks up after a restart, computed from its checkpoint and
/// the time now, as if it had kept running and its datagrams had been lost:
/// the receiver sees a sequence gap of exactly the datagrams due during the
/// outage, timestamps that advanced with them, and the file position they
/// would have consumed.
///
/// The outage is converted at the checkpoint's measured bitrate into whole
/// datagrams, rounded down, so the gap is never larger than what was due and
/// the first resumed datagram is due at most one datagram's time before now.
public struct StreamResume: Equatable, Sendable {
    public var ssrc: UInt32
    /// Sequence number of the first datagram sent after the restart.
    public var nextSequence: UInt16
    /// RTP timestamp of that datagram (use `RTPPacketizer.timestampBase(continuing:atStreamTime:)`
    /// to map it onto the new process's clock).
    public var rtpTimestamp: UInt32
    /// The same base on the checkpoint's timeline.
    public var rtpTimestampBase: UInt32
    public var senderPacketCount: UInt32
    public var senderOctetCount: UInt32
    /// Byte offset to read the file from (multiple of 188, below the file size).
    public var sourceOffset: UInt64
    /// Completed passes over the file at that offset.
    public var loopCount: UInt64
    /// Stream time (27 MHz) of that datagram on the checkpoint's timeline.
    public var streamTime: UInt64
    /// CLOCK_REALTIME ns at which that datagram was due (≤ now).
    public var dueWallClockNanoseconds: UInt64
    /// Datagrams skipped: the sequence gap receivers see.
    public var skippedDatagrams: UInt64
    /// Wall-clock nanoseconds between the checkpoint and now (0 if the clock stepped back).
    public var outageNanoseconds: UInt64

    /// - Parameters:
    ///   - checkpoint: the last checkpoint written.
    ///   - now: CLOCK_REALTIME ns now.
    ///   - fileSize: the source file's size in bytes, nil for a network source.
    public init(from checkpoint: StreamCheckpoint, now: UInt64, fileSize: UInt64?) {
        let outage = now > checkpoint.wallClockNanoseconds ? now - checkpoint.wallClockNanoseconds : 0
        let packetBits = UInt64(TSPacket.size * 8)
        let perDatagram = UInt64(max(1, checkpoint.packetsPerDatagram))
        // Every product goes through full-width arithmetic: a checkpoint is
        // input read from disk, and absurd values must not trap.
        var datagrams: UInt64 = 0
        var ticks: UInt64 = 0
        if checkpoint.bitrate > 0,
           let packets = MediaClock.scale(outage, by: checkpoint.bitrate, over: 1_000_000_000 * packetBits),
           let duration = MediaClock.scale(packets / perDatagram * perDatagram, by: packetBits * MediaClock.systemClockHz,
                                           over: checkpoint.bitrate) {
            datagrams = packets / perDatagram
            ticks = duration
        }
        ssrc = checkpoint.ssrc
        skippedDatagrams = datagrams
        outageNanoseconds = outage
        nextSequence = checkpoint.nextSequence &+ UInt16(truncatingIfNeeded: datagrams)
        rtpTimestampBase = checkpoint.rtpTimestampBase
        streamTime = checkpoint.streamTime &+ ticks
        rtpTimestamp = checkpoint.rtpTimestampBase &+ UInt32(truncatingIfNeeded: streamTime / MediaClock.ticksPerTimestampUnit)
        senderPacketCount = checkpoint.senderPacketCount
        senderOctetCount = checkpoint.senderOctetCount
        dueWallClockNanoseconds = checkpoint.wallClockNanoseconds &+ MediaClock.nanoseconds(fromTicks: ticks)
        let packetsInFile = (fileSize ?? 0) / UInt64(TSPacket.size)
        if packetsInFile > 0 {
            let position = checkpoint.sourceOffset / UInt64(TSPacket.size) % packetsInFile &+ datagrams * perDatagram
            sourceOffset = position % packetsInFile * UInt64(TSPacket.size)
            loopCount = checkpoint.loopCount &+ position / packetsInFile
        } else {
            sourceOffset = checkpoint.sourceOffset
            loopCount = checkpoint.loopCount
        }
    }
}
