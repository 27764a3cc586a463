import Foundation
import Testing
@testable import CLIShell

/// What the CLI prints from data cannot drive the terminal: C0, DEL and C1
/// controls are written visibly, in JSON's notation.
@Suite struct TerminalTextTests {
    @Test func controlCharactersAreWrittenVisibly() {
        let text = "a\u{1B}[2J\u{07}b\u{9B}31m\u{7F}c\u{85}d\ne\rf\tg\u{0}é"
        #expect(TerminalText.escaped(text) == #"a\u001b[2J\u0007b\u009b31m\u007fc\u0085d\ne\rf\tg\u0000é"#)
        #expect(TerminalText.escaped(text, keepingLineBreaks: true) == "a\\u001b[2J\\u0007b\\u009b31m\\u007fc\\u0085d\ne\\rf\\tg\\u0000é")
        #expect(TerminalText.escaped("plain text, ünïcödé ✓\n", keepingLineBreaks: true) == "plain text, ünïcödé ✓\n")
        // A control character after a combining mark is still found (by scalar).
        #expect(TerminalText.escaped("e\u{301}\u{1B}") == "e\u{301}\\u001b")
    }

    @Test func escapedJSONStaysJSONAndReadsBackToTheOriginal() throws {
        let original = ["text": "x\u{9B}y\u{7F}z\u{1B}"]
        let json = String(decoding: try JSONEncoder().encode(original), as: UTF8.self)
        let shown = TerminalText.escaped(json, keepingLineBreaks: true)
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(try JSONDecoder().decode([String: String].self, from: Data(shown.utf8)) == original)
    }
}
