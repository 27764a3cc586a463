/// One word of a configuration line.
package struct ConfigToken: Equatable, Sendable {
    /// The word, with quotes removed and escapes resolved.
    package var text: String
    /// 1-based column (Unicode scalars) where the word (or its opening quote) starts.
    package var column: Int
    /// Whether it was written in double quotes.
    package var quoted: Bool
}

/// Splits one line into words: runs of non-blank characters, or double-quoted
/// strings with the escapes `\"`, `\\` and `\n`. Spaces and tabs separate
/// words. A line whose first non-blank character is `!` is a comment.
package enum ConfigLexer {
    /// The longest line read (a 4 KiB banner fully escaped fits).
    static let maximumLineLength = 16384

    /// The words of `line` (empty for a blank or comment line).
    package static func tokens(of line: ArraySlice<Unicode.Scalar>, lineNumber: Int) throws(ConfigSyntaxError) -> [ConfigToken] {
        let scalars = Array(line)
        guard scalars.count <= maximumLineLength else {
            throw ConfigSyntaxError(line: lineNumber, column: maximumLineLength + 1,
                                    expected: "a line of at most \(maximumLineLength) characters", found: nil)
        }
        var tokens: [ConfigToken] = []
        var index = 0

        func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }
        func checkPrintable(_ scalar: Unicode.Scalar, at position: Int) throws(ConfigSyntaxError) {
            if !PrintableText.allows(scalar) {
                throw ConfigSyntaxError(line: lineNumber, column: position + 1,
                                        expected: "printable text (write a newline inside quotes as \\n)",
                                        found: "U+" + String(scalar.value, radix: 16, uppercase: true))
            }
        }

        while index < scalars.count {
            if isBlank(scalars[index]) {
                index += 1
                continue
            }
            if tokens.isEmpty && scalars[index] == "!" {
                // Comments may hold anything printable; control characters
                // are still refused so that nothing hides in them.
                for position in index..<scalars.count { try checkPrintable(scalars[position], at: position) }
                return []
            }
            let start = index
            if scalars[index] == "\"" {
                index += 1
                var text = String.UnicodeScalarView()
                var closed = false
                while index < scalars.count {
                    let scalar = scalars[index]
                    if scalar == "\"" {
                        closed = true
                        index += 1
                        break
                    }
                    if scalar == "\\" {
                        guard index + 1 < scalars.count else {
                            throw ConfigSyntaxError(line: lineNumber, column: index + 1,
                                                    expected: "an escape \\\", \\\\ or \\n", found: "\\")
                        }
                        switch scalars[index + 1] {
                        case "\"": text.append("\"")
                        case "\\": text.append("\\")
                        case "n": text.append("\n")
                        default:
                            throw ConfigSyntaxError(line: lineNumber, column: index + 1,
                                                    expected: "an escape \\\", \\\\ or \\n",
                                                    found: "\\" + String(scalars[index + 1]))
                        }
                        index += 2
                        continue
                    }
                    try checkPrintable(scalar, at: index)
                    text.append(scalar)
                    index += 1
                }
                guard closed else {
                    throw ConfigSyntaxError(line: lineNumber, column: scalars.count + 1,
                                            expected: "a closing quote for the string opened at column \(start + 1)", found: nil)
                }
                if index < scalars.count && !isBlank(scalars[index]) {
                    throw ConfigSyntaxError(line: lineNumber, column: index + 1,
                                            expected: "a space after the closing quote", found: word(scalars, from: index))
                }
                tokens.append(ConfigToken(text: String(text), column: start + 1, quoted: true))
            } else {
                var text = String.UnicodeScalarView()
                while index < scalars.count && !isBlank(scalars[index]) {
                    let scalar = scalars[index]
                    if scalar == "\"" {
                        throw ConfigSyntaxError(line: lineNumber, column: index + 1,
                                                expected: "a quote only at the start of a word", found: word(scalars, from: start))
                    }
                    try checkPrintable(scalar, at: index)
                    text.append(scalar)
                    index += 1
                }
                tokens.append(ConfigToken(text: String(text), column: start + 1, quoted: false))
            }
        }
        return tokens
    }

    private static func word(_ scalars: [Unicode.Scalar], from start: Int) -> String {
        var text = String.UnicodeScalarView()
        var index = start
        while index < scalars.count && scalars[index] != " " && scalars[index] != "\t" {
            text.append(scalars[index])
            index += 1
        }
        return String(text)
    }

    /// Writes `text` as one word: bare when it can be, else quoted and escaped.
    static func word(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.unicodeScalars.contains {
            $0 == " " || $0 == "\t" || $0 == "\"" || $0 == "\\" || $0 == "\n" || $0 == "!"
        }
        return needsQuotes ? quoted(text) : text
    }

    /// Writes `text` in double quotes with `"`, `\` and newlines escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
