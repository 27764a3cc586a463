/// The interactive line: editing keys, history, and the events the shell acts
/// on (`?` help, Tab completion, Enter, Ctrl-C, Ctrl-D). Pure: bytes in,
/// events and screen output out, so it is tested without a terminal.
public struct LineEditor {
    public enum Event: Equatable {
        /// Enter: the line to run.
        case submit(String)
        /// `?`: show what may come next at the cursor.
        case help
        /// Tab.
        case complete
        /// Ctrl-C: the line was dropped.
        case cancel
        /// Ctrl-D on an empty line.
        case endOfInput
        /// Too many control characters, or a line past the limit: dropped.
        case refused(String)
    }

    public static let maximumLength = 1024
    /// Control characters tolerated in one line before it is dropped.
    public static let maximumStrayControls = 32
    public static let historySize = 200

    public private(set) var line: [Character] = []
    public private(set) var cursor = 0
    public private(set) var history: [String] = []
    private var historyIndex: Int?
    private var pending: [UInt8] = []
    private var strayControls = 0
    /// What to write to the terminal after the last `feed`.
    public var output: [UInt8] = []
    public var prompt: String

    public init(prompt: String) { self.prompt = prompt }

    public var text: String { String(line) }

    /// Replaces the line (completion) and redraws it.
    public mutating func replace(from start: Int, with text: String) {
        line = Array(line[0..<min(start, line.count)]) + Array(text)
        if line.count > Self.maximumLength { line = Array(line.prefix(Self.maximumLength)) }
        cursor = line.count
        redraw()
    }

    public mutating func addHistory(_ entry: String) {
        guard !entry.isEmpty, history.last != entry else { return }
        history.append(entry)
        if history.count > Self.historySize { history.removeFirst() }
    }

    /// Starts a fresh line: the prompt, nothing typed.
    public mutating func newLine() {
        line = []
        cursor = 0
        historyIndex = nil
        strayControls = 0
        emit(prompt)
    }

    /// Redraws prompt and line with the cursor in place.
    public mutating func redraw() {
        emit("\r" + prompt + String(line) + "\u{1b}[K")
        let back = line.count - cursor
        if back > 0 { emit("\u{1b}[\(back)D") }
    }

    mutating func emit(_ text: String) { output += Array(text.utf8) }

    /// Feeds terminal bytes; returns the events they complete, in order. It
    /// stops after a submitted line: what follows it (a paste the command
    /// reads, or the next lines typed ahead) stays for `takePending`.
    public mutating func feed(_ bytes: [UInt8]) -> [Event] {
        var events: [Event] = []
        pending += bytes
        while !pending.isEmpty {
            let byte = pending[0]
            if byte == 0x1b {
                guard let consumed = escapeSequence() else { break }
                pending.removeFirst(consumed)
                continue
            }
            if byte >= 0x80 {
                // A UTF-8 sequence: wait until it is whole.
                let length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
                guard pending.count >= length else { break }
                let scalarBytes = Array(pending[0..<length])
                pending.removeFirst(length)
                let text = String(decoding: scalarBytes, as: UTF8.self)
                if length == 1 || text.unicodeScalars.contains(where: CommandWords.isControl) || text == "\u{FFFD}" {
                    if let refusal = stray() { events.append(refusal) }
                    continue
                }
                if let refusal = insert(Character(text)) { events.append(refusal) }
                continue
            }
            pending.removeFirst()
            if let event = key(byte) {
                events.append(event)
                if case .submit = event { break }
            }
        }
        return events
    }

    /// The bytes after the last submitted line, not yet read as keys.
    public mutating func takePending() -> [UInt8] {
        defer { pending = [] }
        return pending
    }

