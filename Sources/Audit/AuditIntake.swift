import ApplianceProtocol
import ApplianceCore
import CApplianceSystem
import Glibc
import Logging
import Synchronization

/// Reads `run/appliance/audit.sock`, stamps each datagram with its sender's
/// kernel-verified identity, and commits batches to the journal (one write and
/// one fdatasync per batch: group commit).
///
/// An event counts as accepted once it is in the journal. Between reading a
/// batch and its fsync (about a millisecond) it is only in memory: a SIGKILL
/// then loses that batch, which a datagram intake cannot avoid (the kernel
/// hands each datagram over once). While the journal refuses writes (a full
/// disk), events wait in memory, the newest kept up to `memoryBound`, and
/// every failure is logged and counted.
public final class AuditIntake: Sendable {
    public typealias Counters = AuditIntakeCounters

    public static let batchLimit = 512
    public let memoryBound: Int
    private let fd: Int32
    private let journal: AuditJournal
    private let logger: Logger
    private let state = Mutex(Counters())
    private let ownPID = getpid()
    /// The appliance's name in every stamped event: the configured hostname
    /// once configd has said it, the kernel's until then.
    private let hostnameStore = Mutex(AuditIntake.hostname())
    /// Told after each commit (the forwarders follow the journal). Boxed: a
    /// closure kept directly in a Mutex is re-wrapped in a reabstraction thunk
    /// on every `withLock` write-back, and after enough commits calling it
    /// overflows the stack.
    private final class Observer: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    private let commitObserver = Mutex<Observer?>(nil)

    public init(fd: Int32, journal: AuditJournal, logger: Logger, memoryBound: Int = 10_000) {
        self.fd = fd
        self.journal = journal
        self.logger = logger
        self.memoryBound = memoryBound
        _ = appliance_enable_passcred(fd)
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    public var counters: Counters { state.withLock { $0 } }

    public func setHostname(_ name: String) {
        hostnameStore.withLock { $0 = name }
    }

    public func onCommit(_ observer: @escaping @Sendable () -> Void) {
        commitObserver.withLock { $0 = Observer(observer) }
    }

    /// Records one of auditd's own events (a failure, a start) in the journal.
    public func recordOwn(_ event: AuditEvent) {
        commit([ownEventText(event)])
    }

    private func ownEventText(_ event: AuditEvent) -> (acceptedMicros: Int64, text: String) {
        let time = Self.now()
        let message = SyslogMessage(facility: .logAudit, severity: event.severity, time: time, hostname: hostnameStore.withLock { $0 },
                                    appName: "auditd", processID: String(ownPID), messageID: event.kind,
                                    structuredData: event.facts.isEmpty ? [] : [.init(id: AuditClient.structuredDataID, parameters: event.facts)],
                                    message: event.message)
        return (Self.micros(time), message.encoded)
    }

    private let pendingStore = Mutex<[(acceptedMicros: Int64, text: String)]>([])
    /// Set by `stop()`; the reading loop ends after committing what it holds.
    private let stopRequested = Mutex(false)
    private let stoppedSignal: [Int32] = {
        var fds: [Int32] = [-1, -1]
        _ = appliance_pipe(&fds)
        return fds
    }()
    /// One commit at a time: the intake thread and `recordOwn` callers.
    private let commitLock = Mutex(())

    /// Reads until the process ends; run it on a dedicated thread.
    public func run() {
        var buffer = [UInt8](repeating: 0, count: OriginStamp.maximumDatagram + 1)
        // uid → account name as the account database says at receipt
        // (cached only while /etc/passwd is unchanged: uids are reused).
        var accountNames = AccountNames()
        func userName(_ uid: Int32) -> String? { accountNames.name(uid) }
        while true {
            if stopRequested.withLock({ $0 }) {
                var byte: UInt8 = 1
                _ = write(stoppedSignal[1], &byte, 1)
                return
            }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&poller, 1, pendingStore.withLock { $0.isEmpty } ? 200 : 1000)
            var batch: [(acceptedMicros: Int64, text: String)] = []
            let hostname = hostnameStore.withLock { $0 }
            while batch.count < Self.batchLimit {
                var pid: Int32 = -1, uid: Int32 = -1, gid: Int32 = -1
                let length = buffer.withUnsafeMutableBytes {
                    appliance_recv_with_credentials(fd, $0.baseAddress, UInt($0.count), 1, &pid, &uid, &gid)
                }
                if length == 0 || length == -1 { break }
                let time = Self.now()
                let size = length == -2 ? 0 : Int(length)
                let sender = SenderCredentials(pid: pid, uid: uid, gid: gid, user: userName(uid))
                let (text, verdict) = OriginStamp.stamp(buffer[0..<min(size, OriginStamp.maximumDatagram)], length: size, sender: sender,
                                                        hostname: hostname, now: SyslogMessage.timestamp(time), auditdPID: ownPID)
                state.withLock {
                    switch verdict {
                    case .accepted: break
                    case .malformed: $0.malformed += 1
                    case .oversized: $0.oversized += 1
                    case .forged: $0.forged += 1
                    }
                }
                batch.append((Self.micros(time), text))
            }
            commit(batch)
        }
    }

