import ApplianceProtocol
import ApplianceCore
import Configuration
import Glibc
import Logging

/// What sshd needs from the configuration, kept by procmon while the manifest
/// has an `sshd` service: the login banner as a file sshd reads at each
/// connection, and (as root) one OS user per appliance account, whose login
/// shell is the CLI, so that each ssh session's CLI runs with that account's
/// uid and nothing more.
///
/// The OS users have the primary group `appliance-accounts`, no password
/// (`*`: key logins only), no home, and a comment naming the root they were
/// made for; procmon changes or removes only users it made for its own root
/// and never touches another user of the system.
public enum SSHAccess {
    public static let group = Account.osGroup

    /// The file sshd's `Banner` names.
    public static func bannerPath(_ paths: AppliancePaths) -> String { paths.runDirectory + "/ssh-banner" }

    /// Follows configd until cancelled.
    public static func follow(paths: AppliancePaths, cliPath: String, manageUsers: Bool, logger: Logger, audit: AuditClient) async {
        let tag = "appliance account " + rootTag(paths)
        await ConfigFollower.follow(sections: [.accounts, .system], paths: paths, logger: logger) { snapshot, _ in
            let banner = snapshot.config.system.loginBanner.map { $0.hasSuffix("\n") ? $0 : $0 + "\n" } ?? ""
            do {
                try AtomicFile.write(Array(banner.utf8), to: bannerPath(paths), mode: 0o644)
            } catch {
                logger.warning("cannot write the ssh banner: \(error)")
            }
            guard manageUsers else { return }
            sync(accounts: snapshot.config.accounts.map(\.name), tag: tag, shell: cliPath, logger: logger, audit: audit)
        }
    }

    /// A short, stable name for a root (an OS user's comment holds no ':' or ',').
    static func rootTag(_ paths: AppliancePaths) -> String {
        var hash: UInt32 = 2166136261
        for byte in (paths.root.isEmpty ? "/" : paths.root).utf8 { hash = (hash ^ UInt32(byte)) &* 16777619 }
        return String(hash, radix: 16)
    }

    /// Names useradd takes and that cannot be mistaken for options or system users.
    public static func isUsableName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...31).contains(bytes.count), let first = bytes.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) || first == UInt8(ascii: "_") else { return false }
        return bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    static func sync(accounts: [String], tag: String, shell: String, logger: Logger, audit: AuditClient) {
        do {
            _ = try ServiceAccounts.ensureGroup(group)
        } catch {
            logger.error("cannot create group \(group): \(error)")
            return
        }
        guard let groupID = getgrnam(group)?.pointee.gr_gid else { return }
        // Ours: primary group appliance-accounts and this root's tag.
        var ours: [String: String] = [:]
        setpwent()
        while let entry = getpwent() {
            if entry.pointee.pw_gid == groupID, String(cString: entry.pointee.pw_gecos) == tag {
                ours[String(cString: entry.pointee.pw_name)] = String(cString: entry.pointee.pw_shell)
            }
        }
        endpwent()
        for name in accounts {
            guard isUsableName(name) else {
                logger.warning("account \(name) gets no ssh login: an OS user name is lowercase letters, digits, - and _ (at most 31)")
                continue
            }
            if let currentShell = ours[name] {
                if currentShell != shell { run("/usr/sbin/usermod", ["--shell", shell, name], logger: logger) }
                continue
            }
            if getpwnam(name) != nil {
                logger.warning("account \(name) gets no ssh login: the system already has a user of that name that procmon did not make")
                continue
            }
            if run("/usr/sbin/useradd", ["--gid", group, "--no-create-home", "--home-dir", "/", "--shell", shell,
                                         "--password", "*", "--comment", tag, name], logger: logger) {
                audit.record(AuditEvent("os-user-create", facts: [("account", name)], message: "OS user \(name) created for the appliance account's ssh logins"))
            }
        }
        for name in ours.keys where !accounts.contains(name) {
            if run("/usr/sbin/userdel", ["--force", name], logger: logger) {
                audit.record(AuditEvent("os-user-delete", facts: [("account", name)], message: "OS user \(name) removed with its appliance account"))
            }
        }
    }

    /// Removes the OS users made for this root: a development instance
    /// stopped as root leaves none behind (the appliance keeps its own).
    public static func removeOwnUsers(paths: AppliancePaths, logger: Logger) {
        guard let groupID = getgrnam(group)?.pointee.gr_gid else { return }
        let tag = "appliance account " + rootTag(paths)
        var names: [String] = []
        setpwent()
        while let entry = getpwent() {
            if entry.pointee.pw_gid == groupID, String(cString: entry.pointee.pw_gecos) == tag { names.append(String(cString: entry.pointee.pw_name)) }
        }
        endpwent()
        for name in names { run("/usr/sbin/userdel", ["--force", name], logger: logger) }
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], logger: Logger) -> Bool {
        do {
            try ServiceAccounts.runTool(executable, arguments)
            return true
        } catch {
            logger.error("\(error)")
            return false
        }
    }
}
