import ApplianceProtocol
import ApplianceCore
import CApplianceSystem
import Configuration
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS


/// Forwards the journal to one collector over TLS (RFC 5425), following it
/// from a persisted cursor. Everything it does runs on its event loop.
///
/// Delivery is judged from the kernel, not assumed: after writing a batch the
/// forwarder notes where the batch's ciphertext ends in the TCP stream, and
/// a batch counts as acknowledged once `SIOCOUTQ` shows every byte up to there
/// acknowledged by the collector's TCP. An acknowledged batch still waits
/// `grace` before it is confirmed (the collector may have it in its socket
/// buffer or an in-memory queue, which a crash loses). When the connection
/// breaks, everything after the confirmed cursor is sent again: a collector
/// restart or crash loses nothing; it may see duplicates, which are counted.
final class Forwarder: @unchecked Sendable {
    struct Tuning: Sendable {
        var grace: TimeAmount = .seconds(3)
        var window = 8 << 20
        var batchRecords = 512
        var batchBytes = 256 * 1024
        var backoffFirst: TimeAmount = .milliseconds(250)
        var backoffMax: TimeAmount = .seconds(30)
        var connectTimeoutMilliseconds: Int32 = 10_000
    }

    private enum State {
        case stopped
        case waiting(Scheduled<Void>, until: NIODeadline)
        case connecting(attempt: UInt64)
        case connected(Connection)
    }

    private final class Connection {
        let channel: Channel
        let fd: Int32
        let counter: CipherCounter
        var handshakeDone = false
        init(channel: Channel, fd: Int32, counter: CipherCounter) {
            self.channel = channel
            self.fd = fd
            self.counter = counter
        }
    }

    let destination: SyslogDestination
    let eventLoop: EventLoop
    private let journal: AuditJournal
    private let cursorPath: String
    private let tuning: Tuning
    private let report: @Sendable (AuditEvent) -> Void
    private let tls: Result<ForwardTLS, ForwardTLS.SetupError>
    private let note = ForwardTLS.VerificationNote()

    private var state = State.stopped
    private var reader: JournalReader
    /// In-flight batches, acknowledgements, grace and the cursor.
    private var window: DeliveryWindow
    private var attempts: UInt64 = 0
    private var backoff: TimeAmount
    private var ticker: RepeatedTask?
    private var wakePending = false
    /// `pump` is running: a writability change inside its flush must not
    /// start a second one (batches would enter the window out of order).
    private var pumping = false
    private var pumpAgain = false
    /// The last failure reported as an event; the same failure again is not repeated.
    private var reportedFailure: String?
    private var status: DestinationStatus

    init(destination: SyslogDestination, journal: AuditJournal, eventLoop: EventLoop, stateFolder: String,
         startSequence: UInt64, tuning: Tuning = Tuning(), report: @escaping @Sendable (AuditEvent) -> Void) {
        self.destination = destination
        self.journal = journal
        self.eventLoop = eventLoop
        self.tuning = tuning
        self.report = report
        cursorPath = stateFolder + "/" + Self.fileName(destination) + ".cursor"
        let saved = (try? AtomicFile.read(cursorPath, limit: 4096)).flatMap { $0 }.flatMap { try? JSONDecoder().decode(ForwardCursor.self, from: Data($0)) }
        let cursor = saved ?? ForwardCursor(confirmed: startSequence - 1, highestSent: startSequence - 1)
        window = DeliveryWindow(cursor: cursor, saved: saved, grace: UInt64(max(0, tuning.grace.nanoseconds)),
                                limit: UInt64(tuning.window), now: NIODeadline.now().uptimeNanoseconds)
        reader = JournalReader(journal: journal, from: window.resumeSequence)
        backoff = tuning.backoffFirst
        do {
            tls = .success(try ForwardTLS(destination: destination))
        } catch {
            tls = .failure(error)
        }
        status = DestinationStatus(destination: destination.label, state: "stopped", backlog: 0, confirmedSequence: cursor.confirmed,
                                   sent: 0, resent: 0, lostToRetention: 0, connections: 0)
        // A new destination's starting point is written at once: an auditd
        // killed before the first confirmation must resume from it, not from
        // wherever the journal has got to by then.
        if saved == nil { saveCursor(force: true) }
    }

