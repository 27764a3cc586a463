@testable import Streaming

/// Builds TS packets and small streams by hand, field by field, so tests state
/// their vectors in the standard's own terms.
enum SyntheticTS {
    /// One 188-byte packet. An adaptation field is added when a PCR or the
    /// discontinuity indicator is asked for or the payload is short (stuffing).
    static func packet(pid: UInt16, cc: UInt8, pusi: Bool = false, pcr: UInt64? = nil, discontinuity: Bool = false,
                       payload: [UInt8] = []) -> [UInt8] {
        precondition(payload.count <= 184)
        var bytes: [UInt8] = [0x47, (pusi ? 0x40 : 0) | UInt8(pid >> 8), UInt8(pid & 0xFF), 0]
        let needsField = pcr != nil || discontinuity || payload.count < 184
        let control: UInt8 = needsField ? (payload.isEmpty ? 0x20 : 0x30) : 0x10
        bytes[3] = control | (cc & 0x0F)
        if needsField {
            let length = 183 - payload.count
            bytes.append(UInt8(length))
            if length > 0 {
                bytes.append((discontinuity ? 0x80 : 0) | (pcr != nil ? 0x10 : 0))
                if let pcr { bytes += ProgramClockReference.encode(pcr) }
                while bytes.count < 5 + length { bytes.append(0xFF) }
            }
        }
        bytes += payload
        precondition(bytes.count == 188)
        return bytes
    }

    /// A PES header (ISO/IEC 13818-1 §2.4.3.6) with PTS and optional DTS, then filler bytes.
    static func pes(streamID: UInt8 = 0xE0, pts: UInt64, dts: UInt64? = nil, payloadBytes: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 1, streamID, 0, 0, 0x80, dts == nil ? 0x80 : 0xC0, dts == nil ? 5 : 10]
        bytes += PESTimestamps.encodeField(pts, prefix: dts == nil ? 0x2 : 0x3)
        if let dts { bytes += PESTimestamps.encodeField(dts, prefix: 0x1) }
        bytes += [UInt8](repeating: 0xAA, count: payloadBytes)
        return bytes
    }

    /// A PSI payload: pointer_field 0, the section, 0xFF stuffing to the end of the packet.
    static func psi(_ section: [UInt8]) -> [UInt8] {
        [0] + section + [UInt8](repeating: 0xFF, count: 183 - section.count)
    }

    static let videoPID: UInt16 = 0x101
    static let audioPID: UInt16 = 0x102
    static let adaptationOnlyPID: UInt16 = 0x103
    static let pmtPID: UInt16 = 0x100

    /// A constant-bitrate program: PAT/PMT every 50 packets, video (PCR every
    /// 10 packets, PES with PTS/DTS every 20), audio PES with PTS every 25,
    /// adaptation-only packets on their own PID, null packets. PCR of packet i
    /// is `startPCR + i × ticksPerPacket`; counters start at odd values.
    static func cbrProgram(packets count: Int, startPCR: UInt64, ticksPerPacket: UInt64) -> [[UInt8]] {
        var counters: [UInt16: UInt8] = [0: 3, pmtPID: 9, videoPID: 14, audioPID: 7, adaptationOnlyPID: 5]
        func next(_ pid: UInt16) -> UInt8 {
            let value = counters[pid, default: 0]
            counters[pid] = (value + 1) & 0x0F
            return value
        }
        let pat = ProgramAssociationTable(transportStreamID: 1, programs: [.init(programNumber: 1, pmtPID: pmtPID)])
        let pmt = ProgramMapTable(programNumber: 1, pcrPID: videoPID, streams: [
            .init(streamType: 0x1B, pid: videoPID), .init(streamType: 0x0F, pid: audioPID),
        ])
        var out: [[UInt8]] = []
        for i in 0..<count {
            let time = (startPCR + UInt64(i) * ticksPerPacket) % MediaClock.pcrModulus
            let pts90k = (time / 300 + 45_000) % MediaClock.timestampModulus  // 0.5 s presentation delay
            switch i % 50 {
            case 0: out.append(packet(pid: 0, cc: next(0), pusi: true, payload: psi(pat.encoded())))
            case 1: out.append(packet(pid: pmtPID, cc: next(pmtPID), pusi: true, payload: psi(pmt.encoded())))
            default:
                if i % 10 == 2 {
                    out.append(packet(pid: videoPID, cc: next(videoPID), pcr: time, payload: [UInt8](repeating: 0x11, count: 100)))
                } else if i % 20 == 3 {
                    out.append(packet(pid: videoPID, cc: next(videoPID), pusi: true,
                                      payload: pes(pts: pts90k, dts: (pts90k + MediaClock.timestampModulus - 3600) % MediaClock.timestampModulus, payloadBytes: 150)))
                } else if i % 25 == 4 {
                    out.append(packet(pid: audioPID, cc: next(audioPID), pusi: true, payload: pes(streamID: 0xC0, pts: pts90k, payloadBytes: 160)))
                } else if i % 25 == 5 {
                    out.append(packet(pid: adaptationOnlyPID, cc: counters[adaptationOnlyPID, default: 0]))
                } else if i % 7 == 6 {
                    out.append(packet(pid: TSPacket.nullPID, cc: 0, payload: [UInt8](repeating: 0xFF, count: 184)))
                } else {
                    out.append(packet(pid: videoPID, cc: next(videoPID), payload: [UInt8](repeating: 0x22, count: 184)))
                }
            }
        }
        return out
    }
}

/// What a decoder checks of continuity counters (ISO/IEC 13818-1 §2.4.3.3):
/// +1 per packet with payload, unchanged without; null packets ignored.
struct ContinuityChecker {
    private var last: [UInt16: UInt8] = [:]
    private(set) var errors: [(index: Int, pid: UInt16, expected: UInt8, found: UInt8)] = []
    private var index = 0

    mutating func check(_ packet: TSPacket) {
        defer { index += 1 }
        guard packet.pid != TSPacket.nullPID else { return }
        if let previous = last[packet.pid] {
            let expected = packet.hasPayload ? (previous + 1) & 0x0F : previous
            if packet.continuityCounter != expected {
                errors.append((index, packet.pid, expected, packet.continuityCounter))
            }
        }
        last[packet.pid] = packet.continuityCounter
    }
}
