import ApplianceCore
import Glibc
import Logging

/// auditd's service: the intake socket (passed by procmon as `intake`, or bound
/// here when run alone), the journal under `var/lib/appliance/auditd/journal`,
/// retention, and the control socket (`query`, `status`).
public enum Auditd {
    public struct Settings: Sendable {
        public var retentionDays: Int
        public var retentionMiB: Int
        public init(retentionDays: Int = 90, retentionMiB: Int = 256) {
            self.retentionDays = retentionDays
            self.retentionMiB = retentionMiB
        }
    }

    public static func run(paths: AppliancePaths, settings: Settings, signals: SignalWatcher) async -> Int32 {
        let logger = Logger(label: "auditd")
        let passed = ListenSockets.fromEnvironment()
        let journal: AuditJournal
        let intakeFD: Int32
        do {
            try AtomicFile.makeFolders(paths.stateDirectory("auditd"), mode: 0o700)
            journal = try AuditJournal(folder: paths.stateDirectory("auditd") + "/journal")
            intakeFD = try passed?.fd(named: "intake") ?? UnixSocket.bindShared(path: paths.auditSocket, datagram: true)
        } catch {
            logger.critical("cannot start: \(error)")
            return 71
        }
        let intake = AuditIntake(fd: intakeFD, journal: journal, logger: logger)
        if journal.recoveredTornBytes > 0 {
            logger.warning("cut a torn record (\(journal.recoveredTornBytes) bytes) from the journal's tail: an earlier stop came in the middle of a write")
        }
        intake.recordOwn(AuditEvent("auditd-start", facts: [("next-sequence", String(journal.nextSequence)), ("torn-bytes-cut", String(journal.recoveredTornBytes))],
                                    message: "auditd started; journal continues at sequence \(journal.nextSequence)"))
        DedicatedThread.start(name: "intake") { intake.run() }

        var routes = ControlRoutes()
        let readers = ControlPermission.privileged(or: getpwnam("appliance-web").map { [$0.pointee.pw_uid] } ?? [], named: "appliance-web")
        routes.register(AuditdMethod.Query.self, permission: readers, timeout: .seconds(30)) { parameters, _ in
            query(journal, parameters)
        }
        routes.register(AuditdMethod.Status.self, permission: .anyone) { _, _ in
            AuditdMethod.StatusResult(intake: intake.counters, firstSequence: journal.firstSequence, nextSequence: journal.nextSequence,
                                      journalBytes: journal.totalBytes, segments: journal.segmentCount, recoveredTornBytes: journal.recoveredTornBytes,
                                      retentionDays: settings.retentionDays, retentionMiB: settings.retentionMiB)
        }
        let server = ControlServer(path: paths.controlSocket("auditd"), inheritedDescriptor: passed?.fd(named: "control"),
                                   routes: routes, socketMode: 0o666, logger: logger) { refusal in intake.recordOwn(refusal.auditEvent(socket: "auditd")) }
        let serving = server.serveInBackground(logger: logger)
        let retention = Task {
            while !Task.isCancelled {
                if let removed = journal.enforceRetention(maximumBytes: settings.retentionMiB << 20,
                                                          maximumAgeSeconds: Int64(settings.retentionDays) * 86_400, now: Int64(time(nil))) {
                    intake.recordOwn(AuditEvent("retention", facts: [("removed-from", String(removed.lowerBound)), ("removed-to", String(removed.upperBound - 1))],
                                                message: "retention removed events \(removed.lowerBound)-\(removed.upperBound - 1)"))
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
        for await signal in signals.signals where signal == SIGTERM || signal == SIGINT {
            logger.notice("stopping")
            intake.stop()
            retention.cancel()
            serving.cancel()
            _ = await serving.result
            return 0
        }
        return 0
    }

    /// The newest `limit` matches (or the oldest after `afterSequence`), oldest first.
    static func query(_ journal: AuditJournal, _ parameters: AuditdMethod.QueryParameters) -> AuditdMethod.QueryResult {
        let limit = min(max(parameters.limit ?? 100, 1), 1000)
        let filter = AuditFilter(parameters)
        var ring: [JournalRecord] = []
        var truncated = false
        if let after = parameters.afterSequence {
            journal.scan { record in
                guard record.sequence > after, filter.matches(record) else { return true }
                guard ring.count < limit else {
                    truncated = true
                    return false
                }
                ring.append(record)
                return true
            }
            return AuditdMethod.QueryResult(entries: ring.map { .init(sequence: $0.sequence, acceptedMicros: $0.acceptedMicros, text: $0.text) }, truncated: truncated)
        }
        journal.scan { record in
            if filter.matches(record) {
                ring.append(record)
                if ring.count > limit {
                    ring.removeFirst()
                    truncated = true
                }
            }
            return true
        }
        return AuditdMethod.QueryResult(entries: ring.map { .init(sequence: $0.sequence, acceptedMicros: $0.acceptedMicros, text: $0.text) }, truncated: truncated)
    }
}
