/// The secrets of the configuration language kept out of audit records and
/// answers: the word after a secret keyword (`snmp user … auth-key HEX
/// priv-key HEX`, `account … password-hash "…"`, `password-history "…"`).
/// The CLI (`cli-command` events) and webd (configd's messages quoting a
/// line) both redact with this, so a secret keyword added to the language is
/// added here once. (`ConfigRenderer` writes exactly these words only when
/// secrets are disclosed; ConfigurationTests checks the two agree.)
public enum ConfigRedaction {
    /// The keywords whose next word is a secret.
    public static let secretKeywords: Set<String> = ["password-hash", "password-history", "auth-key", "priv-key"]

    /// What a secret is replaced with.
    public static let placeholder = "<redacted>"

    /// `line` (a command line typed or sent, in the configuration language
    /// or the CLI's) with the word after every secret keyword replaced.
    public static func redacted(line: String) -> String {
        redacted(line, secretsOf: [line])
    }

    /// `text` (a message, which may quote `lines` or parts of them, such as a
    /// parser's `found "…"`) with every secret written in `lines` replaced.
    public static func redacted(_ text: String, secretsOf lines: [String]) -> String {
        var out = text
        // Longest first, so a secret that contains another is replaced whole.
        for secret in lines.flatMap(secrets(in:)).sorted(by: { $0.unicodeScalars.count > $1.unicodeScalars.count }) {
            out = replacing(secret, in: out)
        }
        return out
    }

    /// Every occurrence of `secret` in `text` replaced, compared by Unicode
    /// scalar (a secret followed by a combining mark is still found).
    static func replacing(_ secret: String, in text: String) -> String {
        let needle = Array(secret.unicodeScalars), haystack = Array(text.unicodeScalars)
        guard !needle.isEmpty, haystack.count >= needle.count else { return text }
        var out = String.UnicodeScalarView()
        var index = 0
        while index < haystack.count {
            if index + needle.count <= haystack.count && haystack[index..<index + needle.count].elementsEqual(needle) {
                out.append(contentsOf: placeholder.unicodeScalars)
                index += needle.count
            } else {
                out.append(haystack[index])
                index += 1
            }
        }
        return String(out)
    }

    /// The secret values written in `line`, as they appear in it (inside the
    /// quotes when quoted), and as the lexer reads them when that differs.
    /// Words are split at blanks, quotes honoured, so that a line the lexer
    /// refuses (a typo elsewhere) is still redacted.
    public static func secrets(in line: String) -> [String] {
        let words = Self.words(line)
        var found: [String] = []
        for (index, word) in words.enumerated() where index + 1 < words.count && looksLikeSecretKeyword(word.text) {
            let value = words[index + 1]
            if !value.raw.isEmpty { found.append(value.raw) }
            if value.text != value.raw && !value.text.isEmpty { found.append(value.text) }
        }
        return found
    }

    /// A secret keyword, or what a slip of the keyboard makes of one: within
    /// two edits of one (`auth-ky`, `priv_key`, `pasword-hash`), or any word
    /// starting `password` (`account bob password Secret-1`, which the
    /// language refuses, must not put the password in the audit trail).
    /// Withholding a word too many costs the record little; one too few
    /// costs a secret.
    static func looksLikeSecretKeyword(_ word: String) -> Bool {
        let lowered = String(word.unicodeScalars.prefix(32)).lowercased()
        if secretKeywords.contains(lowered) || lowered.hasPrefix("password") || lowered.hasPrefix("passwd") { return true }
        return secretKeywords.contains { editDistance(lowered, $0, atMost: 2) <= 2 }
    }

    /// Levenshtein distance of `a` and `b` by Unicode scalar, or `limit + 1`
    /// as soon as it must exceed `limit`.
    static func editDistance(_ a: String, _ b: String, atMost limit: Int) -> Int {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        guard abs(x.count - y.count) <= limit else { return limit + 1 }
        guard !x.isEmpty, !y.isEmpty else { return max(x.count, y.count) }
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            if current.min()! > limit { return limit + 1 }
            previous = current
        }
        return previous[y.count]
    }

    /// Blank-separated words: `raw` as written (without the enclosing
    /// quotes), `text` with `\"`, `\\` and `\n` resolved. An unclosed quote
    /// runs to the end of the line.
    static func words(_ line: String) -> [(raw: String, text: String)] {
        let scalars = Array(line.unicodeScalars)
        var words: [(raw: String, text: String)] = []
        var index = 0
        while index < scalars.count {
            if scalars[index] == " " || scalars[index] == "\t" { index += 1; continue }
            var raw = String.UnicodeScalarView(), text = String.UnicodeScalarView()
            if scalars[index] == "\"" {
                index += 1
                while index < scalars.count && scalars[index] != "\"" {
                    if scalars[index] == "\\" && index + 1 < scalars.count {
                        let next = scalars[index + 1]
                        raw.append(scalars[index])
                        raw.append(next)
                        text.append(next == "n" ? "\n" : next)
                        index += 2
                        continue
                    }
                    raw.append(scalars[index])
                    text.append(scalars[index])
                    index += 1
                }
                index += 1
            } else {
                while index < scalars.count && scalars[index] != " " && scalars[index] != "\t" {
                    raw.append(scalars[index])
                    text.append(scalars[index])
                    index += 1
                }
            }
            words.append((String(raw), String(text)))
        }
        return words
    }
}
