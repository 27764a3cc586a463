import ApplianceProtocol
import ApplianceCore
import Configuration
import Glibc
import NIOCore
import NIOPosix
import Synchronization

/// The set of forwarders, one per configured collector, all on one event
/// loop thread of the process's group (each sends in bounded batches, so a destination catching up
/// on a day's backlog never holds up the others, and nothing here touches
/// the intake thread). Reconfigured from configd's `logging remote` lines.
public final class Forwarding: Sendable {
    private let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
    private let journal: AuditJournal
    private let stateFolder: String
    private let report: @Sendable (AuditEvent) -> Void
    private let tuning: Forwarder.Tuning
    private let forwarders = Mutex<[Forwarder]>([])

    init(journal: AuditJournal, stateFolder: String, tuning: Forwarder.Tuning = Forwarder.Tuning(),
         report: @escaping @Sendable (AuditEvent) -> Void) throws {
        self.journal = journal
        self.stateFolder = stateFolder
        self.tuning = tuning
        self.report = report
        try AtomicFile.makeFolders(stateFolder, mode: 0o700)
    }

    /// Makes the running forwarders match `destinations`. A destination
    /// without a saved cursor starts at `startSequence`; one whose settings
    /// changed restarts from its cursor; a removed one forgets its cursor.
    func configure(_ destinations: [SyslogDestination], startSequence: UInt64) async {
        let (removed, kept) = forwarders.withLock { running in
            (running.filter { !destinations.contains($0.destination) }, running.filter { destinations.contains($0.destination) })
        }
        for forwarder in removed {
            try? await forwarder.stop().get()
            let stillConfigured = destinations.contains { $0.host == forwarder.destination.host && $0.port == forwarder.destination.port }
            if !stillConfigured {
                unlink(stateFolder + "/" + Forwarder.fileName(forwarder.destination) + ".cursor")
                report(AuditEvent("forward-destination-removed", facts: [("destination", forwarder.destination.label)],
                                  message: "no longer forwarding to \(forwarder.destination.label)"))
            }
        }
        var started: [Forwarder] = []
        for destination in destinations where !kept.contains(where: { $0.destination == destination }) {
            let forwarder = Forwarder(destination: destination, journal: journal, eventLoop: eventLoop, stateFolder: stateFolder,
                                      startSequence: startSequence, tuning: tuning, report: report)
            started.append(forwarder)
            forwarder.start()
        }
        forwarders.withLock { $0 = kept + started }
    }

    /// The intake committed events.
    func wake() {
        for forwarder in forwarders.withLock({ $0 }) { forwarder.wake() }
    }

    public func status() async -> [DestinationStatus] {
        var result: [DestinationStatus] = []
        for forwarder in forwarders.withLock({ $0 }) {
            if let status = try? await forwarder.currentStatus().get() { result.append(status) }
        }
        return result
    }

    /// Stops every forwarder (saving cursors); the loop is the process's.
    func shutdown() async {
        let running = forwarders.withLock { running in
            defer { running = [] }
            return running
        }
        for forwarder in running { try? await forwarder.stop().get() }
    }
}
