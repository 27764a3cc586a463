import ApplianceCore

/// An RFC 5424 message as received: every header field kept as text (nil for
/// the NILVALUE "-"), structured data decoded, the message body as sent.
public struct ReceivedSyslogMessage: Sendable, Equatable {
    public var facility: Int
    public var severity: Int
    public var version: Int
    public var timestamp: String?
    public var hostname: String?
    public var appName: String?
    public var processID: String?
    public var messageID: String?
    public var structuredData: [SyslogMessage.StructuredElement]
    public var message: String

    /// The message in RFC 5424 form again (§6), with `timestamp` used when the
    /// received one was the NILVALUE.
    public func encoded(defaultTimestamp: String) -> String {
        // Built as bytes in one buffer: auditd re-encodes every event it stamps.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + message.utf8.count + structuredData.reduce(0) { total, element in
            total + element.id.utf8.count + element.parameters.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 } + 2
        })
        func put(_ text: String) { bytes.append(contentsOf: text.utf8) }
        put("<\(facility * 8 + severity)>\(version) ")
        put(timestamp ?? defaultTimestamp)
        bytes.append(0x20)
        put(SyslogMessage.header(hostname ?? "", 255))
        bytes.append(0x20)
        put(SyslogMessage.header(appName ?? "", 48))
        bytes.append(0x20)
        put(SyslogMessage.header(processID ?? "", 128))
        bytes.append(0x20)
        put(SyslogMessage.header(messageID ?? "", 32))
        bytes.append(0x20)
        if structuredData.isEmpty {
            bytes.append(UInt8(ascii: "-"))
        } else {
            for element in structuredData {
                bytes.append(UInt8(ascii: "["))
                put(SyslogMessage.name(element.id))
                for (name, value) in element.parameters {
                    bytes.append(0x20)
                    put(SyslogMessage.name(name))
                    bytes.append(UInt8(ascii: "="))
                    bytes.append(UInt8(ascii: "\""))
                    put(SyslogMessage.escape(value))
                    bytes.append(UInt8(ascii: "\""))
                }
                bytes.append(UInt8(ascii: "]"))
            }
        }
        if !message.isEmpty {
            bytes.append(0x20)
            put(message)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func parameter(_ name: String, in id: String) -> String? {
        structuredData.first { $0.id == id }?.parameters.first { $0.name == name }?.value
    }
}

/// Why bytes are not an RFC 5424 message: where, and what was expected there.
public struct SyslogParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var expected: String
    public var description: String { "byte \(offset): expected \(expected)" }
}

