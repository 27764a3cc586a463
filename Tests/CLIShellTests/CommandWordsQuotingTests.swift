import Configuration
import TestSupport
import Testing
@testable import CLIShell

/// The CLI writes a typed value into a configuration line with
/// `CommandWords.quote`: by Unicode scalar, so a blank, `"` or `\` followed by
/// a combining mark (one Swift Character) is still quoted or escaped, and
/// configd reads back exactly that one value (no extra words).
@Suite struct CommandWordsQuotingTests {
    static let pieces: [String] = ["\"", "\\", " ", "\t", "\u{301}", "\u{20DD}", "a", "é", "!", "n", "role", "\u{1F600}"]

    @Test func quotedValuesReadBackAsOneWordWithCombiningMarks() throws {
        var generator = SeededGenerator(seed: 0x5EED_0013_0007)
        var texts = ["a \u{301}locked", "\"\u{301}", "\\\u{301}", "x\t\u{301}y"]
        for _ in 0..<1000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...12, using: &generator) { text += Self.pieces.randomElement(using: &generator)! }
            texts.append(text)
        }
        for text in texts {
            var config = ApplianceConfig()
            let line = "system contact " + CommandWords.quote(text)
            do {
                try ConfigParser.apply(line: line, to: &config)
                #expect(config.system.contact == text, "\(text.debugDescription) → \(line.debugDescription)")
            } catch {
                Issue.record("\(text.debugDescription) → \(line.debugDescription) refused: \(error)")
            }
        }
    }
}
