/// A line of configuration text that could not be read: where, what was
/// expected there, and what was found instead.
///
///     line 4, column 12: expected a number 1-255 for ttl, found "300"
public struct ConfigSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column (in Unicode scalars) of the offending word; one past the
    /// last character when the line ended too early.
    public var column: Int
    /// What would have been accepted at that place.
    public var expected: String
    /// The word found there, or nil at the end of the line.
    public var found: String?

    public init(line: Int, column: Int, expected: String, found: String?) {
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
    }

    public var description: String {
        let what = found.map { "\"\(ConfigSyntaxError.printable($0))\"" } ?? "end of line"
        return "line \(line), column \(column): expected \(expected), found \(what)"
    }

    /// Shows control characters as `\u{..}` and cuts long words, so a hostile
    /// line cannot garble the terminal or the log that shows the error.
    package static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(60) {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        if text.unicodeScalars.count > 60 { out += "..." }
        return out
    }
}
