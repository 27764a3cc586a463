import Glibc
import Synchronization

/// Watches the free space of the file system holding the journal, so a disk
/// filling up is reported before writes fail, once per crossing.
final class DiskWatch: Sendable {
    struct Change {
        var nearlyFull: Bool
        var freeBytes: UInt64
    }

    let folder: String
    let reserveBytes: UInt64
    private let state = Mutex(false)

    init(folder: String, reserveBytes: UInt64) {
        self.folder = folder
        self.reserveBytes = reserveBytes
    }

    var nearlyFull: Bool { state.withLock { $0 } }

    /// Bytes available to auditd's (unprivileged) account.
    func freeBytes() -> UInt64 {
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return 0 }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    /// The crossing since the last check, if any.
    func check() -> Change? {
        let free = freeBytes()
        let low = free < reserveBytes
        let changed = state.withLock { nearlyFull -> Bool in
            defer { nearlyFull = low }
            return nearlyFull != low
        }
        return changed ? Change(nearlyFull: low, freeBytes: free) : nil
    }
}
