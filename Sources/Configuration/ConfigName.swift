/// The rule for names the configuration gives to its own objects: accounts,
/// streams and SNMP users. Names appear in CLI commands, file paths of
/// per-stream state, tc class comments and audit messages, so they are kept to
/// a character set that needs no quoting anywhere.
public enum ConfigName {
    /// The longest name allowed.
    public static let maximumLength = 32

    /// What a valid name looks like, for error messages.
    public static let rule = "1-32 lowercase letters, digits, '-' or '_', starting with a letter"

    /// Whether `name` is 1-32 characters of `a-z`, `0-9`, `-`, `_`, starting with a letter.
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= maximumLength, isLowercaseLetter(first) else { return false }
        return bytes.allSatisfy { isLowercaseLetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    static func isLowercaseLetter(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
