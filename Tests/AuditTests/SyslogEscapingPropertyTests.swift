import ApplianceCore
import TestSupport
import Testing
@testable import Audit

/// RFC 5424 §6.3.3 PARAM-VALUE escaping works on Unicode scalars: a `"`, `\`
/// or `]` followed by a combining mark is one Swift Character, and must still
/// be escaped, or the value ends the element early.
@Suite struct SyslogEscapingPropertyTests {
    static let pieces: [String] = ["\"", "]", "\\", "\u{301}", "\u{20DD}", "\u{FE0F}", "a", "é", " ", "=", "[", "x\u{301}", "\u{1F600}"]

    static func randomText(_ generator: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 1...12, using: &generator) { text += pieces.randomElement(using: &generator)! }
        return text
    }

    @Test func aQuoteBracketOrBackslashFollowedByACombiningMarkIsEscaped() throws {
        for value in ["\"\u{301}", "]\u{301}", "\\\u{301}", "a\"\u{301}] b"] {
            let escaped = SyslogMessage.escape(value)
            // Every special scalar is preceded by a backslash.
            let scalars = Array(escaped.unicodeScalars)
            var index = 0
            while index < scalars.count {
                if scalars[index] == "\\" { index += 2; continue }
                #expect(scalars[index] != "\"" && scalars[index] != "]", "unescaped special scalar in \(escaped.debugDescription)")
                index += 1
            }
        }
    }

    @Test func escapedParameterValuesParseBackToTheOriginal() throws {
        var generator = SeededGenerator(seed: 0x5EED_0013_0007)
        for round in 0..<2000 {
            let value = Self.randomText(&generator)
            let other = Self.randomText(&generator)
            let message = SyslogMessage(facility: .logAudit, severity: .notice, time: (1_700_000_000, 5), hostname: "h", appName: "cli",
                                        processID: "1", messageID: "m",
                                        structuredData: [.init(id: "audit@32473", parameters: [("a", value), ("b", other)])], message: "msg")
            let parsed: ReceivedSyslogMessage
            do {
                parsed = try RFC5424Parser.parse(Array(message.encoded.utf8))
            } catch {
                Issue.record("round \(round): \(value.debugDescription) did not parse: \(error)")
                return
            }
            #expect(parsed.parameter("a", in: "audit@32473") == value, "round \(round): \(value.debugDescription)")
            #expect(parsed.parameter("b", in: "audit@32473") == other, "round \(round): \(other.debugDescription)")
            #expect(parsed.message == "msg")
        }
    }
}
