import Glibc
import Synchronization

/// procmon's one reaper: every exit status of procmon's children passes
/// through here, so none is lost to whoever else calls `waitpid`.
///
/// The supervisor reaps every child with `waitpid(-1)` (its services and the
/// orphans it adopts as subreaper). A child started by other code in procmon
/// (useradd, userdel, groupadd) is *claimed* at its start, under the same lock
/// the reaper holds while it reaps: when the reaper collects a claimed child,
/// it keeps the status for the claimant instead of dropping it as an unknown
/// pid, and the claimant picks it up. So a failed useradd is never reported as
/// a success because the supervisor happened to reap it first.
public enum ChildReaper {
    private struct Table {
        var claimed: Set<pid_t> = []
        var finished: [pid_t: Int32] = [:]
    }

    private static let table = Mutex(Table())

    /// Starts a child with `start` and claims it before any reaper can see it exit.
    public static func startClaimed<E: Error>(_ start: () throws(E) -> pid_t) throws(E) -> pid_t {
        try table.withLock { (table: inout Table) throws(E) -> pid_t in
            let pid = try start()
            table.claimed.insert(pid)
            return pid
        }
    }

    /// Reaps every exited child. Returns the exits nobody claimed (the
    /// supervisor's services and orphans); keeps the claimed ones' for `wait`.
    public static func reapUnclaimed() -> [(pid: pid_t, status: Int32)] {
        table.withLock { table in
            var exits: [(pid: pid_t, status: Int32)] = []
            while true {
                var status: Int32 = 0
                let pid = waitpid(-1, &status, WNOHANG)
                guard pid > 0 else { break }
                if table.claimed.remove(pid) != nil {
                    table.finished[pid] = status
                } else {
                    exits.append((pid, status))
                }
            }
            return exits
        }
    }

    /// The exit status of a claimed child, blocking until it has exited,
    /// whether this thread reaps it or the supervisor's reaper already did;
    /// nil if neither has its status (it was not a claimed child).
    public static func wait(for pid: pid_t) -> Int32? {
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, 0)
            if reaped == pid {
                table.withLock { _ = $0.claimed.remove(pid) }
                return status
            }
            if reaped < 0 && errno == EINTR { continue }
            // ECHILD: the reaper took it, and kept its status under the lock
            // it held while reaping.
            return table.withLock { table in
                table.claimed.remove(pid)
                return table.finished.removeValue(forKey: pid)
            }
        }
    }
}
