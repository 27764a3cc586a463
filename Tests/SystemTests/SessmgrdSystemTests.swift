import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import CApplianceSystem
import Configuration
import Foundation
import Glibc
import Sessmgr
import Streaming
import Testing

/// sessmgrd under procmon with the real configd: streams configured through
/// configd's `apply`, sent over loopback to a receiver in this process,
/// checked packet by packet and with ffprobe. One behaviour per test.
@Suite(.serialized) struct SessmgrdSystemTests {
    static let media = NSTemporaryDirectory() + "sessmgrd-test-media"

    static func manifest(extra: String = "") -> String {
        """
        [service configd]
        exec = {bin}/configd --foreground --root {root}
        user = appliance-config
        listen = control unix configd.sock
        pass-env = APPLIANCE_ADMIN_PASSWORD
        stable-after = 100ms
        restart-delay-max = 200ms

        [service shaper]
        exec = {bin}/sessmgrd --shaper --foreground --root {root}
        user = appliance-shaper
        capabilities = net_admin
        listen = control unix shaper.sock
        stable-after = 100ms
        restart-delay-max = 200ms

        [service sessmgrd]
        exec = {bin}/sessmgrd --foreground --root {root} --media-folder \(media)
        user = appliance-sessmgr
        listen = control unix sessmgrd.sock
        after = configd shaper
        realtime-priority = 10
        stable-after = 100ms
        restart-delay = 100ms
        restart-delay-max = 200ms
        start-limit = 1000
        \(extra)
        """
    }

    static func start(launcher: [String] = []) throws -> ProcmonHarness {
        let harness = try ProcmonHarness(manifest: manifest(), environment: ["APPLIANCE_ADMIN_PASSWORD": "Correct-Horse-Battery-9"],
                                         launcher: launcher)
        harness.waitUntil("sessmgrd running", timeout: .seconds(60)) { harness.running("sessmgrd") != nil }
        return harness
    }

    static func sessmgrd(_ harness: ProcmonHarness) -> ControlClient {
        ControlClient(paths: harness.paths, daemon: "sessmgrd", timeout: .seconds(10))
    }

