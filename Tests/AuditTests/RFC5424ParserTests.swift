import ApplianceCore
import TestSupport
import Testing
@testable import Audit

@Suite struct RFC5424ParserTests {
    func parse(_ text: String) throws -> ReceivedSyslogMessage {
        try RFC5424Parser.parse(Array(text.utf8))
    }

    /// RFC 5424 §6.5 example 1 (with its BOM before the MSG).
    @Test func example1WithBOM() throws {
        let bytes = Array("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - ".utf8) + [0xEF, 0xBB, 0xBF] + Array("'su root' failed for lonvick on /dev/pts/8".utf8)
        let message = try RFC5424Parser.parse(bytes)
        #expect(message.facility == 4 && message.severity == 2 && message.version == 1)
        #expect(message.timestamp == "2003-10-11T22:14:15.003Z" && message.hostname == "mymachine.example.com")
        #expect(message.appName == "su" && message.processID == nil && message.messageID == "ID47")
        #expect(message.structuredData.isEmpty && message.message == "'su root' failed for lonvick on /dev/pts/8")
    }

    /// §6.5 example 2: a time zone offset, microseconds, no MSGID.
    @Test func example2WithOffsetTimestamp() throws {
        let message = try parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nots.")
        #expect(message.facility == 20 && message.severity == 5 && message.processID == "8710" && message.messageID == nil)
        #expect(message.message == "%% It's time to make the do-nots.")
    }

    /// §6.5 example 4: two SD elements and no MSG.
    @Test func example4WithTwoElements() throws {
        let message = try parse(#"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]"#)
        #expect(message.structuredData.map(\.id) == ["exampleSDID@32473", "examplePriority@32473"])
        #expect(message.parameter("eventID", in: "exampleSDID@32473") == "1011")
        #expect(message.parameter("class", in: "examplePriority@32473") == "high")
        #expect(message.message.isEmpty)
    }

    /// §6.3.3: `\"`, `\\`, `\]` are escapes; any other backslash stays.
    @Test func parameterEscapesDecode() throws {
        let message = try parse(#"<13>1 - - - - - [x@32473 a="q\"b\\c\]d\e"] m"#)
        #expect(message.parameter("a", in: "x@32473") == #"q"b\c]d\e"#)
    }

    @Test func ourEncoderAndTheParserAgree() throws {
        let sent = SyslogMessage(facility: .logAudit, severity: .warning, time: (1_763_700_000, 123_456), hostname: "enc-1", appName: "configd",
                                 processID: "42", messageID: "config-change",
                                 structuredData: [.init(id: "audit@32473", parameters: [("change", #"+ banner login "a]b\c""#)])], message: "ok")
        let parsed = try parse(sent.encoded)
        #expect(parsed.parameter("change", in: "audit@32473") == #"+ banner login "a]b\c""#)
        #expect(parsed.encoded(defaultTimestamp: "-") == sent.encoded)
    }

    @Test(arguments: [
        ("34>1 - - - - - -", 0, "\"<\" opening the PRI"),
        ("<192>1 - - - - - -", 1, "PRI, a number 0-191"),
        ("<034>1 - - - - - -", 1, "PRI, a number 0-191"),
        ("<34>0 - - - - - -", 4, "VERSION, a number 1-999"),
        ("<34>1 2003-13-11T22:14:15Z h a p m -", 6, "TIMESTAMP as RFC 3339 (2003-10-11T22:14:15.003Z), or \"-\""),
        ("<34>1 2003-10-11T22:14:15.0000001Z h a p m -", 6, "TIMESTAMP as RFC 3339 (2003-10-11T22:14:15.003Z), or \"-\""),
        ("<34>1 - h a p m", 15, "a space"),
        ("<34>1 - h a p m x", 16, "STRUCTURED-DATA: \"[\" or \"-\""),
        ("<34>1 - h a p m [id a=\"1\"", 25, "\"]\" closing the SD-ELEMENT, or a space and a parameter"),
        ("<34>1 - h a p m [id a=\"x]\"]", 24, "\"]\" escaped as \"\\]\" inside a PARAM-VALUE"),
        ("<34>1 - h a p m [id a=\"1\"][id b=\"2\"]", 27, "a SD-ID not used before in this message (§6.3.2)"),
        ("<34>1 - h a p m [i=d a=\"1\"]", 18, "\"]\" closing the SD-ELEMENT, or a space and a parameter"),
        ("<34>1 - h aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa p m -", 10, "APP-NAME (1-48 printable ASCII)"),
    ])
    func malformedMessagesNameTheOffsetAndWhatWasExpected(text: String, offset: Int, expected: String) {
        #expect(throws: SyslogParseError(offset: offset, expected: expected)) { _ = try parse(text) }
    }

    @Test func invalidUTF8InTheMessageIsRefused() {
        #expect(throws: SyslogParseError(offset: 18, expected: "MSG in UTF-8")) {
            _ = try RFC5424Parser.parse(Array("<34>1 - h a p m - ".utf8) + [0xC3, 0x28])
        }
    }

    /// Bounded randomised input (fixed seed, 30,000 cases): random bytes,
    /// random tokens and mutations of valid messages never trap; whatever
    /// parses re-encodes to something that parses to the same message.
    @Test func randomInputNeverTrapsAndAcceptedInputRoundTrips() throws {
        var random = SeededGenerator(seed: 5424)
        let seeds = [
            #"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"][examplePriority@32473 class="high"] text"#,
            "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed",
            #"<109>1 2026-11-21T23:28:10.503800Z vm procmon 11205 procmon-start [audit@32473 services="1"] procmon started"#,
        ].map { Array($0.utf8) }
        let tokens = Array(#"<>[]=" \-.:TZ+0123456789abc@"#.utf8) + [0, 0xEF, 0xBB, 0xBF, 0xC3, 0xFF, 10]
        var parsed = 0
        for _ in 0..<30_000 {
            var bytes = seeds.randomElement(using: &random)!
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes = (0..<Int.random(in: 0..<80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1: bytes = (0..<Int.random(in: 0..<80, using: &random)).map { _ in tokens.randomElement(using: &random)! }
            case 2: bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            default:
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    bytes[Int.random(in: 0..<bytes.count, using: &random)] = tokens.randomElement(using: &random)!
                }
            }
            do {
                let message = try RFC5424Parser.parse(bytes)
                parsed += 1
                let again = try RFC5424Parser.parse(Array(message.encoded(defaultTimestamp: "-").utf8))
                #expect(again == message)
            } catch {
                #expect(error.offset >= 0 && error.offset <= bytes.count)
            }
        }
        #expect(parsed > 1000, "mutations should often stay valid")
    }
}
