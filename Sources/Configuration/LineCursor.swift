/// Reads the words of one configuration line in order, turning each wrong
/// or missing word into a `ConfigSyntaxError` that points at it.
struct LineCursor {
    let tokens: [ConfigToken]
    let line: Int
    /// One past the last character: where "found end of line" points.
    let endColumn: Int
    private(set) var position = 0

    init(tokens: [ConfigToken], line: Int, endColumn: Int) {
        self.tokens = tokens
        self.line = line
        self.endColumn = endColumn
    }

    var isAtEnd: Bool { position >= tokens.count }

    var peek: ConfigToken? { isAtEnd ? nil : tokens[position] }

    /// An error at `token`, or at the end of the line when nil.
    func failure(expected: String, at token: ConfigToken?) -> ConfigSyntaxError {
        ConfigSyntaxError(line: line, column: token?.column ?? endColumn, expected: expected, found: token?.text)
    }

    /// The next word, whatever it is.
    mutating func next(_ expected: String) throws(ConfigSyntaxError) -> ConfigToken {
        guard let token = peek else { throw failure(expected: expected, at: nil) }
        position += 1
        return token
    }

    /// The next word, which must be one of `choices`.
    mutating func keyword(_ choices: [String], _ expected: String) throws(ConfigSyntaxError) -> ConfigToken {
        let token = try next(expected)
        guard !token.quoted, choices.contains(token.text) else { throw failure(expected: expected, at: token) }
        return token
    }

    /// Consumes the next word if it is the bare keyword `word`.
    mutating func take(_ word: String) -> Bool {
        guard let token = peek, !token.quoted, token.text == word else { return false }
        position += 1
        return true
    }

    /// The next word converted by `convert`, which returns nil when the word is wrong.
    mutating func value<T>(_ expected: String, _ convert: (String) -> T?) throws(ConfigSyntaxError) -> T {
        let token = try next(expected)
        guard let result = convert(token.text) else { throw failure(expected: expected, at: token) }
        return result
    }

    /// A number in `range`, decimal or `0x` hex.
    mutating func number(_ range: ClosedRange<Int>, for what: String) throws(ConfigSyntaxError) -> Int {
        try value("a number \(range.lowerBound)-\(range.upperBound) for \(what)") { text in
            guard let number = LineCursor.integer(text), range.contains(number) else { return nil }
            return number
        }
    }

    /// The line must end here.
    mutating func end() throws(ConfigSyntaxError) {
        if let token = peek { throw failure(expected: "end of line", at: token) }
    }

    /// Refuses a second occurrence of an option within one line.
    func once(_ token: ConfigToken, _ seen: inout Set<String>) throws(ConfigSyntaxError) {
        guard seen.insert(token.text).inserted else {
            throw failure(expected: "\"\(token.text)\" at most once per line", at: token)
        }
    }

    /// Decimal digits or `0x` and hex digits; no sign; at most 18 digits so nothing overflows.
    static func integer(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        if bytes.count > 2, bytes[0] == UInt8(ascii: "0"), bytes[1] | 0x20 == UInt8(ascii: "x") {
            guard bytes.count <= 17, bytes[2...].allSatisfy(IPAddress.isHexDigit) else { return nil }
            return Int(String(decoding: bytes[2...], as: UTF8.self), radix: 16)
        }
        guard !bytes.isEmpty, bytes.count <= 18, bytes.allSatisfy(ConfigName.isDigit) else { return nil }
        return Int(text)
    }
}
