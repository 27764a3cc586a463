import ApplianceCore
import Glibc

/// The OS users services run as. In appliance mode procmon creates a missing
/// one as a system account with no login shell and no home, then looks up its
/// ids; nothing here runs in development mode (not root).
public enum ServiceAccounts {
    public struct AccountError: Error, CustomStringConvertible {
        public var description: String
    }

    /// uid and gid of `user` (and of `group` when given, else the user's own group).
    public static func lookup(user: String, group: String?) -> (uid: UInt32, gid: UInt32)? {
        guard let entry = getpwnam(user) else { return nil }
        var gid = entry.pointee.pw_gid
        if let group {
            guard let groupEntry = getgrnam(group) else { return nil }
            gid = groupEntry.pointee.gr_gid
        }
        return (entry.pointee.pw_uid, gid)
    }

    /// Ensures `user` (and `group`) exist, creating system accounts if needed.
    public static func ensure(user: String, group: String?) throws(AccountError) -> (uid: UInt32, gid: UInt32) {
        if let group, getgrnam(group) == nil {
            try run("/usr/sbin/groupadd", ["--system", group])
        }
        if getpwnam(user) == nil {
            var arguments = ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin"]
            arguments += group.map { ["--gid", $0] } ?? ["--user-group"]
            try run("/usr/sbin/useradd", arguments + [user])
        }
        guard let ids = lookup(user: user, group: group) else {
            throw AccountError(description: "account \(user) still missing after creating it")
        }
        return ids
    }

    /// Ensures `group` exists as a system group; its gid.
    public static func ensureGroup(_ group: String) throws(AccountError) -> UInt32 {
        if getgrnam(group) == nil { try run("/usr/sbin/groupadd", ["--system", group]) }
        guard let entry = getgrnam(group) else { throw AccountError(description: "group \(group) still missing after creating it") }
        return entry.pointee.gr_gid
    }

    /// Runs an account tool (useradd, usermod, userdel) with an argument vector, no shell.
    public static func runTool(_ executable: String, _ arguments: [String]) throws(AccountError) {
        try run(executable, arguments)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws(AccountError) {
        let request = SpawnRequest(
            executable: executable, arguments: arguments, environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"],
            identity: nil, capabilities: [], standardOutput: 2, standardError: 2,
            listenSockets: [], readinessFD: nil, workingDirectory: "/")
        let pid: Int32
        do {
            // Claimed at its start: procmon's reaper keeps its status for us.
            pid = try ChildReaper.startClaimed { () throws(SpawnError) -> Int32 in try ServiceSpawner.spawn(request) }
        } catch {
            throw AccountError(description: "\(error)")
        }
        let command = "\(executable) \(arguments.joined(separator: " "))"
        guard let status = ChildReaper.wait(for: pid) else {
            throw AccountError(description: "\(command): its exit status was lost")
        }
        guard status == 0 else {
            let exit: ExitStatus = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
            throw AccountError(description: "\(command) failed (\(exit))")
        }
    }
}