    static func apply(_ harness: ProcmonHarness, _ commands: [String]) async throws {
        let client = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(30))
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: commands))
    }

    static func status(_ harness: ProcmonHarness, _ name: String) -> StreamStatus? {
        (try? sessmgrd(harness).callBlocking(SessmgrdMethod.Status.self, .init(name: name)))?.streams.first
    }

    static func mediaFolder() throws -> String {
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        chmod(media, 0o755)
        return media
    }

    /// Sequence numbers of consecutive datagrams, mod 2^16: each +1.
    static func sequenceBreaks(_ packets: [(header: RTPHeader, payload: [UInt8], at: UInt64)]) -> [(UInt16, UInt16)] {
        zip(packets, packets.dropFirst()).compactMap { a, b in b.header.sequenceNumber == a.header.sequenceNumber &+ 1 ? nil : (a.header.sequenceNumber, b.header.sequenceNumber) }
    }

    /// A configured ts-rtp stream reaches a loopback receiver as RFC 3550/2250
    /// RTP: PT 33, seven 188-byte TS packets per datagram, sequence +1 each,
    /// 90 kHz timestamps that follow the arrival times, one SSRC, RTCP sender
    /// reports on port+1 with that SSRC, a mean rate within 1% of the file's
    /// PCR rate; ffprobe finds H.264 and AAC in what arrived.
    @Test func rtpStreamReachesAReceiverPacedAndDecodable() async throws {
        let file = try TestMedia.make(in: Self.mediaFolder())
        let fileRate = try TestMedia.pcrBitrate(file)
        let port = StreamReceiver.freePortPair()
        let receiver = try StreamReceiver(port: port)
        let rtcp = try StreamReceiver(port: port + 1)
        defer { receiver.close(); rtcp.close() }
        let harness = try Self.start()
        defer { harness.stop() }
        try await Self.apply(harness, ["stream cam1 source file:\(file) destination rtp://127.0.0.1:\(port) autostart"])
        harness.waitUntil("datagrams arriving") { receiver.count > 10 }
        try await Task.sleep(for: .seconds(8))  // longer than the 6 s file: the loop point is crossed
        let packets = receiver.rtp
        #expect(packets.count > 500)
        #expect(packets.allSatisfy { $0.header.payloadType == 33 && $0.payload.count == 1316 })
        #expect(Set(packets.map(\.header.ssrc)).count == 1)
        #expect(Self.sequenceBreaks(packets).isEmpty, "sequence breaks: \(Self.sequenceBreaks(packets).prefix(5))")
        // 90 kHz: timestamps advance with arrival time (within 50 ms over the run), never backwards.
        let first = try #require(packets.first), last = try #require(packets.last)
        let timestampSeconds = Double(last.header.timestamp &- first.header.timestamp) / 90_000
        let arrivalSeconds = Double(last.at - first.at) / 1e9
        #expect(abs(timestampSeconds - arrivalSeconds) < 0.05, "timestamps span \(timestampSeconds) s, arrivals \(arrivalSeconds) s")
        #expect(zip(packets, packets.dropFirst()).allSatisfy { Int32(bitPattern: $1.header.timestamp &- $0.header.timestamp) >= 0 })
        // Mean rate of the TS carried, against the file's own PCR rate.
        let rate = Double((packets.count - 1) * 1316 * 8) / arrivalSeconds
        #expect(abs(rate - fileRate) / fileRate < 0.01, "sent \(rate) bit/s, the file's PCRs say \(fileRate)")
        // The TS packets are in sync and their continuity counters follow across the loop point.
        var counters: [UInt16: UInt8] = [:]
        var ccErrors = 0
        for packet in packets {
            for offset in stride(from: 0, to: 1316, by: 188) {
                let ts = try TSPacket(packet.payload, at: offset)
                guard ts.pid != TSPacket.nullPID else { continue }
                if let previous = counters[ts.pid], ts.hasPayload, ts.continuityCounter != (previous + 1) & 0x0F, !ts.discontinuity { ccErrors += 1 }
                counters[ts.pid] = ts.continuityCounter
            }
        }
        #expect(ccErrors == 0)
        // RTCP: sender reports (PT 200) from the same SSRC.
        let reports = rtcp.received.compactMap { try? RTCPCompoundPacket.decode($0.bytes) }
        #expect(!reports.isEmpty, "no RTCP sender report on port+1")
        for report in reports {
            guard case .senderReport(let sr) = report.packets.first else {
                Issue.record("RTCP compound does not start with an SR")
                continue
            }
            #expect(sr.ssrc == first.header.ssrc && sr.packetCount > 0)
        }
        // ffprobe identifies the programme in what arrived.
        let dump = harness.root + "/received.ts"
        FileManager.default.createFile(atPath: dump, contents: Data(packets.flatMap(\.payload)))
        let probe = TestMedia.run(["/usr/bin/ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", dump])
        #expect(probe.output.contains("h264") && probe.output.contains("aac"), "ffprobe: \(probe.output)")
        // Status agrees.
        let status = try #require(Self.status(harness, "cam1"))
        #expect(status.state == "streaming" && status.ssrc == first.header.ssrc)
        #expect(status.loopCount >= 1 && status.datagrams >= UInt64(packets.count) - 5)
        #expect(status.pacingErrorP99Microseconds != nil && status.rtcpSenderReports >= 1)
        #expect(abs(Double(status.sourceBitrate) - fileRate) / fileRate < 0.01)
        #expect(status.shaping == "off")
        harness.waitUntil("start audited") { harness.audit.events(kind: "stream-start").contains { $0.contains("cam1") } }
    }

    /// SIGKILL mid-stream: procmon restarts sessmgrd, which resumes from its
    /// checkpoint: the same SSRC, the sequence continuing with a gap no larger
    /// than the datagrams due during the outage, timestamps continuing.
    @Test func sigkillResumesWithTheSameSSRCAndSequence() async throws {
        let file = try TestMedia.make(in: Self.mediaFolder())
        let port = StreamReceiver.freePortPair()
        let receiver = try StreamReceiver(port: port)
        defer { receiver.close() }
        let harness = try Self.start()
        defer { harness.stop() }
        try await Self.apply(harness, ["stream cam1 source file:\(file) destination rtp://127.0.0.1:\(port) autostart"])
        harness.waitUntil("datagrams arriving") { receiver.count > 10 }
        try await Task.sleep(for: .seconds(2))
        let pid = try #require(harness.running("sessmgrd")?.pid)
        kill(pid, SIGKILL)
        let killedAt = receiver.received.last?.nanoseconds ?? 0
        harness.waitUntil("sessmgrd back") { (harness.running("sessmgrd")?.pid).map { $0 != pid } ?? false }
        try await Task.sleep(for: .seconds(2))
        let packets = receiver.rtp
        #expect(Set(packets.map(\.header.ssrc)).count == 1, "SSRC changed across the restart")
        let breaks = Self.sequenceBreaks(packets)
        #expect(breaks.count == 1, "expected one gap (the outage), found \(breaks)")
        if let gap = breaks.first {
            let index = try #require(packets.firstIndex { $0.header.sequenceNumber == gap.1 && $0.at > killedAt })
            let before = packets[index - 1], after = packets[index]
            let skipped = Int(gap.1 &- gap.0) - 1
            let outage = Double(after.at - before.at) / 1e9
            let rate = Double(packets.count * 1316 * 8) / (Double(packets.last!.at - packets.first!.at) / 1e9)
            let due = outage * rate / (1316 * 8)
            #expect(skipped >= 0 && Double(skipped) <= due + 2, "skipped \(skipped) datagrams over an outage of \(outage) s (\(due) due)")
            let timestampStep = Double(after.header.timestamp &- before.header.timestamp) / 90_000
            #expect(timestampStep > 0 && timestampStep <= outage + 0.1, "timestamps moved \(timestampStep) s over \(outage) s")
        }
        let status = try #require(Self.status(harness, "cam1"))
        #expect(status.resumed && status.state == "streaming")
    }

    /// Bad input: a file with garbage spliced in and cut mid-packet streams on
    /// with the damage counted; a file of pure garbage stops with a reason;
    /// a good stream beside them is unaffected.
    @Test func badFilesAreCountedAndOtherStreamsUnaffected() async throws {
        let folder = try Self.mediaFolder()
        let good = try TestMedia.make(in: folder)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: good)))
        var generator = SystemRandomNumberGenerator()
        let garbage = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes.insert(contentsOf: garbage, at: 188 * 1000 + 77)
        bytes.removeLast(100)
        let damaged = folder + "/damaged.ts", noise = folder + "/noise.ts"
        FileManager.default.createFile(atPath: damaged, contents: Data(bytes))
        FileManager.default.createFile(atPath: noise, contents: Data((0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }))
        chmod(damaged, 0o644)
        chmod(noise, 0o644)
        let goodPort = StreamReceiver.freePortPair(), damagedPort = goodPort + 2, noisePort = goodPort + 4
        let goodReceiver = try StreamReceiver(port: goodPort), damagedReceiver = try StreamReceiver(port: damagedPort)
        defer { goodReceiver.close(); damagedReceiver.close() }
        let harness = try Self.start()
        defer { harness.stop() }
        try await Self.apply(harness, [
            "stream good source file:\(good) destination rtp://127.0.0.1:\(goodPort) autostart",
            "stream damaged source file:\(damaged) destination rtp://127.0.0.1:\(damagedPort) autostart",
            "stream noise source file:\(noise) destination rtp://127.0.0.1:\(noisePort) autostart",
        ])
        harness.waitUntil("noise stream in error") { Self.status(harness, "noise")?.state == "error" }
        let noiseStatus = try #require(Self.status(harness, "noise"))
        #expect(noiseStatus.reason?.contains("no MPEG-TS packets") == true, "reason: \(noiseStatus.reason ?? "-")")
        harness.waitUntil("both other streams sending") { goodReceiver.count > 100 && damagedReceiver.count > 100 }
        let damagedStatus = try #require(Self.status(harness, "damaged"))
        #expect(damagedStatus.state == "streaming")
        #expect(damagedStatus.input.skippedBytes >= 4800 && damagedStatus.input.syncLosses >= 1)
        #expect(damagedStatus.input.truncatedBytes > 0)
        #expect(Self.status(harness, "good")?.state == "streaming")
        #expect(Self.sequenceBreaks(goodReceiver.rtp).isEmpty)
        harness.waitUntil("error audited") { harness.audit.events(kind: "stream-error").contains { $0.contains("noise") } }
        #expect(harness.running("sessmgrd") != nil)
    }

    /// Start and stop over the control socket; deleting the stream in configd stops it.
    /// The threads of one process, as (tid, rt_priority, policy) from
    /// /proc/PID/task/TID/stat (fields 40 and 41; policy 1 is SCHED_FIFO).
    static func threadPolicies(_ pid: Int32) -> [(tid: String, priority: Int, policy: Int)] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { tid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")  // fields[0] is field 3
            guard fields.count > 38, let priority = Int(fields[37]), let policy = Int(fields[38]) else { return nil }
            return (tid, priority, policy)
        }
    }

    /// `realtime-priority = 10`: sessmgrd holds no capability and no raised
    /// RLIMIT_RTPRIO, only RLIMIT_RTTIME 1 s; its stream's sending thread,
    /// and only it, runs under SCHED_FIFO 10, which procmon gave it on
    /// request (status and log say so). procmon refuses the same request
    /// from a process that is not the service, even for sessmgrd's own
    /// thread, and audits it; configd, without the key, has neither limit
    /// nor such thread.
    @Test(.enabled(if: getuid() == 0, "procmon needs CAP_SYS_NICE"))
    func theSendingThreadAloneRunsUnderSCHEDFIFOGivenByProcmon() async throws {
        let file = try TestMedia.make(in: Self.mediaFolder())
        let port = StreamReceiver.freePortPair()
        let receiver = try StreamReceiver(port: port)
        defer { receiver.close() }
        let harness = try Self.start()
        defer { harness.stop() }
        try await Self.apply(harness, ["stream cam1 source file:\(file) destination udp://127.0.0.1:\(port) autostart"])
        harness.waitUntil("datagrams arriving") { receiver.count > 10 }
        let pid = try #require(harness.running("sessmgrd")?.pid)
        func limit(_ pid: Int32, _ name: String) throws -> [Substring] {
            let limits = try String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)
            return try #require(limits.split(separator: "\n").first { $0.hasPrefix(name) }, "\(limits)").dropFirst(name.count).split(separator: " ")
        }
        #expect(try limit(pid, "Max realtime priority").prefix(2) == ["0", "0"])
        #expect(try limit(pid, "Max realtime timeout") == ["1000000", "1000000", "us"])
        #expect(procStatus(pid)["CapEff"] == "0000000000000000")
        let realtime = Self.threadPolicies(pid).filter { $0.policy != 0 }
        #expect(realtime.count == 1 && realtime.allSatisfy { $0.policy == 1 && $0.priority == 10 }, "sessmgrd's threads off SCHED_OTHER: \(realtime)")
        let status = try Self.sessmgrd(harness).callBlocking(SessmgrdMethod.Status.self, .init())
        #expect(status.pacingPriority == 10)
        #expect(harness.serviceLog("sessmgrd").contains("sending threads run under SCHED_FIFO at priority 10, given by procmon"))
        // Not a service: refused, whichever thread it names.
        let procmon = ControlClient(paths: harness.paths, daemon: "procmon", timeout: .seconds(10))
        let other = try #require(Self.threadPolicies(pid).first { $0.policy == 0 }).tid
        for thread in [Int32(other)!, appliance_thread_id()] {
            await #expect(throws: ControlError.self) { _ = try await procmon.call(RealtimeThreadMethod.self, .init(thread: thread)) }
        }
        #expect(Self.threadPolicies(pid).filter { $0.policy != 0 }.count == 1)
        harness.waitUntil("both refusals audited") { harness.audit.events(kind: "realtime-thread-refused").count >= 2 }
        let configd = try #require(harness.running("configd")?.pid)
        #expect(Self.threadPolicies(configd).allSatisfy { $0.policy == 0 })
        #expect(try limit(configd, "Max realtime timeout").first == "unlimited")
    }

    @Test func startStopAndDeleteThroughConfigd() async throws {
        let file = try TestMedia.make(in: Self.mediaFolder())
        let port = StreamReceiver.freePortPair()
        let receiver = try StreamReceiver(port: port)
        defer { receiver.close() }
        let harness = try Self.start()
        defer { harness.stop() }
        try await Self.apply(harness, ["stream cam1 source file:\(file) destination udp://127.0.0.1:\(port)"])
        let client = Self.sessmgrd(harness)
        harness.waitUntil("cam1 listed") { (try? client.callBlocking(SessmgrdMethod.List.self, .init()))?.streams.first?.name == "cam1" }
        #expect(Self.status(harness, "cam1")?.state == "stopped", "no autostart: stays stopped")
        _ = try await client.call(SessmgrdMethod.Start.self, .init(name: "cam1"))
        harness.waitUntil("ts-udp datagrams") { receiver.count > 20 }
        #expect(receiver.received.allSatisfy { $0.bytes.count == 1316 && $0.bytes[0] == 0x47 }, "ts-udp: raw TS, 7 packets")
        _ = try await client.call(SessmgrdMethod.Stop.self, .init(name: "cam1"))
        harness.waitUntil("cam1 stopped") { Self.status(harness, "cam1")?.state == "stopped" }
        let stoppedCount = receiver.count
        try await Task.sleep(for: .milliseconds(500))
        #expect(receiver.count == stoppedCount, "nothing sent after stop")
        #expect(Self.status(harness, "cam1")?.restarts == 0)
        let stopped = try #require(Self.status(harness, "cam1"))
        #expect(stopped.currentBitrate == 0 && stopped.datagrams > 20, "a stopped stream sends at 0 bit/s and keeps its totals")
        _ = try await client.call(SessmgrdMethod.Start.self, .init(name: "cam1"))
        harness.waitUntil("cam1 streaming again") { Self.status(harness, "cam1")?.state == "streaming" }
        #expect(Self.status(harness, "cam1")?.restarts == 1)
        await #expect(throws: ControlError.self) { _ = try await client.call(SessmgrdMethod.Start.self, .init(name: "nope")) }
        try await Self.apply(harness, ["no stream cam1"])
        harness.waitUntil("cam1 gone") { (try? client.callBlocking(SessmgrdMethod.List.self, .init()))?.streams.isEmpty == true }
        harness.waitUntil("stop audited") { !harness.audit.events(kind: "stream-stop").isEmpty }
    }

    /// As root: the role of the configd session a caller presents decides (a
    /// viewer reads but may not start; an operator starts and stops), a
    /// session configd does not know is refused, and the refusal is audited.
    @Test(.enabled(if: getuid() == 0, "needs root to create sessions as a front-end"))
    func sessionRolesDecideWhoStartsAndStops() async throws {
        let file = try TestMedia.make(in: Self.mediaFolder())
        let port = StreamReceiver.freePortPair()
        let harness = try Self.start()
        defer { harness.stop() }
        try await Self.apply(harness, ["stream cam1 source file:\(file) destination udp://127.0.0.1:\(port)",
                                       "account val role viewer", "account otto role operator"])
        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(30))
        var sessions: [String: String] = [:]
        for (name, password) in [("val", "Viewer-Horse-Battery-7"), ("otto", "Operator-Horse-Battery-8")] {
            _ = try await configd.call(ConfigdMethod.SetPassword.self, .init(account: name, newPassword: password))
            let login = try await configd.call(ConfigdMethod.Authenticate.self, .init(name: name, password: password, origin: .init(channel: "web", peer: "192.0.2.9")))
            sessions[name] = try #require(login.session)
        }
        let client = Self.sessmgrd(harness)
        harness.waitUntil("cam1 listed") { (try? client.callBlocking(SessmgrdMethod.List.self, .init()))?.streams.count == 1 }
        let read = try await client.call(SessmgrdMethod.Status.self, .init(session: sessions["val"]))
        #expect(read.streams.first?.name == "cam1")
        do {
            _ = try await client.call(SessmgrdMethod.Start.self, .init(name: "cam1", session: sessions["val"]))
            Issue.record("a viewer started a stream")
        } catch {
            #expect(error.code == .permissionDenied)
        }
        do {
            _ = try await client.call(SessmgrdMethod.Start.self, .init(name: "cam1", session: String(repeating: "ab", count: 32)))
            Issue.record("an unknown session started a stream")
        } catch {
            #expect(error.code == .permissionDenied)
        }
        #expect(Self.status(harness, "cam1")?.state == "stopped")
        harness.waitUntil("refusals audited") { harness.audit.events(kind: "control-refused").filter { $0.contains("sessmgrd") }.count >= 2 }
        _ = try await client.call(SessmgrdMethod.Start.self, .init(name: "cam1", session: sessions["otto"]))
        harness.waitUntil("cam1 streaming") { Self.status(harness, "cam1")?.state == "streaming" }
        _ = try await client.call(SessmgrdMethod.Stop.self, .init(name: "cam1", session: sessions["otto"]))
        harness.waitUntil("cam1 stopped") { Self.status(harness, "cam1")?.state == "stopped" }
        harness.waitUntil("operator's start audited") { harness.audit.events(kind: "stream-start-request").contains { $0.contains("otto") } }
    }

    /// The gateway case: a stream whose source is TS on UDP (here another
    /// stream of the same sessmgrd) is re-sent as RTP, paced by the input's
    /// PCRs; when the input stops, the stream reports source-lost, and it
    /// streams again when the input returns.
    @Test func udpInputIsRelayedAndItsLossReported() async throws {
        let file = try TestMedia.make(in: Self.mediaFolder())
        let input = StreamReceiver.freePortPair(), output = input + 2
        let receiver = try StreamReceiver(port: output)
        defer { receiver.close() }
        let harness = try Self.start()
        defer { harness.stop() }
        try await Self.apply(harness, [
            "stream feed source file:\(file) destination udp://127.0.0.1:\(input) autostart",
            "stream gw source udp://127.0.0.1:\(input) destination rtp://127.0.0.1:\(output) autostart",
        ])
        harness.waitUntil("relayed datagrams") { receiver.count > 200 }
        let packets = receiver.rtp
        #expect(packets.allSatisfy { $0.header.payloadType == 33 && $0.payload.count == 1316 })
        #expect(Self.sequenceBreaks(packets).isEmpty)
        let gw = try #require(Self.status(harness, "gw"))
        #expect(gw.state == "streaming" && gw.inputDatagrams > 100 && gw.inputMalformedDatagrams == 0)
        #expect(gw.sourceBitrate > 900_000 && gw.sourceBitrate < 1_100_000, "the input's PCR rate: \(gw.sourceBitrate)")
        let client = Self.sessmgrd(harness)
        _ = try await client.call(SessmgrdMethod.Stop.self, .init(name: "feed"))
        harness.waitUntil("gw source-lost") { Self.status(harness, "gw")?.state == "source-lost" }
        _ = try await client.call(SessmgrdMethod.Start.self, .init(name: "feed"))
        harness.waitUntil("gw streaming again") { Self.status(harness, "gw")?.state == "streaming" }
        let after = Self.status(harness, "gw")
        #expect((after?.sourceLosses ?? 0) == 1, "\(String(describing: after))")
        harness.waitUntil("loss audited") { !harness.audit.events(kind: "stream-source-lost").isEmpty }
    }
}
