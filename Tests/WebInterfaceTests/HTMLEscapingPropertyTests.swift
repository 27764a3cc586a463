import TestSupport
import Testing
@testable import WebInterface

/// HTML escaping works on Unicode scalars: `<`, `&` or `"` followed by a
/// combining mark is one Swift Character and must still be escaped.
@Suite struct HTMLEscapingPropertyTests {
    static let pieces: [String] = ["<", ">", "&", "\"", "'", "\u{301}", "\u{338}", "\u{20DD}", "a", "é", " ", ";", "#", "amp", "\u{1F600}"]
    static let entities = ["&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'"]

    /// The escaped text read back: every `&` must start one of the five
    /// entities, and no `<`, `>`, `"` or `'` scalar may be left bare.
    static func unescape(_ html: String) -> String? {
        var out = String.UnicodeScalarView()
        let scalars = Array(html.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "<" || scalar == ">" || scalar == "\"" || scalar == "'" { return nil }
            if scalar == "&" {
                guard let (entity, text) = entities.first(where: { entity, _ in
                    Array(entity.unicodeScalars) == Array(scalars[index..<min(scalars.count, index + entity.unicodeScalars.count)])
                }) else { return nil }
                out.append(contentsOf: text.unicodeScalars)
                index += entity.unicodeScalars.count
                continue
            }
            out.append(scalar)
            index += 1
        }
        return String(out)
    }

    @Test func aSpecialCharacterFollowedByACombiningMarkIsEscaped() {
        for text in ["<\u{338}script>", "&\u{301}", "\"\u{301} onmouseover=x", "'\u{301}", ">\u{20DD}"] {
            let escaped = HTMLPage.escape(text)
            #expect(Self.unescape(escaped) == text, "\(text.debugDescription) escaped as \(escaped.debugDescription)")
        }
    }

    @Test func escapedTextHasNoBareSpecialScalarAndReadsBackToTheOriginal() {
        var generator = SeededGenerator(seed: 0x5EED_0013_0007)
        for round in 0..<2000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...16, using: &generator) { text += Self.pieces.randomElement(using: &generator)! }
            let escaped = HTMLPage.escape(text)
            #expect(Self.unescape(escaped) == text, "round \(round): \(text.debugDescription) escaped as \(escaped.debugDescription)")
        }
    }
}
