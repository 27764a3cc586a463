import Foundation
import Testing
@testable import Streaming

/// A real multiplexer's output: ffmpeg's mpegts muxer at a constant 1 Mbit/s
/// (H.264 + AAC, 2 s). ffmpeg is required, not optional: `make test` installs
/// it, and this test fails saying so when it is missing.
@Suite struct FFmpegStreamTests {
    static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Generates the stream into a fresh temporary folder and returns its packets.
    static func generateStream() throws -> [UInt8]? {
        guard let ffmpeg = executable(named: "ffmpeg") else {
            Issue.record("ffmpeg is required on PATH for this test: apt-get install -y ffmpeg (make test installs it)")
            return nil
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("streaming-ffmpeg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.ts")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg)
        process.arguments = ["-hide_banner", "-nostdin", "-loglevel", "error", "-y",
                             "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
                             "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000", "-t", "2",
                             "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "500k",
                             "-c:a", "aac", "-b:a", "64k", "-muxrate", "1000k", "-f", "mpegts", output.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Issue.record("ffmpeg failed (\(process.terminationStatus)): \(String(decoding: message, as: UTF8.self))")
            return nil
        }
        return Array(try Data(contentsOf: output))
    }

    @Test func anFFmpegCBRStreamYieldsItsProgramPCRsAndAboutOneMegabit() throws {
        guard let bytes = try Self.generateStream() else { return }
        #expect(bytes.count % 188 == 0)
        let count = bytes.count / 188
        #expect(count > 1000)  // 2 s at 1 Mbit/s ≈ 1330 packets

        var pat: ProgramAssociationTable?
        var pmt: ProgramMapTable?
        var clock = PCRClock()
        var jumps: [PCRJump] = []
        var pesHeaders = 0
        var checker = ContinuityChecker()
        for index in 0..<count {
            let offset = index * 188
            let packet = try TSPacket(bytes, at: offset)
            checker.check(packet)
            if packet.pid == 0, packet.payloadUnitStart, pat == nil { pat = try ProgramAssociationTable(packet: bytes, at: offset) }
            if let pmtPID = pat?.programs.first?.pmtPID, packet.pid == pmtPID, packet.payloadUnitStart, pmt == nil {
                pmt = try ProgramMapTable(packet: bytes, at: offset)
            }
            if let pcrPID = pmt?.pcrPID, packet.pid == pcrPID, let pcr = packet.pcr,
               let jump = clock.observe(packetIndex: UInt64(index), pcr: pcr, discontinuity: packet.discontinuity) {
                jumps.append(jump)
            }
            if let pmt, pmt.streams.contains(where: { $0.pid == packet.pid }), try PESTimestamps.locate(in: bytes, at: offset) != nil {
                pesHeaders += 1
            }
        }
        let program = try #require(pat?.programs.first)
        #expect(program.programNumber == 1)
        let map = try #require(pmt)
        #expect(Set(map.streams.map(\.streamType)) == [0x1B, 0x0F])  // H.264 and AAC (ADTS)
        #expect(map.streams.contains { $0.pid == map.pcrPID })
        #expect(jumps.isEmpty)
        #expect(checker.errors.isEmpty)
        #expect(pesHeaders > 50)  // 50 video frames and the audio PES packets
        let bitrate = try #require(clock.bitrate)
        #expect(abs(Int64(bitrate) - 1_000_000) < 20_000, "measured \(bitrate) bit/s")
    }

    /// The same stream looped three times: no CC error, and its PCRs read as one
    /// clock with no jump at either loop point.
    @Test func anFFmpegStreamLoopsWithoutCCErrorsOrPCRJumps() throws {
        guard let bytes = try Self.generateStream() else { return }
        let count = bytes.count / 188
        var analyzer = LoopAnalyzer()
        for index in 0..<count { try analyzer.observe(bytes, at: index * 188) }
        let splice = try analyzer.finish()
        // Two seconds, give or take a PCR interval.
        #expect((50_400_000...57_600_000).contains(splice.loopDuration), "loop duration \(splice.loopDuration)")
        var checker = ContinuityChecker()
        var clock = PCRClock()
        var jumps: [PCRJump] = []
        var buffer = bytes
        for loop in UInt64(0)..<3 {
            buffer = bytes
            for index in 0..<count {
                #expect(try splice.rewrite(&buffer, at: index * 188, loop: loop) == nil)
                let packet = try TSPacket(buffer, at: index * 188)
                checker.check(packet)
                if packet.pid == analyzer.pcrPID, let pcr = packet.pcr,
                   let jump = clock.observe(packetIndex: loop * UInt64(count) + UInt64(index), pcr: pcr) {
                    jumps.append(jump)
                }
            }
        }
        #expect(checker.errors.isEmpty, "CC errors: \(checker.errors.prefix(5))")
        #expect(jumps.isEmpty, "jumps: \(jumps)")
    }
}
