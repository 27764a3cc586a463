/// The rule for file paths in the configuration (stream files, CA bundles,
/// certificates and keys).
public enum FilePath {
    /// What a valid path looks like, for error messages.
    public static let rule = "an absolute path (starting with /, without .. components or control characters)"

    /// Absolute, at most 4095 bytes (PATH_MAX - 1), no `..` component, no
    /// control characters.
    public static func isValid(_ path: String) -> Bool {
        guard path.hasPrefix("/"), path.utf8.count < 4096 else { return false }
        guard PrintableText.isValid(path), !path.contains("\t") else { return false }
        return !path.split(separator: "/").contains("..")
    }
}