/// Decodes RFC 5424 (§6) messages. Pure and strict where the RFC says MUST:
/// PRI 0-191, VERSION 1-999, the header field lengths, TIMESTAMP per §6.2.3,
/// SD-NAMEs without `= ] "` and space, PARAM-VALUE escapes (§6.3.3), valid UTF-8.
public enum RFC5424Parser {
    public static func parse(_ bytes: [UInt8]) throws(SyslogParseError) -> ReceivedSyslogMessage {
        var cursor = Cursor(bytes: bytes)
        try cursor.expect(UInt8(ascii: "<"), "\"<\" opening the PRI")
        let priorityStart = cursor.position
        let priority = try cursor.number(maxDigits: 3, what: "PRI, a number 0-191")
        guard priority <= 191 else { throw SyslogParseError(offset: priorityStart, expected: "PRI, a number 0-191") }
        try cursor.expect(UInt8(ascii: ">"), "\">\" closing the PRI")
        guard let first = cursor.peek, first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else {
            throw SyslogParseError(offset: cursor.position, expected: "VERSION, a number 1-999")
        }
        let version = try cursor.number(maxDigits: 3, what: "VERSION, a number 1-999")
        try cursor.space()
        let timestamp = try cursor.field(maxLength: 64, what: "TIMESTAMP")
        if let timestamp, !isTimestamp(timestamp) {
            throw SyslogParseError(offset: cursor.position - timestamp.utf8.count, expected: "TIMESTAMP as RFC 3339 (2003-10-11T22:14:15.003Z), or \"-\"")
        }
        try cursor.space()
        let hostname = try cursor.field(maxLength: 255, what: "HOSTNAME (1-255 printable ASCII)")
        try cursor.space()
        let appName = try cursor.field(maxLength: 48, what: "APP-NAME (1-48 printable ASCII)")
        try cursor.space()
        let processID = try cursor.field(maxLength: 128, what: "PROCID (1-128 printable ASCII)")
        try cursor.space()
        let messageID = try cursor.field(maxLength: 32, what: "MSGID (1-32 printable ASCII)")
        try cursor.space()
        let structuredData = try cursor.structuredData()
        var message = ""
        if !cursor.atEnd {
            try cursor.space()
            var body = Array(bytes[cursor.position...])
            if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }  // §6.4: the BOM marks UTF-8
            guard let text = String(validating: body, as: UTF8.self) else {
                throw SyslogParseError(offset: cursor.position, expected: "MSG in UTF-8")
            }
            message = text
        }
        return ReceivedSyslogMessage(facility: priority / 8, severity: priority % 8, version: version, timestamp: timestamp,
                                     hostname: hostname, appName: appName, processID: processID, messageID: messageID,
                                     structuredData: structuredData, message: message)
    }

    /// RFC 5424 §6.2.3: FULL-DATE "T" PARTIAL-TIME [.1*6DIGIT] ("Z" / ±HH:MM).
    static func isTimestamp(_ text: String) -> Bool {
        let b = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool { range.upperBound <= b.count && b[range].allSatisfy { $0 >= 48 && $0 <= 57 } }
        guard b.count >= 20, digits(0..<4), b[4] == 45, digits(5..<7), b[7] == 45, digits(8..<10), b[10] == 84,
              digits(11..<13), b[13] == 58, digits(14..<16), b[16] == 58, digits(17..<19) else { return false }
        func value(_ range: Range<Int>) -> Int { b[range].reduce(0) { $0 * 10 + Int($1 - 48) } }
        guard (1...12).contains(value(5..<7)), (1...31).contains(value(8..<10)), value(11..<13) <= 23,
              value(14..<16) <= 59, value(17..<19) <= 60 else { return false }
        var index = 19
        if b[index] == 46 {
            let start = index + 1
            index = start
            while index < b.count, b[index] >= 48, b[index] <= 57 { index += 1 }
            guard (1...6).contains(index - start) else { return false }
        }
        guard index < b.count else { return false }
        if b[index] == 90 { return index + 1 == b.count }
        guard b[index] == 43 || b[index] == 45, index + 6 == b.count, digits(index + 1..<index + 3), b[index + 3] == 58,
              digits(index + 4..<index + 6) else { return false }
        return value(index + 1..<index + 3) <= 23 && value(index + 4..<index + 6) <= 59
    }

    struct Cursor {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[position] }

        mutating func expect(_ byte: UInt8, _ what: String) throws(SyslogParseError) {
            guard peek == byte else { throw SyslogParseError(offset: position, expected: what) }
            position += 1
        }

        mutating func space() throws(SyslogParseError) {
            try expect(32, "a space")
        }

        mutating func number(maxDigits: Int, what: String) throws(SyslogParseError) -> Int {
            var value = 0
            let start = position
            while let byte = peek, byte >= 48, byte <= 57, position - start < maxDigits {
                value = value * 10 + Int(byte - 48)
                position += 1
            }
            guard position > start, !(position - start > 1 && bytes[start] == 48) else {
                throw SyslogParseError(offset: start, expected: what)
            }
            return value
        }

        /// A header field: printable ASCII up to the next space; nil for "-".
        mutating func field(maxLength: Int, what: String) throws(SyslogParseError) -> String? {
            let start = position
            while let byte = peek, byte >= 33, byte <= 126 { position += 1 }
            guard position > start, position - start <= maxLength else { throw SyslogParseError(offset: start, expected: what) }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            return text == "-" ? nil : text
        }

        mutating func structuredData() throws(SyslogParseError) -> [SyslogMessage.StructuredElement] {
            if peek == UInt8(ascii: "-") {
                position += 1
                guard atEnd || peek == 32 else { throw SyslogParseError(offset: position, expected: "a space after the \"-\" STRUCTURED-DATA") }
                return []
            }
            guard peek == UInt8(ascii: "[") else { throw SyslogParseError(offset: position, expected: "STRUCTURED-DATA: \"[\" or \"-\"") }
            var elements: [SyslogMessage.StructuredElement] = []
            while peek == UInt8(ascii: "[") {
                position += 1
                let id = try sdName(what: "SD-ID")
                guard !elements.contains(where: { $0.id == id }) else {
                    throw SyslogParseError(offset: position - id.utf8.count, expected: "a SD-ID not used before in this message (§6.3.2)")
                }
                var parameters: [(name: String, value: String)] = []
                while peek == 32 {
                    position += 1
                    let name = try sdName(what: "PARAM-NAME")
                    try expect(UInt8(ascii: "="), "\"=\" after the PARAM-NAME")
                    try expect(34, "a '\"' opening the PARAM-VALUE")
                    parameters.append((name, try paramValue()))
                }
                try expect(UInt8(ascii: "]"), "\"]\" closing the SD-ELEMENT, or a space and a parameter")
                elements.append(.init(id: id, parameters: parameters))
            }
            return elements
        }

        mutating func sdName(what: String) throws(SyslogParseError) -> String {
            let start = position
            while let byte = peek, byte >= 33, byte <= 126, byte != 61, byte != 93, byte != 34 { position += 1 }
            guard position > start, position - start <= 32 else { throw SyslogParseError(offset: start, expected: "\(what) (1-32 printable ASCII, no = ] \")") }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        /// §6.3.3: up to the closing '"'; `\"`, `\\`, `\]` are escapes, any other backslash is itself.
        mutating func paramValue() throws(SyslogParseError) -> String {
            var value: [UInt8] = []
            let start = position
            while let byte = peek {
                position += 1
                switch byte {
                case 34:
                    guard let text = String(validating: value, as: UTF8.self) else {
                        throw SyslogParseError(offset: start, expected: "PARAM-VALUE in UTF-8")
                    }
                    return text
                case 92:
                    if let next = peek, next == 34 || next == 92 || next == 93 {
                        value.append(next)
                        position += 1
                    } else {
                        value.append(byte)
                    }
                case 93:
                    throw SyslogParseError(offset: position - 1, expected: "\"]\" escaped as \"\\]\" inside a PARAM-VALUE")
                default:
                    value.append(byte)
                }
            }
            throw SyslogParseError(offset: position, expected: "a '\"' closing the PARAM-VALUE")
        }
    }
}
