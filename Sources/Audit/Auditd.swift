import ApplianceProtocol
import ApplianceCore
import Configuration
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import Logging
import Synchronization

/// auditd's service: the intake socket (passed by procmon as `intake`, or bound
/// here when run alone), the journal under `var/lib/appliance/auditd/journal`,
/// retention, and the control socket (`query`, `status`).
public enum Auditd {
    public struct Settings: Sendable {
        /// Retention when the configuration sets none.
        public var retentionDays: Int
        public var retentionMiB: Int
        /// Below this much free space on the journal's file system, auditd reports the disk nearly full.
        public var diskReserveMiB: Int
        public init(retentionDays: Int = 90, retentionMiB: Int = 256, diskReserveMiB: Int = 64) {
            self.retentionDays = retentionDays
            self.retentionMiB = retentionMiB
            self.diskReserveMiB = diskReserveMiB
        }
    }

    /// What auditd takes from the configuration, cached in its state folder
    /// so forwarding resumes after a restart even before configd answers.
    struct FollowedSettings: Codable, Equatable, Sendable {
        var hostname: String
        var audit: AuditSettings
        var revision: UInt64
    }

    public static func run(paths: AppliancePaths, settings: Settings, signals: SignalWatcher) async -> Int32 {
        let logger = Logger(label: "auditd")
        let passed = ListenSockets.fromEnvironment()
        let state = paths.stateDirectory("auditd")
        let journal: AuditJournal
        let intakeFD: Int32
        do {
            try AtomicFile.makeFolders(state, mode: 0o700)
            journal = try AuditJournal(folder: state + "/journal")
            intakeFD = try passed?.fd(named: "intake") ?? UnixSocket.bindShared(path: paths.auditSocket, datagram: true)
        } catch {
            logger.critical("cannot start: \(error)")
            return ExitCodes.systemError
        }
        let intake = AuditIntake(fd: intakeFD, journal: journal, logger: logger)
        if journal.recoveredTornBytes > 0 {
            logger.warning("cut a torn record (\(journal.recoveredTornBytes) bytes) from the journal's tail: an earlier stop came in the middle of a write")
        }
        for quarantine in journal.quarantined {
            let sequences = quarantine.sequences.map { "records \($0.lowerBound)-\($0.upperBound)" } ?? "no record"
            logger.error("the journal segment \(quarantine.segment) was damaged at byte \(quarantine.offset) (\(quarantine.bytes) bytes, \(sequences)) with valid records after it: the bytes are kept in \(quarantine.path) and the later records kept")
            intake.recordOwn(AuditEvent("journal-quarantine", severity: .error,
                                        facts: [("segment", quarantine.segment), ("offset", String(quarantine.offset)), ("bytes", String(quarantine.bytes)),
                                                ("first", quarantine.sequences.map { String($0.lowerBound) } ?? "-"),
                                                ("last", quarantine.sequences.map { String($0.upperBound) } ?? "-"), ("file", quarantine.path)],
                                        message: "damaged journal bytes (\(sequences)) were quarantined in \(quarantine.path); the records after them are kept"))
        }
        let startSequence = journal.nextSequence
        intake.recordOwn(AuditEvent("auditd-start", facts: [("next-sequence", String(journal.nextSequence)), ("torn-bytes-cut", String(journal.recoveredTornBytes))],
                                    message: "auditd started; journal continues at sequence \(journal.nextSequence)"))
        let forwarding: Forwarding
        do {
            forwarding = try Forwarding(journal: journal, stateFolder: state + "/forward") { event in intake.recordOwn(event) }
        } catch {
            logger.critical("cannot start: \(error)")
            return ExitCodes.systemError
        }
        intake.onCommit { forwarding.wake() }
        DedicatedThread.start(name: "intake") { intake.run() }

        let followed = FollowedStore()
        let cachePath = state + "/settings.json"
        @Sendable func adopt(_ new: FollowedSettings, startingAt sequence: UInt64, source: String) async {
            let old = followed.exchange(new)
            intake.setHostname(new.hostname)
            if old?.audit.remoteDestinations != new.audit.remoteDestinations {
                await forwarding.configure(new.audit.remoteDestinations, startSequence: sequence)
            }
            if old != new, let bytes = try? JSONEncoder().encode(new) {
                try? AtomicFile.write(Array(bytes), to: cachePath)
            }
            if old?.audit != new.audit || old?.hostname != new.hostname {
                logger.notice("settings from \(source): \(new.audit.remoteDestinations.count) destination(s), hostname \(new.hostname)")
            }
        }
        if let bytes = try? AtomicFile.read(cachePath, limit: 1 << 20), let cached = try? JSONDecoder().decode(FollowedSettings.self, from: Data(bytes)) {
            await adopt(cached, startingAt: startSequence, source: "the cache of configd revision \(cached.revision)")
        }
        let following = Task {
            await ConfigFollower.follow(sections: [.system, .audit], paths: paths, logger: logger) { snapshot, first in
                let new = FollowedSettings(hostname: snapshot.config.system.hostname, audit: snapshot.config.audit, revision: snapshot.revision)
                // Destinations configured before this auditd learnt of them get
                // everything since it started; ones added later, what follows.
                await adopt(new, startingAt: first ? startSequence : journal.nextSequence, source: "configd revision \(snapshot.revision)")
            }
        }

        var routes = ControlRoutes()
        let table = AuditdAccess.table, resolver = CallerResolver(), sessions = CallerResolver.configdSessions(paths: paths)
        routes.register(AuditdMethod.Query.self, table: table, resolver: resolver, timeout: .seconds(30)) { parameters, caller in
            // root, auditd's user and webd read it directly; anyone else
            // needs an admin's session (the CLI of an ssh login).
            _ = try await resolver.authorize(AuditdMethod.Query.name, in: table, caller: caller, session: parameters.session, verify: sessions)
            return query(journal, parameters)
        }
        let disk = DiskWatch(folder: state, reserveBytes: UInt64(settings.diskReserveMiB) << 20)
        routes.register(AuditdMethod.Status.self, table: table, resolver: resolver) { _, _ in
            let retention = effectiveRetention(followed.current?.audit.retention, settings)
            return AuditdMethod.StatusResult(intake: intake.counters, firstSequence: journal.firstSequence, nextSequence: journal.nextSequence,
                                             journalBytes: journal.totalBytes, segments: journal.segmentCount, recoveredTornBytes: journal.recoveredTornBytes,
                                             retentionDays: retention.days, retentionMiB: retention.mib,
                                             diskFreeBytes: disk.freeBytes(), diskNearlyFull: disk.nearlyFull,
                                             configurationRevision: followed.current?.revision,
                                             destinations: await forwarding.status())
        }
        let server = ControlServer(path: paths.controlSocket("auditd"), inheritedDescriptor: passed?.fd(named: "control"),
                                   routes: routes, socketMode: 0o666, logger: logger) { refusal in intake.recordOwn(refusal.auditEvent(socket: "auditd")) }
        let serving = server.serveInBackground(logger: logger)
        let housekeeping = Task {
            var lastRetention = ContinuousClock.now - .seconds(3600)
            while !Task.isCancelled {
                if let change = disk.check() {
                    if change.nearlyFull {
                        logger.critical("the audit journal's disk is nearly full: \(change.freeBytes >> 20) MiB free")
                    }
                    intake.recordOwn(change.nearlyFull
                        ? AuditEvent("disk-nearly-full", severity: .critical, facts: [("free-bytes", String(change.freeBytes))],
                                     message: "the audit journal's disk is nearly full: \(change.freeBytes >> 20) MiB free")
                        : AuditEvent("disk-space-recovered", facts: [("free-bytes", String(change.freeBytes))],
                                     message: "the audit journal's disk has room again: \(change.freeBytes >> 20) MiB free"))
                }
                if ContinuousClock.now - lastRetention >= .seconds(60) {
                    lastRetention = .now
                    let retention = effectiveRetention(followed.current?.audit.retention, settings)
                    if let removed = journal.enforceRetention(maximumBytes: retention.mib << 20, maximumAgeSeconds: Int64(retention.days) * 86_400,
                                                              now: Int64(time(nil))) {
                        intake.recordOwn(AuditEvent("retention", facts: [("removed-from", String(removed.lowerBound)), ("removed-to", String(removed.upperBound - 1))],
                                                    message: "retention removed events \(removed.lowerBound)-\(removed.upperBound - 1)"))
                    }
                }
                try? await ProcessEventLoop.sleep(for: .seconds(5))
            }
        }
        for await signal in signals.signals where signal == SIGTERM || signal == SIGINT {
            logger.notice("stopping")
            intake.stop()
            following.cancel()
            housekeeping.cancel()
            await forwarding.shutdown()
            serving.cancel()
            _ = await serving.result
            return 0
        }
        return 0
    }

    /// The settings last adopted, shared by the control handlers and the follower.
    final class FollowedStore: Sendable {
        private let value = Mutex<FollowedSettings?>(nil)
        var current: FollowedSettings? { value.withLock { $0 } }
        func exchange(_ new: FollowedSettings) -> FollowedSettings? {
            value.withLock { old in
                defer { old = new }
                return old
            }
        }
    }

    static func effectiveRetention(_ configured: LogRetention?, _ settings: Settings) -> (days: Int, mib: Int) {
        (configured?.days ?? settings.retentionDays, configured?.maxMiB ?? settings.retentionMiB)
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
