import Configuration

/// An account as `/accounts` and `GET /api/v1/accounts` show it: never a
/// password hash or its history.
public struct AccountView: Codable, Sendable, Equatable {
    public var name: String
    public var role: String
    public var locked: Bool
    public var keyCount: Int
    public var sshKeys: [String]
    /// Unix seconds of the last password change, if configd gives it.
    public var passwordChangedAt: Int64?
    /// When the password expires (the policy's expiry-days after the
    /// change); nil when passwords do not expire or it was never set.
    public var passwordExpiresAt: Int64?

    public init(_ account: Account, policy: SecurityPolicy?) {
        name = account.name
        role = account.role.rawValue
        locked = account.locked
        keyCount = account.sshKeys.count
        sshKeys = account.sshKeys.map(\.description)
        passwordChangedAt = account.passwordChangedAt
        let days = policy?.passwordExpiryDays ?? 0
        passwordExpiresAt = days > 0 ? account.passwordChangedAt.map { $0 + Int64(days) * 86_400 } : nil
    }
}

/// Account changes as configuration-language lines (the CLI's `account`
/// commands), each checked by `ConfigParser` before configd sees it.
public enum AccountChange {
    /// `name`, once the parser reads it as an account name.
    public static func name(_ name: String) throws(WebError) -> String {
        _ = try ConfigLines.checked([("name", ConfigLine.accountRole(try ConfigLines.checkedText(name, field: "name", limit: 64), .viewer))])
        return name
    }

    public static func role(_ role: String) throws(WebError) -> String {
        guard let parsed = Role(rawValue: role) else { throw WebError(.badRequest, "role: expected admin, operator or viewer") }
        return parsed.rawValue
    }

    public static func create(name: String, role: String) throws(WebError) -> [String] {
        [ConfigLine.accountRole(try Self.name(name), try Self.role(role))]
    }

    /// `role` and `locked` as given; nil leaves each as it is.
    public static func update(name: String, role: String?, locked: Bool?) throws(WebError) -> [String] {
        let name = try Self.name(name)
        var lines: [String] = []
        if let role { lines.append(ConfigLine.accountRole(name, try Self.role(role))) }
        if let locked { lines.append(ConfigLine.accountLocked(name, locked)) }
        guard !lines.isEmpty else { throw WebError(.badRequest, "name a field to change (role, locked)") }
        return lines
    }

    public static func delete(name: String) throws(WebError) -> [String] {
        [ConfigLine.noAccount(try Self.name(name))]
    }

    /// An `authorized_keys` line, one quoted word; `adding` false removes it.
    public static func key(name: String, key: String, adding: Bool) throws(WebError) -> [String] {
        let name = try Self.name(name), key = try Self.keyText(key)
        _ = try ConfigLines.checked([("key", ConfigLine.accountSSHKey(name, key))])
        return [ConfigLine.accountSSHKey(name, key, present: adding)]
    }

    static func keyText(_ key: String) throws(WebError) -> String {
        let trimmed = key.trimmingSpaces()
        _ = try ConfigLines.text(trimmed, field: "key", limit: 8192)
        guard !trimmed.isEmpty else { throw WebError(.badRequest, "key: an ssh public key, \"TYPE BASE64 [COMMENT]\"") }
        return trimmed
    }
}

extension String {
    /// Without leading and trailing spaces (a pasted key often has them).
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
