import Configuration
import ApplianceCore
import Logging

/// How a daemon follows its sections of the configuration: reads them from
/// configd (`get`), then waits for a change (`watch`, a long poll) and reads
/// again; while configd is away, retries every two seconds and says so once.
public enum ConfigFollower {
    /// Runs until the task is cancelled. `apply` gets each snapshot and
    /// whether it is the first this follower read.
    public static func follow(sections: [Section], paths: AppliancePaths, logger: Logger,
                              apply: @escaping @Sendable (ConfigdMethod.Snapshot, Bool) async -> Void) async {
        let client = ControlClient(paths: paths, daemon: "configd", timeout: .seconds(10))
        let watcher = ControlClient(paths: paths, daemon: "configd", timeout: .seconds(30))
        var first = true
        var complained = false
        while !Task.isCancelled {
            do {
                let snapshot = try await client.call(ConfigdMethod.Get.self, .init(sections: sections))
                await apply(snapshot, first)
                if complained { logger.notice("configd answers again (revision \(snapshot.revision))") }
                first = false
                complained = false
                var revision = snapshot.revision
                while !Task.isCancelled {
                    let change = try await watcher.call(ConfigdMethod.Watch.self, .init(after: revision, sections: sections))
                    if !change.sections.isEmpty { break }
                    revision = max(revision, change.revision)
                }
            } catch {
                if !complained {
                    logger.warning("cannot read the configuration from configd (retrying every 2 s): \(error)")
                    complained = true
                }
                try? await ProcessEventLoop.sleep(for: .seconds(2))
            }
        }
    }
}
