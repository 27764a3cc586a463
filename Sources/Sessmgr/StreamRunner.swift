import ApplianceProtocol
import CApplianceSystem
import Configuration
import Glibc
import Streaming
import Synchronization

/// What one run of a stream needs to know.
public struct StreamPlan: Sendable {
    public var config: StreamConfig
    /// A checkpoint to continue from (after a restart), if any.
    public var resume: StreamCheckpoint?
    /// File sources: play in a loop (the daemon) or once (`--play`).
    public var loops: Bool
    /// The RTCP CNAME (RFC 3550 §6.5.1).
    public var cname: String
    /// Where file sources are read from.
    public var media: MediaFolder
    /// Called first on the sending thread: asks for its real-time priority
    /// (procmon's realtime-thread) and returns it, 0 when refused or not asked.
    public var prioritize: (@Sendable () -> Int)?

    public init(config: StreamConfig, media: MediaFolder, resume: StreamCheckpoint? = nil, loops: Bool = true, cname: String = "sessmgrd",
                prioritize: (@Sendable () -> Int)? = nil) {
        self.config = config
        self.prioritize = prioritize
        self.media = media
        self.resume = resume
        self.loops = loops
        self.cname = cname
    }
}

/// What the sending thread shares with the rest of the daemon: a stop flag,
/// the latest status (published every 100 ms, not per datagram) and the
/// latest checkpoint (written by the checkpoint writer, off this thread).
public final class StreamChannel: Sendable {
    let stopRequested = Atomic<Bool>(false)
    let status: Mutex<StreamStatus>
    let checkpoint = Mutex<StreamCheckpoint?>(nil)
    /// The source's bitrate once known (for shaping), 0 before.
    let sourceBitrate = Atomic<UInt64>(0)
    /// The local UDP port the stream leaves from (the shaping filter matches it), 0 before.
    let sourcePort = Atomic<UInt16>(0)

    public init(status: StreamStatus) { self.status = Mutex(status) }

    public func requestStop() { stopRequested.store(true, ordering: .relaxed) }
    public var isStopRequested: Bool { stopRequested.load(ordering: .relaxed) }
    public var currentStatus: StreamStatus { status.withLock { $0 } }
    public var bitrate: UInt64 { sourceBitrate.load(ordering: .relaxed) }
    public var port: UInt16 { sourcePort.load(ordering: .relaxed) }
    /// The newest checkpoint, taken (nil until the next one is made).
    public func takeCheckpoint() -> StreamCheckpoint? { checkpoint.withLock { value in defer { value = nil }; return value } }
}

/// The sending thread of one stream: reads the source, learns its clock from
/// the PCRs, cuts 7-packet datagrams, sleeps until each one's moment on an
/// absolute deadline, stamps RTP, sends, and reports RTCP, status and
/// checkpoints. It never throws: every failure becomes `.failed(reason)`.
public enum StreamRunner {
    /// How long after the start the first datagram is due (file sources), and
    /// the jitter buffer of network sources.
    static let fileStartDelay: UInt64 = 20_000_000
    static let networkLatency: UInt64 = 150_000_000
    /// Packets read ahead at most while waiting for the next PCR (ISO/IEC
    /// 13818-1 allows 100 ms between PCRs; this is seconds of any real stream).
    static let lookaheadLimit = 20_000

    /// The SCHED_FIFO priority the last sending thread was given (0: normal scheduling).
    public static let pacingPriority = Atomic<Int>(0)

    public static func run(_ plan: StreamPlan, channel: StreamChannel, report: @escaping @Sendable (StreamLifecycle.Event) -> Void) {
        _ = appliance_set_timer_slack(1)
        // Ahead of every ordinary thread of the machine (webd, configd's
        // hashes, a shell's work): the thread sleeps until each datagram's
        // time, and a wake-up that waits for a busy core is a late packet.
        pacingPriority.store(plan.prioritize?() ?? 0, ordering: .relaxed)
        var session = Session(plan: plan, channel: channel, report: report)
        session.run()
        report(.ended)
    }

