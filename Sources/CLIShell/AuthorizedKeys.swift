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
        let command = "\(cliPath) --root \(paths.root) --account \(owner)"
        guard !command.contains("\"") else { return nil }
        return "restrict,pty,command=\"\(command)\" \(keyType) \(key)"
    }
}
