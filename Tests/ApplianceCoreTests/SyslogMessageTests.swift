import Testing
@testable import ApplianceCore

@Suite struct SyslogMessageTests {
    /// RFC 5424 §6.5 example 3, with our timestamp precision (microseconds, UTC).
    @Test func encodesTheRFC5424StructuredDataExample() {
        let message = SyslogMessage(
            facility: .local0, severity: .notice, time: (1_065_910_455, 3000),
            hostname: "mymachine.example.com", appName: "evntslog", processID: "", messageID: "ID47",
            structuredData: [.init(id: "exampleSDID@32473", parameters: [("iut", "3"), ("eventSource", "Application"), ("eventID", "1011")])],
            message: "An application event log entry...")
        #expect(message.encoded == #"<133>1 2003-10-11T22:14:15.003000Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] An application event log entry..."#)
    }

    @Test func nilValuesBecomeDashAndNoStructuredDataIsDash() {
        let message = SyslogMessage(facility: .logAudit, severity: .warning, time: (0, 0), hostname: "", appName: "procmon",
                                    processID: "1", messageID: "", structuredData: [], message: "")
        #expect(message.encoded == "<108>1 1970-01-01T00:00:00.000000Z - procmon 1 - -")
    }

    /// RFC 5424 §6.3.3: `"`, `\` and `]` in a PARAM-VALUE are escaped; names lose forbidden characters.
    @Test func parameterValuesAreEscapedAndNamesSanitised() {
        let message = SyslogMessage(facility: .logAudit, severity: .notice, time: (0, 0), hostname: "h", appName: "a",
                                    processID: "1", messageID: "m",
                                    structuredData: [.init(id: "audit@32473", parameters: [("bad name=\"]", #"a "quoted" \ value]"#)])],
                                    message: "x")
        #expect(message.encoded.hasSuffix(#"[audit@32473 badname="a \"quoted\" \\ value\]"] x"#))
    }

    @Test func headerFieldsDropNonPrintableCharactersAndAreBounded() {
        #expect(SyslogMessage.header("a b\u{7}c", 10) == "abc")
        #expect(SyslogMessage.header(String(repeating: "x", count: 40), 32).count == 32)
    }
}
