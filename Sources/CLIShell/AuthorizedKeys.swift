import ApplianceProtocol
import ApplianceCore
import Configuration
import Glibc

/// sshd's `AuthorizedKeysCommand`: given the login name and the key offered
/// (`%u %t %k`), prints the one authorized_keys line that lets it in, or
/// nothing. Which account holds the key is configd's answer.
///
/// - The login is the account's own OS user (appliance mode, and a
///   development root run by root): `restrict,pty KEY`; the OS user's login
///   shell is the CLI, so nothing else can run.
/// - The login is the OS user owning a development root (not root): the
///   account comes from the key, `restrict,pty,command="cli --root R
///   --account NAME" KEY`.
public enum AuthorizedKeys {
    public static func line(paths: AppliancePaths, user: String, keyType: String, key: String, cliPath: String) -> String? {
        let client = ControlClient(paths: paths, daemon: "configd", timeout: .seconds(5))
        guard let owner = try? client.callBlocking(ConfigdMethod.KeyOwnerLookup.self, .init(keyType: keyType, keyBase64: key)).account else {
            return nil
        }
        if owner == user {
            return "restrict,pty \(keyType) \(key)"
        }
        var info = stat()
        guard !paths.root.isEmpty, stat(paths.root, &info) == 0, info.st_uid != 0,
              let entry = getpwnam(user), entry.pointee.pw_uid == info.st_uid else { return nil }
        guard let option = commandOption("\(cliPath) --root \(paths.root) --account \(owner)") else { return nil }
        return "restrict,pty,\(option) \(keyType) \(key)"
    }

    /// `command="…"` for an authorized_keys line; nil when the command holds
    /// a quote or backslash (which would end the option early) or a control
    /// character (which would break the line). By Unicode scalar: a `"`
    /// followed by a combining mark is one Swift Character.
    static func commandOption(_ command: String) -> String? {
        guard !command.unicodeScalars.contains(where: { $0 == "\"" || $0 == "\\" || $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else {
            return nil
        }
        return "command=\"\(command)\""
    }
}
