/// Single configuration lines, built from typed parts, for the front ends
/// (the CLI and webd) and the renderer: every word goes through the lexer's
/// own quoting (`ConfigRenderer.word`), free text is always quoted, so what a
/// front end sends configd is exactly the words it meant, and both front
/// ends send the same line for the same edit. configd parses and validates
/// what arrives; a word here may be a user's raw input (a role as typed) so
/// that the parser's message names it.
public enum ConfigLine {
    static func word(_ text: String) -> String { ConfigLexer.word(text) }
    static func quoted(_ text: String) -> String { ConfigLexer.quoted(text) }

    // MARK: system

    public static func hostname(_ name: String) -> String { "hostname " + word(name) }
    /// `system location "…"`, or its removal when `text` is nil.
    public static func systemLocation(_ text: String?) -> String { text.map { "system location " + quoted($0) } ?? "no system location" }
    public static func systemContact(_ text: String?) -> String { text.map { "system contact " + quoted($0) } ?? "no system contact" }
    public static func loginBanner(_ text: String?) -> String { text.map { "banner login " + quoted($0) } ?? "no banner login" }

    // MARK: time

    public static func ntpServer(_ host: String) -> String { "ntp server " + word(host) }

    // MARK: accounts

    /// Creates the account or changes its role (`role` as a word: `Role.rawValue`, or what a user typed).
    public static func accountRole(_ name: String, _ role: String) -> String { "account \(word(name)) role \(word(role))" }
    public static func accountRole(_ name: String, _ role: Role) -> String { accountRole(name, role.rawValue) }
    public static func accountLocked(_ name: String, _ locked: Bool) -> String {
        locked ? "account \(word(name)) locked" : "no account \(word(name)) locked"
    }
    public static func accountSSHKey(_ name: String, _ key: String, present: Bool = true) -> String {
        (present ? "" : "no ") + "account \(word(name)) ssh-key \(word(key))"
    }
    public static func noAccount(_ name: String) -> String { "no account \(word(name))" }

    // MARK: streams

    /// `stream NAME KEYWORD VALUE …`: a stream's settings in the order given.
    public static func stream(_ name: String, _ settings: [(keyword: String, value: String?)]) -> String {
        (["stream", word(name)] + settings.flatMap { setting in [setting.keyword] + (setting.value.map { [word($0)] } ?? []) })
            .joined(separator: " ")
    }
    /// Clears one setting of a stream (`no stream NAME autostart`).
    public static func noStreamSetting(_ name: String, _ keyword: String) -> String { "no stream \(word(name)) \(keyword)" }
    public static func noStream(_ name: String) -> String { "no stream \(word(name))" }

    // MARK: snmp

    /// The `snmp user` line that creates or replaces `user`; with `keys`
    /// false, without its localized keys (what may be shown).
    public static func snmpUser(_ user: USMUser, keys: Bool = true) -> String {
        var line = "snmp user \(word(user.name)) role \(user.role.rawValue) auth \(user.authProtocol.rawValue)"
        if keys { line += " auth-key \(user.authKey.hex)" }
        line += " priv \(user.privProtocol.rawValue)"
        if keys { line += " priv-key \(user.privKey.hex)" }
        return line
    }
    public static func noSNMPUser(_ name: String) -> String { "no snmp user \(word(name))" }
}