    private mutating func key(_ byte: UInt8) -> Event? {
        switch byte {
        case 0x0d, 0x0a:
            let submitted = String(line)
            emit("\r\n")
            line = []
            cursor = 0
            historyIndex = nil
            strayControls = 0
            return .submit(submitted)
        case 0x03:
            emit("^C\r\n")
            line = []
            cursor = 0
            historyIndex = nil
            strayControls = 0
            return .cancel
        case 0x04:
            if line.isEmpty { return .endOfInput }
            if cursor < line.count { line.remove(at: cursor); redraw() }
        case 0x7f, 0x08:
            if cursor > 0 { cursor -= 1; line.remove(at: cursor); redraw() }
        case 0x09: return .complete
        case 0x01: cursor = 0; redraw()
        case 0x05: cursor = line.count; redraw()
        case 0x02: if cursor > 0 { cursor -= 1; redraw() }
        case 0x06: if cursor < line.count { cursor += 1; redraw() }
        case 0x0b: line.removeSubrange(cursor...); redraw()
        case 0x15: line.removeSubrange(0..<cursor); cursor = 0; redraw()
        case 0x17:
            var start = cursor
            while start > 0 && line[start - 1] == " " { start -= 1 }
            while start > 0 && line[start - 1] != " " { start -= 1 }
            line.removeSubrange(start..<cursor)
            cursor = start
            redraw()
        case 0x0c: emit("\u{1b}[H\u{1b}[2J"); redraw()
        case 0x10: recall(older: true)
        case 0x0e: recall(older: false)
        case UInt8(ascii: "?") where !insideQuote:
            return .help
        case 0x20...0x7e:
            return insert(Character(Unicode.Scalar(byte)))
        default:
            return stray()
        }
        return nil
    }

    /// A control character with no meaning here: a bell, and too many drop the line.
    private mutating func stray() -> Event? {
        strayControls += 1
        if strayControls > Self.maximumStrayControls {
            line = []
            cursor = 0
            strayControls = 0
            pending = []
            emit("\r\n")
            return .refused("too many control characters: the line was dropped")
        }
        emit("\u{07}")
        return nil
    }

    private mutating func insert(_ character: Character) -> Event? {
        guard line.count < Self.maximumLength else {
            line = []
            cursor = 0
            pending = []
            emit("\r\n")
            return .refused("a line is at most \(Self.maximumLength) characters: the line was dropped")
        }
        line.insert(character, at: cursor)
        cursor += 1
        if cursor == line.count {
            emit(String(character))
        } else {
            redraw()
        }
        return nil
    }

    /// Whether the cursor is inside a double-quoted word (`?` is text there).
    var insideQuote: Bool {
        var open = false
        var escaped = false
        for character in line[0..<cursor] {
            if escaped { escaped = false; continue }
            if character == "\\" && open { escaped = true; continue }
            if character == "\"" { open.toggle() }
        }
        return open
    }

    private mutating func recall(older: Bool) {
        guard !history.isEmpty else { return }
        if older {
            historyIndex = max(0, (historyIndex ?? history.count) - 1)
        } else {
            guard let index = historyIndex else { return }
            historyIndex = index + 1 < history.count ? index + 1 : nil
        }
        line = historyIndex.map { Array(history[$0]) } ?? []
        cursor = line.count
        redraw()
    }

    /// Consumes an escape sequence (arrows, Home/End, Delete); nil while incomplete.
    private mutating func escapeSequence() -> Int? {
        guard pending.count >= 2 else { return nil }
        let kind = pending[1]
        guard kind == UInt8(ascii: "[") || kind == UInt8(ascii: "O") else { return 1 }
        var index = 2
        while index < pending.count, (0x30...0x3f).contains(pending[index]) { index += 1 }
        guard index < pending.count else { return pending.count > 16 ? pending.count : nil }
        let final = pending[index]
        let parameter = String(decoding: pending[2..<index], as: UTF8.self)
        switch (final, parameter) {
        case (UInt8(ascii: "A"), _): recall(older: true)
        case (UInt8(ascii: "B"), _): recall(older: false)
        case (UInt8(ascii: "C"), _): if cursor < line.count { cursor += 1; redraw() }
        case (UInt8(ascii: "D"), _): if cursor > 0 { cursor -= 1; redraw() }
        case (UInt8(ascii: "H"), _), (UInt8(ascii: "~"), "1"), (UInt8(ascii: "~"), "7"): cursor = 0; redraw()
        case (UInt8(ascii: "F"), _), (UInt8(ascii: "~"), "4"), (UInt8(ascii: "~"), "8"): cursor = line.count; redraw()
        case (UInt8(ascii: "~"), "3"): if cursor < line.count { line.remove(at: cursor); redraw() }
        default: break
        }
        return index + 1
    }
}