    /// An orderly stop (SIGTERM): the reading loop commits the batch it holds
    /// and reads no more; returns once it has (at most `timeout`). What is still
    /// queued in the socket stays there for the next auditd.
    public func stop(timeout: Int32 = 5000) {
        stopRequested.withLock { $0 = true }
        var poller = pollfd(fd: stoppedSignal[0], events: Int16(POLLIN), revents: 0)
        _ = poll(&poller, 1, timeout)
    }

    /// Commits what waits in memory and `batch`, oldest first; keeps them in
    /// memory (bounded, newest kept) when the journal refuses.
    private func commit(_ batch: [(acceptedMicros: Int64, text: String)]) {
        let recovered = commitLock.withLock { _ -> Bool in
            let waiting = pendingStore.withLock { pending -> [(acceptedMicros: Int64, text: String)] in
                pending += batch
                if pending.count > memoryBound {
                    let excess = pending.count - memoryBound
                    pending.removeFirst(excess)
                    state.withLock { $0.droppedFromMemory += excess }
                }
                return pending
            }
            guard !waiting.isEmpty else { return false }
            do {
                _ = try journal.append(waiting)
                pendingStore.withLock { $0.removeFirst(waiting.count) }
                commitObserver.withLock { $0 }?.body()
                return state.withLock { counters -> Bool in
                    counters.accepted += waiting.count
                    counters.batches += 1
                    counters.pending = 0
                    defer { counters.lastJournalError = nil }
                    return counters.lastJournalError != nil
                }
            } catch {
                let first = state.withLock { counters -> Bool in
                    defer {
                        counters.journalFailures += 1
                        counters.lastJournalError = "\(error)"
                    }
                    return counters.lastJournalError == nil
                }
                if first {
                    logger.critical("AUDIT EVENTS ARE NOT BEING STORED: \(error); keeping up to \(memoryBound) in memory and retrying every second")
                    // auditd's own failure is an event too, stored with the rest once the journal takes writes again.
                    let failure = ownEventText(AuditEvent("journal-write-failed", severity: .critical, facts: [("error", "\(error)")],
                                                          message: "the audit journal refused writes: \(error)"))
                    pendingStore.withLock { $0.append(failure) }
                }
                state.withLock { $0.pending = pendingStore.withLock { $0.count } }
                return false
            }
        }
        if recovered {
            logger.notice("the audit journal takes events again")
            recordOwn(AuditEvent("journal-recovered", message: "the audit journal takes events again"))
        }
    }

    static func now() -> (seconds: Int64, microseconds: Int32) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return (Int64(now.tv_sec), Int32(now.tv_nsec / 1000))
    }

    static func micros(_ time: (seconds: Int64, microseconds: Int32)) -> Int64 {
        time.seconds * 1_000_000 + Int64(time.microseconds)
    }

    static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "appliance" }
        return String(cString: buffer)
    }
}
