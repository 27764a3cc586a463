#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a checkpoint file cannot be used.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not JSON, or JSON missing or mistyping a field.
    case unreadable(String)
    /// Written by a version of the daemon this one does not understand.
    case unsupportedVersion(Int)
    /// The fields are inconsistent (e.g. a source offset not on a packet boundary).
    case invalid(String)

    public var description: String {
        switch self {
        case .unreadable(let why): "checkpoint unreadable: \(why)"
        case .unsupportedVersion(let version):
            "checkpoint version \(version) is not supported (this daemon reads \(StreamCheckpoint.currentVersion))"
        case .invalid(let why): "checkpoint invalid: \(why)"
        }
    }
}

/// What `sessmgrd` writes for each running stream so that after a crash or
/// SIGKILL it resumes the same RTP session (docs/DESIGN.md, "Checkpoints every 200 ms": persistent state
/// for stateful restart): receivers keep the SSRC (RFC 3550 §8: a new SSRC
/// looks like a new source), see sequence numbers continue with a gap equal
/// to what was missed, and timestamps continue at 90 kHz.
public struct StreamCheckpoint: Codable, Equatable, Sendable {
    /// The record layout this daemon writes and reads.
    public static let currentVersion = 1

    /// A PID and its continuity-counter shift per loop pass (see `LoopContinuity`).
    public struct ContinuityShift: Codable, Equatable, Sendable {
        public var pid: UInt16
        public var shift: UInt8
        public init(pid: UInt16, shift: UInt8) {
            self.pid = pid
            self.shift = shift
        }
    }

    /// Layout version (`currentVersion`).
    public var version: Int
    /// The stream's configured name.
    public var stream: String
    /// RTP synchronization source.
    public var ssrc: UInt32
    /// Sequence number of the next datagram.
    public var nextSequence: UInt16
    /// RTP timestamp = base + stream time / 300.
    public var rtpTimestampBase: UInt32
    /// RFC 3550 §6.4.1 counts, which continue with the SSRC.
    public var senderPacketCount: UInt32
    public var senderOctetCount: UInt32
    /// Byte offset in the source file of the next datagram's first packet (multiple of 188; 0 for a relay).
    public var sourceOffset: UInt64
    /// Completed passes over the file.
    public var loopCount: UInt64
    /// CLOCK_REALTIME (ns since 1970) when the checkpoint was taken: a
    /// restarted process has a new monotonic clock, the real-time clock survives.
    public var wallClockNanoseconds: UInt64
    /// The stream time (27 MHz, on the pacer's timeline) due at that instant:
    /// the send time of the next datagram.
    public var streamTime: UInt64
    /// Measured stream bitrate (bits/s) at the checkpoint: converts an outage
    /// to the datagrams it held.
    public var bitrate: UInt64
    /// TS packets per datagram in use.
    public var packetsPerDatagram: Int
    /// The loop splice: per-PID CC shift per pass and the PCR offset per pass
    /// (27 MHz). A resumed daemon re-analyses the file; if these differ the
    /// file changed and it starts the file afresh (same SSRC and sequence).
    public var continuityShifts: [ContinuityShift]
    public var loopDuration: UInt64

    public init(stream: String, ssrc: UInt32, nextSequence: UInt16, rtpTimestampBase: UInt32,
                senderPacketCount: UInt32 = 0, senderOctetCount: UInt32 = 0, sourceOffset: UInt64, loopCount: UInt64,
                wallClockNanoseconds: UInt64, streamTime: UInt64, bitrate: UInt64,
                packetsPerDatagram: Int = DatagramSizing.standardPacketsPerDatagram,
                continuityShifts: [ContinuityShift] = [], loopDuration: UInt64 = 0) {
        version = Self.currentVersion
        self.stream = stream
        self.ssrc = ssrc
        self.nextSequence = nextSequence
        self.rtpTimestampBase = rtpTimestampBase
        self.senderPacketCount = senderPacketCount
        self.senderOctetCount = senderOctetCount
        self.sourceOffset = sourceOffset
        self.loopCount = loopCount
        self.wallClockNanoseconds = wallClockNanoseconds
        self.streamTime = streamTime
        self.bitrate = bitrate
        self.packetsPerDatagram = packetsPerDatagram
        self.continuityShifts = continuityShifts
        self.loopDuration = loopDuration
    }

    /// The checkpoint as JSON (sorted keys, so equal checkpoints give equal bytes).
    public func encodedJSON() throws(CheckpointError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { return Array(try encoder.encode(self)) } catch { throw .invalid("\(error)") }
    }

    /// Reads and validates a checkpoint written by `encodedJSON`.
    public static func decode(json bytes: [UInt8]) throws(CheckpointError) -> StreamCheckpoint {
        struct VersionProbe: Decodable { var version: Int }
        let data = Data(bytes)
        let probe: VersionProbe
        do { probe = try JSONDecoder().decode(VersionProbe.self, from: data) } catch {
            throw .unreadable("no version field in valid JSON")
        }
        guard probe.version == currentVersion else { throw .unsupportedVersion(probe.version) }
        let checkpoint: StreamCheckpoint
        do { checkpoint = try JSONDecoder().decode(StreamCheckpoint.self, from: data) } catch {
            throw .unreadable(Self.describe(error))
        }
        try checkpoint.validate()
        return checkpoint
    }

    /// Checks what the types alone do not.
    public func validate() throws(CheckpointError) {
        guard !stream.isEmpty else { throw .invalid("empty stream name") }
        guard sourceOffset % UInt64(TSPacket.size) == 0 else {
            throw .invalid("source offset \(sourceOffset) is not a multiple of 188")
        }
        guard (1...DatagramSizing.standardPacketsPerDatagram).contains(packetsPerDatagram) else {
            throw .invalid("packets per datagram \(packetsPerDatagram) is not 1-7")
        }
        guard bitrate <= 100_000_000_000 else { throw .invalid("bitrate \(bitrate) bit/s is implausible") }
        guard streamTime < 1 << 62, loopDuration < MediaClock.pcrModulus else { throw .invalid("stream time out of range") }
        for entry in continuityShifts where entry.pid >= TSPacket.nullPID || entry.shift > 15 {
            throw .invalid("continuity shift \(entry.shift) for PID \(entry.pid) is out of range")
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "not valid JSON" }
        switch decoding {
        case .keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not valid JSON" : "bad value at \(path)"
        @unknown default: return "not valid JSON"
        }
    }
}