    /// `host_port`, safe as a file name.
    static func fileName(_ destination: SyslogDestination) -> String {
        String("\(destination.host)_\(destination.port)".map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "_" })
    }

    // MARK: - Control (any thread)

    func start() {
        eventLoop.execute { self.connect() }
    }

    /// Closes the connection and saves the cursor; no more attempts.
    func stop() -> EventLoopFuture<Void> {
        eventLoop.submit {
            let current = self.state
            self.state = .stopped
            self.ticker?.cancel()
            self.ticker = nil
            switch current {
            case .waiting(let scheduled, _): scheduled.cancel()
            case .connected(let connection): connection.channel.close(promise: nil)
            case .connecting, .stopped: break
            }
            self.saveCursor(force: true)
        }
    }

    /// New events were committed: send them soon. Coalesced.
    func wake() {
        eventLoop.execute {
            guard !self.wakePending else { return }
            self.wakePending = true
            self.eventLoop.execute {
                self.wakePending = false
                self.pump()
            }
        }
    }

    func currentStatus() -> EventLoopFuture<DestinationStatus> {
        eventLoop.submit {
            var status = self.status
            let newest = self.journal.nextSequence - 1
            let confirmed = self.window.cursor.confirmed
            status.backlog = newest > confirmed ? newest - confirmed : 0
            status.confirmedSequence = confirmed
            switch self.state {
            case .stopped: status.state = "stopped"
            case .connecting: status.state = "connecting"
            case .connected(let connection): status.state = connection.handshakeDone ? "connected" : "connecting"
            case .waiting(_, let until):
                status.state = "waiting"
                status.retryInSeconds = Double(max(0, (until - .now()).nanoseconds)) / 1e9
            }
            return status
        }
    }

    // MARK: - Connecting

    private func connect() {
        guard case .stopped = state else { return }
        let tls: ForwardTLS
        switch self.tls {
        case .success(let ready): tls = ready
        case .failure(let error):
            failed(error.description, kind: "forward-tls-setup-failed", severity: .error)
            return
        }
        attempts += 1
        let attempt = attempts
        state = .connecting(attempt: attempt)
        let host = "\(destination.host)", port = destination.port, timeout = tuning.connectTimeoutMilliseconds
        DedicatedThread.start(name: "audit-connect") {
            let outcome = Self.connectSocket(host: host, port: port, timeoutMilliseconds: timeout)
            self.eventLoop.execute { self.connected(outcome, attempt: attempt, tls: tls) }
        }
    }

    private func connected(_ outcome: Result<Int32, ForwardTLS.SetupError>, attempt: UInt64, tls: ForwardTLS) {
        guard case .connecting(let current) = state, current == attempt else {
            if case .success(let fd) = outcome { close(fd) }
            return
        }
        let fd: Int32
        switch outcome {
        case .failure(let error):
            state = .stopped
            failed(error.description, kind: "forward-unreachable", severity: .warning)
            return
        case .success(let connected): fd = connected
        }
        let counter = CipherCounter()
        let note = self.note
        // The state changes in the initializer, on this loop, before the
        // channel can see any event: every end of it reaches `connectionLost`.
        let bootstrap = ClientBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let tlsHandler = try tls.handler(note: note)
                    try channel.pipeline.syncOperations.addHandlers([counter, tlsHandler, ForwarderHandler(forwarder: self)])
                    self.state = .connected(Connection(channel: channel, fd: fd, counter: counter))
                    self.window.connectionOpened()
                }
            }
        // No close(fd) on failure: once NIO has made a channel of it, NIO
        // closes it, and closing it again could close a descriptor reused since.
        bootstrap.withConnectedSocket(fd).whenFailure { error in
            // Still this attempt: connecting, or connected by the initializer
            // to a channel whose registration then failed.
            switch self.state {
            case .connecting(let current) where current == attempt: break
            case .connected(let connection) where self.attempts == attempt && !connection.handshakeDone: break
            default: return
            }
            self.state = .stopped
            self.failed("cannot start TLS on the connection: \(ForwardTLS.describe(error))", kind: "forward-tls-setup-failed", severity: .error)
        }
    }

    /// The TLS handshake succeeded: send from the cursor.
    fileprivate func handshakeCompleted(_ channel: Channel, certificate: NIOSSLCertificate?) {
        guard case .connected(let connection) = state, connection.channel === channel else { return }
        if case .success(let tls) = tls, let refusal = tls.refusal(of: certificate) {
            note.refusal = refusal
            channel.close(promise: nil)
            return
        }
        connection.handshakeDone = true
        window.handshakeCompleted(bytes: connection.counter.enqueued)
        status.connections += 1
        status.peerCertificate = note.peerFingerprint
        if let previous = reportedFailure {
            let backlog = journal.nextSequence - 1 - window.cursor.confirmed
            report(AuditEvent("forward-restored", facts: [("destination", destination.label), ("backlog", String(backlog))],
                              message: "forwarding to \(destination.label) restored after: \(previous); sending \(backlog) events from sequence \(window.resumeSequence)"))
            reportedFailure = nil
        }
        reader.seek(to: window.resumeSequence)
        ticker = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(100), delay: .milliseconds(100)) { _ in self.tick() }
        pump()
    }

    /// The connection ended (an error, the collector closing, or `stop`).
    fileprivate func connectionLost(_ channel: Channel, error: (any Error)?) {
        guard case .connected(let connection) = state, connection.channel === channel else { return }
        ticker?.cancel()
        ticker = nil
        // Only the grace rule applies now: the descriptor is no longer asked.
        let tookData = window.connectionLost(now: NIODeadline.now().uptimeNanoseconds)
        reader.seek(to: window.resumeSequence)
        state = .stopped
        saveCursor(force: true)
        // A collector that took data on this connection is healthy again:
        // the next attempt comes quickly. One that accepts and then drops
        // every connection without taking anything keeps backing off.
        if tookData { backoff = tuning.backoffFirst }
        let reason: String
        if let refusal = note.refusal ?? error.flatMap(ForwardTLS.certificateRefusal) {
            failed(refusal, kind: "forward-certificate-refused", severity: .error)
            return
        }
        if let error { reason = connection.handshakeDone ? "the connection broke: \(ForwardTLS.describe(error))" : ForwardTLS.describe(error) }
        else { reason = connection.handshakeDone ? "the collector closed the connection" : "the collector closed the connection during the TLS handshake" }
        failed(reason, kind: connection.handshakeDone ? "forward-connection-lost" : "forward-tls-failed",
               severity: connection.handshakeDone ? .warning : .error)
    }

    /// Records the failure (an event the first time it is seen) and waits
    /// before the next attempt: 250 ms doubling to 30 s, with jitter.
    private func failed(_ reason: String, kind: String, severity: SyslogMessage.Severity) {
        status.lastError = reason
        status.lastErrorMicros = AuditIntake.micros(AuditIntake.now())
        status.peerCertificate = nil
        if reportedFailure != reason {
            reportedFailure = reason
            report(AuditEvent(kind, severity: severity, facts: [("destination", destination.label), ("error", reason)],
                              message: "forwarding to \(destination.label): \(reason)"))
        }
        let jitter = Double.random(in: 0.8...1.2)
        let delay = TimeAmount.nanoseconds(Int64(Double(backoff.nanoseconds) * jitter))
        backoff = min(backoff * 2, tuning.backoffMax)
        let until = NIODeadline.now() + delay
        let scheduled = eventLoop.scheduleTask(deadline: until) {
            guard case .waiting = self.state else { return }
            self.state = .stopped
            self.connect()
        }
        state = .waiting(scheduled, until: until)
    }

    // MARK: - Sending

    /// Writes batches from the reader while the channel takes them and the
    /// unconfirmed bytes stay under the window.
    fileprivate func pump() {
        guard !pumping else {
            pumpAgain = true
            return
        }
        pumping = true
        defer { pumping = false }
        repeat {
            pumpAgain = false
            pumpOnce()
        } while pumpAgain
    }

    private func pumpOnce() {
        guard case .connected(let connection) = state, connection.handshakeDone, connection.channel.isActive else { return }
        let channel = connection.channel
        var wrote = false
        while channel.isWritable && window.hasRoom(enqueued: connection.counter.enqueued) {
            let (records, skipped) = reader.next(limit: tuning.batchRecords, byteLimit: tuning.batchBytes)
            if let skipped { lostToRetention(skipped) }
            guard let last = records.last else { break }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(records.reduce(0) { $0 + $1.text.utf8.count + 8 })
            for record in records { OctetCounting.frame(record.text, into: &bytes) }
            channel.write(channel.allocator.buffer(bytes: bytes), promise: nil)
            channel.flush()  // NIOSSL encrypts on flush: the ciphertext has now passed the counter
            status.sent += UInt64(records.count)
            status.resent += window.wrote(first: records[0].sequence, last: last.sequence, count: records.count,
                                          cipherEnd: connection.counter.enqueued)
            wrote = true
        }
        if wrote { updateAcknowledgements(connection: connection) }
    }

    private func lostToRetention(_ skipped: Range<UInt64>) {
        status.lostToRetention += skipped.upperBound - skipped.lowerBound
        window.skipped(skipped)
        report(AuditEvent("forward-gap", severity: .error,
                          facts: [("destination", destination.label), ("from", String(skipped.lowerBound)), ("to", String(skipped.upperBound - 1))],
                          message: "retention removed events \(skipped.lowerBound)-\(skipped.upperBound - 1) before \(destination.label) received them"))
    }

    private func tick() {
        guard case .connected(let connection) = state else { return }
        updateAcknowledgements(connection: connection)
        pump()
        saveCursor(force: false)
    }

    /// Reads `SIOCOUTQ` (TIOCOUTQ) while the channel is active, so never on
    /// a reused descriptor, and lets the window confirm what passed the grace.
    private func updateAcknowledgements(connection: Connection) {
        let now = NIODeadline.now().uptimeNanoseconds
        if connection.channel.isActive {
            var unacknowledged: Int32 = 0
            if ioctl(connection.fd, UInt(TIOCOUTQ), &unacknowledged) == 0 {
                window.kernelReported(written: connection.counter.written, unacknowledged: unacknowledged, now: now)
            }
        }
        window.confirm(now: now)
    }

    private func saveCursor(force: Bool) {
        guard let cursor = window.cursorToSave(force: force, now: NIODeadline.now().uptimeNanoseconds) else { return }
        guard let bytes = try? JSONEncoder().encode(cursor) else { return }
        do {
            try AtomicFile.write(Array(bytes), to: cursorPath)
            window.cursorWritten(cursor, now: NIODeadline.now().uptimeNanoseconds)
        } catch {
            // A stale cursor only means more resends after a restart; say so once.
            if reportedFailure != "\(error)" {
                reportedFailure = "\(error)"
                report(AuditEvent("forward-cursor-unsaved", severity: .warning, facts: [("destination", destination.label), ("error", "\(error)")],
                                  message: "cannot save the forwarding cursor of \(destination.label): \(error)"))
            }
        }
    }

    // MARK: - The socket

    /// Resolves and connects with a deadline (blocking: runs on a thread of its own).
    static func connectSocket(host: String, port: UInt16, timeoutMilliseconds: Int32) -> Result<Int32, ForwardTLS.SetupError> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            return .failure(.init(description: "cannot resolve \(host): \(String(cString: gai_strerror(rc)))"))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else {
                lastError = errnoText()
                continue
            }
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
                lastError = "cannot connect to \(host) port \(port): \(errnoText())"
                close(fd)
                continue
            }
            var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&poller, 1, timeoutMilliseconds)
            var soError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
            guard ready == 1, soError == 0 else {
                lastError = ready == 1 ? "cannot connect to \(host) port \(port): \(errnoText(soError))"
                                       : "cannot connect to \(host) port \(port): no answer in \(timeoutMilliseconds / 1000) s"
                close(fd)
                continue
            }
            // A collector that vanishes without a reset is noticed within about 30 s.
            var on: Int32 = 1, idle: Int32 = 10, interval: Int32 = 5, count: Int32 = 3, userTimeout: Int32 = 30_000
            setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, &idle, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, &interval, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, &count, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, &userTimeout, socklen_t(MemoryLayout<Int32>.size))
            return .success(fd)
        }
        return .failure(.init(description: lastError))
    }
}

/// Counts the ciphertext bytes passing to the socket: `enqueued` as written
/// into the pipeline, `written` once the kernel took them.
final class CipherCounter: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private(set) var enqueued: UInt64 = 0
    private(set) var written: UInt64 = 0

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let count = UInt64(unwrapOutboundIn(data).readableBytes)
        enqueued += count
        let done = promise ?? context.eventLoop.makePromise()
        done.futureResult.whenSuccess { self.written += count }
        context.write(data, promise: done)
    }
}

/// The forwarder's end of the pipeline: handshake completion, writability,
/// and the end of the connection. RFC 5425 collectors send nothing back;
/// whatever arrives is read and dropped so it cannot fill a buffer.
final class ForwarderHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let forwarder: Forwarder
    private var error: (any Error)?

    init(forwarder: Forwarder) {
        self.forwarder = forwarder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent {
            let certificate = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).peerCertificate
            forwarder.handshakeCompleted(context.channel, certificate: certificate)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { forwarder.pump() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        forwarder.connectionLost(context.channel, error: error)
    }
}
