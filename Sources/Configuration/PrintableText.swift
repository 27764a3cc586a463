/// The rule for free text in the configuration (location, contact, comments,
/// ssh key comments): no control characters, which could garble a terminal,
/// and no Unicode format characters such as bidirectional overrides, which
/// could make a line display differently from what it says (CVE-2021-42574).
/// Tab is allowed.
public enum PrintableText {
    /// Whether `scalar` may appear in configuration text.
    public static func allows(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return false
        default: return true
        }
    }

    /// Whether every character of `text` is allowed.
    public static func isValid(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(allows)
    }
}