    struct Session {
        let plan: StreamPlan
        let channel: StreamChannel
        let report: @Sendable (StreamLifecycle.Event) -> Void
        var status: StreamStatus
        var rng = SystemRandomNumberGenerator()

        init(plan: StreamPlan, channel: StreamChannel, report: @escaping @Sendable (StreamLifecycle.Event) -> Void) {
            self.plan = plan
            self.channel = channel
            self.report = report
            status = channel.currentStatus
        }

        mutating func publish() {
            let snapshot = status
            channel.status.withLock { current in
                // The manager owns state, reason, restarts and shaping; the thread owns the counters.
                var merged = snapshot
                merged.state = current.state
                merged.reason = current.reason
                merged.restarts = current.restarts
                merged.shaping = current.shaping
                current = merged
            }
        }

        mutating func fail(_ reason: String) {
            publish()
            report(.failed(reason))
        }

        mutating func run() {
            let config = plan.config
            let rtp = config.effectiveEncapsulation == .tsRTP
            // The source.
            var fileSource: FileSource?
            var networkSource: NetworkSource?
            var resume: StreamResume?
            var knownBitrate: UInt64 = 0
            switch config.source {
            case .file(let path):
                do {
                    var file = try FileSource(path: path, media: plan.media, loops: plan.loops)
                    status.input = file.inputCounters
                    if let checkpoint = plan.resume {
                        let resumed = StreamResume(from: checkpoint, now: SenderClock.realtime(),
                                                   fileSize: file.packetCount * UInt64(TSPacket.size))
                        file.seek(offset: resumed.sourceOffset, loop: resumed.loopCount)
                        resume = resumed
                    }
                    knownBitrate = file.bitrate
                    fileSource = file
                } catch {
                    return fail(error.description)
                }
            case .network(let address):
                do { networkSource = try NetworkSource(address, interface: nil) } catch { return fail(error.description) }
                if let checkpoint = plan.resume {
                    resume = StreamResume(from: checkpoint, now: SenderClock.realtime(), fileSize: nil)
                }
            }
            status.sourceBitrate = knownBitrate
            channel.sourceBitrate.store(knownBitrate, ordering: .relaxed)
            status.resumed = resume != nil
            // The outputs.
            let destination = config.destination
            let output: UDPOutput
            var rtcp: UDPOutput?
            do {
                output = try UDPOutput(to: destination.host, port: destination.port, ttl: config.ttl, tos: config.tos,
                                       interface: config.outputInterface)
                if rtp, destination.port < 65535 {
                    rtcp = try UDPOutput(to: destination.host, port: destination.port + 1, ttl: config.ttl, tos: config.tos,
                                         interface: config.outputInterface)
                }
            } catch {
                return fail("output \(destination): \(error)")
            }
            channel.sourcePort.store(output.localPort, ordering: .relaxed)
            var packetizer: RTPPacketizer
            if let resume {
                // One more than the checkpoint's: a datagram may have left between the checkpoint and the crash.
                packetizer = RTPPacketizer(ssrc: resume.ssrc, nextSequence: resume.nextSequence &+ 1,
                                           timestampBase: resume.rtpTimestampBase,
                                           packetCount: resume.senderPacketCount, octetCount: resume.senderOctetCount)
            } else {
                packetizer = RTPPacketizer(using: &rng)
            }
            if rtp {
                status.ssrc = packetizer.ssrc
                status.nextSequence = packetizer.nextSequence
            }
            let perDatagram = DatagramSizing.packetsPerDatagram(
                mtu: config.mtu, ipHeaderSize: destination.host.family == .ipv4 ? DatagramSizing.ipv4HeaderSize : DatagramSizing.ipv6HeaderSize,
                rtp: rtp)
            var assembler = DatagramAssembler(packetsPerDatagram: perDatagram, headerRoom: rtp ? RTPHeader.size : 0)
            let baseStreamTime = resume?.streamTime ?? 0

            var clock: PCRClock?
            var window: [UInt8] = []
            window.reserveCapacity(StreamRunner.lookaheadLimit * TSPacket.size / 8)
            var windowStart: UInt64 = 0  // local index of the window's first packet
            var meter = BitrateMeter()
            var mdi = MediaDeliveryIndex(mediaRate: knownBitrate)
            var loss = SourceLossDetector(timeout: 1_000_000_000)
            let started = SenderClock.now()
            _ = loss.received(at: started)
            // Every timing decision; this loop only reads the clock, sleeps and sends.
            var scheduler = DatagramScheduler(startDelay: fileSource != nil ? StreamRunner.fileStartDelay : StreamRunner.networkLatency,
                                              now: started)
            var averageRTCPSize = 80.0
            var sending = false
            var lastPCR: (index: UInt64, value: UInt64)?
            var pcrIntervalTicks = 0.0
            var pcrJitterTicks = 0.0
            var lastSendTime: UInt64 = 0
            var ended = false
            let ticksPerDatagram = knownBitrate > 0
                ? MediaClock.scale(UInt64(perDatagram * TSPacket.size * 8), by: MediaClock.systemClockHz, over: knownBitrate) ?? 0 : 0
            let ticksPerPacket = ticksPerDatagram / UInt64(perDatagram)

            // Observes the packets appended to the window since `from` (window byte offset).
            func observe(from: Int, to: Int, clock: inout PCRClock?, status: inout StreamStatus, mdi: inout MediaDeliveryIndex) {
                var offset = from
                while offset < to {
                    let index = windowStart + UInt64(offset / TSPacket.size)
                    if let packet = try? TSPacket(window, at: offset) {
                        mdi.observe(packet)
                        if let pcr = packet.pcr {
                            if clock == nil {
                                clock = PCRClock(origin: baseStreamTime &+ index &* ticksPerPacket)
                            }
                            if let jump = clock!.observe(packetIndex: index, pcr: pcr, discontinuity: packet.discontinuity) {
                                status.pcrJumps += 1
                                _ = jump
                            } else if let last = lastPCR, index > last.index {
                                let advance = Double(MediaClock.forwardDistance(from: last.value, to: pcr, modulus: MediaClock.pcrModulus))
                                pcrIntervalTicks = pcrIntervalTicks == 0 ? advance : pcrIntervalTicks + (advance - pcrIntervalTicks) / 16
                                if let rate = clock!.bitrate, rate > 0 {
                                    let expected = Double(index - last.index) * Double(TSPacket.size * 8) * 27e6 / Double(rate)
                                    pcrJitterTicks += (abs(advance - expected) - pcrJitterTicks) / 16
                                }
                            }
                            lastPCR = (index, pcr)
                        }
                    }
                    offset += TSPacket.size
                }
            }

            while !channel.isStopRequested {
                // 1. Fill the window until the next datagram's first packet lies between two PCRs.
                filling: while !channel.isStopRequested {
                    switch DatagramScheduler.lookahead(packets: window.count / TSPacket.size, perDatagram: perDatagram, clock: clock,
                                                       firstPacket: windowStart, limit: StreamRunner.lookaheadLimit) {
                    case .read: break
                    case .cut: break filling
                    case .unpaceable: return fail("no PCR in \(StreamRunner.lookaheadLimit) packets: the source cannot be paced")
                    }
                    let before = window.count
                    let result: SourceRead
                    // A file is read a datagram's worth at a time; a network input, one datagram as it came.
                    if fileSource != nil { result = fileSource!.read(into: &window, limit: 1) } else { result = networkSource!.read(into: &window, limit: 64) }
                    let now = SenderClock.now()
                    switch result {
                    case .packets(let count):
                        if count > 0 {
                            observe(from: before, to: window.count, clock: &clock, status: &status, mdi: &mdi)
                            if case .recovered = loss.received(at: now) {
                                scheduler.restart()
                                publish()  // counters agree with the state the report sets
                                report(.sending)
                            }
                        }
                    case .idle:
                        if case .lost = loss.check(at: now) {
                            status.sourceLosses += 1
                            refreshInputCounters(fileSource, networkSource)
                            publish()
                            report(.sourceLost)
                            // Start over when it returns: its clock and position are unknown.
                            window.removeAll(keepingCapacity: true)
                            clock = nil
                            lastPCR = nil
                            scheduler.restart()
                            windowStart += 1_000_000
                        }
                        if scheduler.publishDue(at: now) {
                            refreshInputCounters(fileSource, networkSource)
                            publish()
                        }
                    case .end:
                        ended = true
                    }
                    if ended { break }
                }
                if channel.isStopRequested { break }
                // 2. Cut the datagram.
                let available = window.count / TSPacket.size
                if available == 0 { break }
                let count = min(perDatagram, available)
                var datagram: Datagram?
                // The datagram is due when its first packet is (RFC 2250 §2: it leaves when its first byte would).
                let time = clock?.sendTime(ofPacket: windowStart) ?? lastSendTime
                for packet in 0..<count {
                    let index = windowStart + UInt64(packet)
                    datagram = (try? assembler.append(window, at: packet * TSPacket.size, index: index, sendTime: time)) ?? datagram
                }
                if datagram == nil { datagram = assembler.flush() }
                window.removeFirst(count * TSPacket.size)
                windowStart += UInt64(count)
                clock?.forget(before: windowStart)
                guard var datagram else { continue }
                lastSendTime = datagram.sendTime
                if let rate = clock?.bitrate, knownBitrate == 0 || fileSource == nil {
                    status.sourceBitrate = rate
                    channel.sourceBitrate.store(rate, ordering: .relaxed)
                    if mdi.mediaRate == 0 || fileSource == nil { mdi.mediaRate = rate }
                }
                // 3. Wait for its moment.
                var now = SenderClock.now()
                let due = scheduler.due(streamTime: datagram.sendTime, now: now)
                if due.reanchored { status.scheduleResets += 1 }
                while let wake = scheduler.wake(before: due.deadline, now: now), !channel.isStopRequested {
                    SenderClock.sleep(until: wake)
                    now = SenderClock.now()
                }
                if channel.isStopRequested { break }
                SenderClock.sleep(until: due.deadline)
                // 4. Send.
                if rtp { packetizer.stamp(&datagram) }
                now = SenderClock.now()
                scheduler.sent(deadline: due.deadline, at: now)
                if output.send(datagram.bytes) != 0 { status.sendErrors += 1 }
                status.datagrams += 1
                status.bytes += UInt64(datagram.bytes.count)
                meter.record(bytes: datagram.payloadSize, atNanoseconds: now)
                mdi.record(bytes: datagram.payloadSize, atNanoseconds: now)
                if !sending {
                    sending = true
                    report(.sending)
                }
                // 5. RTCP sender reports on port+1 (RFC 3550 §6.2, §6.4.1).
                if let rtcp, let turn = scheduler.rtcpTurn(at: now) {
                    if case .report(let streamTime) = turn {
                        let report = RTCPSenderReport(
                            ssrc: packetizer.ssrc, ntpTimestamp: NTPTimestamp(unixNanoseconds: SenderClock.realtime()),
                            rtpTimestamp: packetizer.timestamp(forStreamTime: streamTime),
                            packetCount: packetizer.packetCount, octetCount: packetizer.octetCount)
                        let bytes = RTCPCompoundPacket.senderReport(report, cname: plan.cname)
                        if rtcp.send(bytes) == 0 { status.rtcpSenderReports += 1 }
                        averageRTCPSize = RTCPInterval.updatedAverageSize(averageRTCPSize, packetSize: bytes.count + 28)
                    }
                    let bandwidth = max(status.sourceBitrate, 1_000_000)
                    scheduler.rtcpScheduled(at: now + RTCPInterval.nanoseconds(sessionBandwidth: bandwidth, averageRTCPSize: averageRTCPSize,
                                                                               initial: turn == .first, using: &rng))
                }
                // 6. Checkpoint, status, MDI.
                let nextTime = datagram.sendTime &+ ticksPerDatagram
                if let lead = scheduler.checkpointDue(at: now, nextStreamTime: nextTime) {
                    let wall = SenderClock.realtime() &+ lead
                    var offset: UInt64 = 0, loop: UInt64 = 0
                    if let fileSource {
                        let position = fileSource.position
                        let behind = UInt64(window.count / TSPacket.size)
                        let global = (position.loop &* fileSource.packetCount &+ position.offset / UInt64(TSPacket.size)) &- behind
                        offset = global % fileSource.packetCount * UInt64(TSPacket.size)
                        loop = global / fileSource.packetCount
                    }
                    let continuity = fileSource?.continuity
                    let checkpoint = StreamCheckpoint(
                        stream: config.name, ssrc: packetizer.ssrc, nextSequence: packetizer.nextSequence,
                        rtpTimestampBase: packetizer.timestampBase, senderPacketCount: packetizer.packetCount,
                        senderOctetCount: packetizer.octetCount, sourceOffset: offset, loopCount: loop,
                        wallClockNanoseconds: wall, streamTime: nextTime, bitrate: status.sourceBitrate,
                        packetsPerDatagram: perDatagram,
                        continuityShifts: (continuity?.continuityShifts ?? [:]).sorted { $0.key < $1.key }
                            .map { StreamCheckpoint.ContinuityShift(pid: $0.key, shift: $0.value) },
                        loopDuration: continuity?.loopDuration ?? 0)
                    channel.checkpoint.withLock { $0 = checkpoint }
                    status.sourceOffset = offset
                    status.loopCount = loop
                }
                if scheduler.mdiDue(at: now) {
                    if let reading = mdi.closeInterval(atNanoseconds: now) {
                        status.mdiDelayFactorMilliseconds = reading.delayFactorMilliseconds
                        status.mdiMediaLossRate = reading.mediaLossRate
                        status.mdi = formatMDI(reading)
                    }
                }
                if scheduler.publishDue(at: now) {
                    status.nextSequence = rtp ? packetizer.nextSequence : nil
                    status.currentBitrate = meter.current
                    status.averageBitrate = meter.average(atNanoseconds: now)
                    status.pacingErrorP50Microseconds = scheduler.pacingError.quantile(0.5)
                    status.pacingErrorP99Microseconds = scheduler.pacingError.quantile(0.99)
                    status.pacingErrorMaxMicroseconds = scheduler.pacingError.maximumMicroseconds
                    status.pcrIntervalMilliseconds = pcrIntervalTicks / 27_000
                    status.pcrJitterMicroseconds = pcrJitterTicks / 27
                    if let fileSource, !plan.loops { status.loopCount = fileSource.position.loop }
                    refreshInputCounters(fileSource, networkSource)
                    publish()
                }
                if ended && window.isEmpty { break }
            }
            status.nextSequence = rtp ? packetizer.nextSequence : nil
            status.pacingErrorP50Microseconds = scheduler.pacingError.quantile(0.5)
            status.pacingErrorP99Microseconds = scheduler.pacingError.quantile(0.99)
            status.pacingErrorMaxMicroseconds = scheduler.pacingError.maximumMicroseconds
            status.averageBitrate = meter.average(atNanoseconds: SenderClock.now())
            refreshInputCounters(fileSource, networkSource)
            publish()
        }

        mutating func refreshInputCounters(_ file: FileSource?, _ network: NetworkSource?) {
            if let file {
                status.input = file.inputCounters
            } else if let network {
                status.input = network.inputCounters
                let counters = network.reassembler.counters
                status.inputDatagrams = UInt64(counters.datagrams)
                status.inputMalformedDatagrams = UInt64(counters.malformedDatagrams)
                status.inputLostDatagrams = UInt64(counters.lostDatagrams)
                status.inputLateDatagrams = UInt64(counters.lateDatagrams)
            }
        }
    }

    static func formatMDI(_ reading: MediaDeliveryIndex.Reading) -> String {
        let df = (reading.delayFactorMilliseconds * 100).rounded() / 100
        let whole = Int(df), hundredths = Int(((df - Double(whole)) * 100).rounded())
        let mlr = (reading.mediaLossRate * 10).rounded() / 10
        let mlrText = mlr == mlr.rounded() ? String(Int(mlr)) : String(mlr)
        return "\(whole).\(hundredths < 10 ? "0" : "")\(hundredths):\(mlrText)"
    }
}
