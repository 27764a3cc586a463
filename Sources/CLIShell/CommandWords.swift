import Configuration

/// One word of a command line as typed.
public struct CommandWord: Equatable, Sendable {
    /// The word, quotes removed and escapes resolved.
    public var text: String
    /// 0-based offset (in characters) of its first character, quote included.
    public var start: Int
    /// Offset one past its last character.
    public var end: Int
    public var quoted: Bool
}

/// Why a line was refused, and where: `column` is a 0-based character offset
/// into the line, so the CLI can put a `^` under the offending word.
public struct CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    public var column: Int
    public var message: String
    public init(column: Int, _ message: String) {
        self.column = column
        self.message = message
    }
    public var description: String { message }
}

/// Splits a command line into words the way the configuration language does
/// (docs/CONFIGURATION.md): blanks separate words; a double-quoted word may
/// hold blanks and the escapes `\"`, `\\`, `\n`. Control characters are
/// refused; so is a line longer than `maximumLength`.
public enum CommandWords {
    public static let maximumLength = 4096

    public struct Split: Equatable, Sendable {
        public var words: [CommandWord]
        /// The line ends inside a quoted word (still being typed).
        public var openQuote: Bool
        /// The line ends with a blank: the next word has not started.
        public var endsWithBlank: Bool
    }

    /// Splits `line`; with `partial`, an unterminated quote is not an error
    /// (completion and help look at a line still being typed).
    public static func split(_ line: String, partial: Bool = false) throws(CommandError) -> Split {
        let characters = Array(line)
        guard characters.count <= maximumLength else {
            throw CommandError(column: maximumLength, "the line is longer than \(maximumLength) characters")
        }
        var words: [CommandWord] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == " " || character == "\t" {
                index += 1
                continue
            }
            if let bad = character.unicodeScalars.first(where: isControl) {
                throw CommandError(column: index, "control character U+\(String(bad.value, radix: 16, uppercase: true)) is not allowed")
            }
            let start = index
            var text = ""
            if character == "\"" {
                index += 1
                var closed = false
                while index < characters.count {
                    let c = characters[index]
                    if c.unicodeScalars.contains(where: isControl) {
                        throw CommandError(column: index, "control character in a quoted word (write a newline as \\n)")
                    }
                    if c == "\"" {
                        closed = true
                        index += 1
                        break
                    }
                    if c == "\\" {
                        guard index + 1 < characters.count else { break }
                        switch characters[index + 1] {
                        case "\"": text.append("\"")
                        case "\\": text.append("\\")
                        case "n": text.append("\n")
                        default: throw CommandError(column: index, "unknown escape \\\(characters[index + 1]) (use \\\", \\\\ or \\n)")
                        }
                        index += 2
                        continue
                    }
                    text.append(c)
                    index += 1
                }
                if !closed {
                    if partial {
                        words.append(CommandWord(text: text, start: start, end: index, quoted: true))
                        return Split(words: words, openQuote: true, endsWithBlank: false)
                    }
                    throw CommandError(column: start, "this quoted word has no closing quote")
                }
                words.append(CommandWord(text: text, start: start, end: index, quoted: true))
                continue
            }
            while index < characters.count, characters[index] != " ", characters[index] != "\t" {
                if let bad = characters[index].unicodeScalars.first(where: isControl) {
                    throw CommandError(column: index, "control character U+\(String(bad.value, radix: 16, uppercase: true)) is not allowed")
                }
                text.append(characters[index])
                index += 1
            }
            words.append(CommandWord(text: text, start: start, end: index, quoted: false))
        }
        let endsWithBlank = characters.last.map { $0 == " " || $0 == "\t" } ?? true
        return Split(words: words, openQuote: false, endsWithBlank: endsWithBlank)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }

    /// `text` as one word of a command or configuration line: bare when it
    /// can be, else quoted with escapes. The configuration language's own
    /// rule, by Unicode scalar (a blank or `"` followed by a combining mark
    /// is one Swift Character, and still needs the quotes or the escape).
    public static func quote(_ text: String) -> String { ConfigRenderer.word(text) }
}
