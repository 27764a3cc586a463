import Testing
@testable import CLIShell

@Suite struct LineEditorTests {
    func feed(_ editor: inout LineEditor, _ text: String) -> [LineEditor.Event] { editor.feed(Array(text.utf8)) }

    @Test func typingEditingAndEnterSubmitTheLine() {
        var editor = LineEditor(prompt: "> ")
        #expect(feed(&editor, "show procx").isEmpty)
        // Backspace, then the left arrow and an insertion in the middle.
        _ = feed(&editor, "\u{7f}esses")
        _ = feed(&editor, "\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D\u{1b}[D")
        #expect(editor.cursor == 0)
        _ = feed(&editor, "\u{05}") // Ctrl-E: to the end
        #expect(feed(&editor, "\r") == [.submit("show processes")])
        #expect(editor.text.isEmpty)
    }

    @Test func questionMarkAndTabAreEventsButTextInsideQuotes() {
        var editor = LineEditor(prompt: "> ")
        #expect(feed(&editor, "show ?") == [.help])
        #expect(editor.text == "show ")
        #expect(feed(&editor, "\t") == [.complete])
        _ = feed(&editor, "\"why?")
        #expect(editor.text == "show \"why?")
    }

    @Test func historyRecallsOlderAndNewerLines() {
        var editor = LineEditor(prompt: "> ")
        editor.addHistory("show processes")
        editor.addHistory("show streams")
        _ = feed(&editor, "\u{1b}[A")
        #expect(editor.text == "show streams")
        _ = feed(&editor, "\u{1b}[A")
        #expect(editor.text == "show processes")
        _ = feed(&editor, "\u{1b}[B")
        #expect(editor.text == "show streams")
        _ = feed(&editor, "\u{1b}[B")
        #expect(editor.text == "")
    }

    @Test func ctrlCDropsTheLineAndCtrlDEndsOnlyAnEmptyOne() {
        var editor = LineEditor(prompt: "> ")
        _ = feed(&editor, "stream delete cam1")
        #expect(feed(&editor, "\u{03}") == [.cancel])
        #expect(editor.text.isEmpty)
        _ = feed(&editor, "ab\u{01}")
        #expect(feed(&editor, "\u{04}").isEmpty, "Ctrl-D on a non-empty line deletes under the cursor")
        #expect(editor.text == "b")
        _ = feed(&editor, "\u{05}\u{15}") // Ctrl-E, Ctrl-U: the line is empty again
        #expect(feed(&editor, "\u{04}") == [.endOfInput])
    }

    @Test func anOverLongLineAndAControlFloodAreRefused() {
        var editor = LineEditor(prompt: "> ")
        let events = feed(&editor, String(repeating: "a", count: LineEditor.maximumLength + 1))
        #expect(events.count == 1)
        if case .refused = events.first {} else { Issue.record("expected a refusal, got \(events)") }
        #expect(editor.text.isEmpty)
        let flood = feed(&editor, "show" + String(repeating: "\u{12}", count: LineEditor.maximumStrayControls + 1))
        if case .refused = flood.last {} else { Issue.record("expected a refusal, got \(flood)") }
        #expect(editor.text.isEmpty)
    }

    @Test func utf8SplitAcrossReadsIsJoined() {
        var editor = LineEditor(prompt: "> ")
        let bytes = Array("é".utf8)
        _ = editor.feed([bytes[0]])
        _ = editor.feed([bytes[1]])
        #expect(editor.text == "é")
    }

    /// A paste holding a command and what it reads: the editor stops at the
    /// submitted line and leaves the rest (never echoed by it) to the command,
    /// or, given back, to the next lines.
    @Test func feedingStopsAtASubmittedLineAndKeepsTheRest() {
        var editor = LineEditor(prompt: "# ")
        #expect(feed(&editor, "certificate install\r-----BEGIN CERTIFICATE-----\rMIIB\r") == [.submit("certificate install")])
        #expect(!String(decoding: editor.output, as: UTF8.self).contains("BEGIN"), "the rest is not echoed as typed")
        #expect(editor.takePending() == Array("-----BEGIN CERTIFICATE-----\rMIIB\r".utf8))
        #expect(editor.takePending().isEmpty)
        #expect(feed(&editor, "show a\rshow b\r") == [.submit("show a")])
        #expect(editor.feed([]) == [.submit("show b")], "given back, the next line is read as before")
    }
}

