import Glibc

/// An RFC 5424 syslog message, encoded. Pure: the timestamp is a value given
/// by the caller. (auditd's decoder lives in the Audit module.)
public struct SyslogMessage: Sendable, Equatable {
    /// RFC 5424 §6.2.1 table 1.
    public enum Facility: Int, Sendable { case auth = 4, authpriv = 10, logAudit = 13, local0 = 16 }
    /// RFC 5424 §6.2.1 table 2.
    public enum Severity: Int, Sendable, Codable {
        case emergency = 0, alert, critical, error, warning, notice, informational, debug
    }

    public struct StructuredElement: Sendable, Equatable {
        public var id: String
        public var parameters: [(name: String, value: String)]

        public init(id: String, parameters: [(name: String, value: String)]) {
            self.id = id
            self.parameters = parameters
        }

        public static func == (a: Self, b: Self) -> Bool {
            a.id == b.id && a.parameters.elementsEqual(b.parameters) { $0.name == $1.name && $0.value == $1.value }
        }
    }

    public var facility: Facility
    public var severity: Severity
    /// Seconds and microseconds since the epoch, rendered in UTC.
    public var time: (seconds: Int64, microseconds: Int32)
    public var hostname: String
    public var appName: String
    public var processID: String
    public var messageID: String
    public var structuredData: [StructuredElement]
    public var message: String

    public init(
        facility: Facility, severity: Severity, time: (seconds: Int64, microseconds: Int32),
        hostname: String, appName: String, processID: String, messageID: String,
        structuredData: [StructuredElement], message: String
    ) {
        self.facility = facility
        self.severity = severity
        self.time = time
        self.hostname = hostname
        self.appName = appName
        self.processID = processID
        self.messageID = messageID
        self.structuredData = structuredData
        self.message = message
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.facility == b.facility && a.severity == b.severity && a.time == b.time && a.hostname == b.hostname
            && a.appName == b.appName && a.processID == b.processID && a.messageID == b.messageID
            && a.structuredData == b.structuredData && a.message == b.message
    }

    /// `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG` (RFC 5424 §6).
    public var encoded: String {
        let priority = facility.rawValue * 8 + severity.rawValue
        var text = "<\(priority)>1 \(Self.timestamp(time)) \(Self.header(hostname, 255)) \(Self.header(appName, 48)) "
        text += "\(Self.header(processID, 128)) \(Self.header(messageID, 32)) "
        if structuredData.isEmpty {
            text += "-"
        } else {
            for element in structuredData {
                text += "[\(Self.name(element.id))"
                for (name, value) in element.parameters {
                    text += " \(Self.name(name))=\"\(Self.escape(value))\""
                }
                text += "]"
            }
        }
        if !message.isEmpty { text += " " + message }
        return text
    }

    /// RFC 5424 §6.2.3: RFC 3339 full-date "T" time with fraction, UTC as "Z".
    public static func timestamp(_ time: (seconds: Int64, microseconds: Int32)) -> String {
        var seconds = time_t(time.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // Built as 27 ASCII bytes: auditd stamps every event it takes with one.
        var bytes = [UInt8](repeating: 0, count: 27)
        func put(_ value: Int32, at offset: Int, width: Int) {
            var rest = Int(max(0, value))
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(parts.tm_year + 1900, at: 0, width: 4)
        put(parts.tm_mon + 1, at: 5, width: 2)
        put(parts.tm_mday, at: 8, width: 2)
        put(parts.tm_hour, at: 11, width: 2)
        put(parts.tm_min, at: 14, width: 2)
        put(parts.tm_sec, at: 17, width: 2)
        put(time.microseconds, at: 20, width: 6)
        for (offset, character) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (26, "Z")] as [(Int, Unicode.Scalar)] {
            bytes[offset] = UInt8(character.value)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 5424 §6.2: header fields are PRINTUSASCII (33…126), bounded, "-" when empty.
    public static func header(_ value: String, _ limit: Int) -> String {
        // The usual case, already clean, costs one pass over the bytes and no copy.
        if !value.isEmpty, value.utf8.count <= limit, value.utf8.allSatisfy({ $0 >= 33 && $0 <= 126 }) { return value }
        let printable = value.unicodeScalars.filter { $0.value >= 33 && $0.value <= 126 }
        return printable.isEmpty ? "-" : String(String.UnicodeScalarView(printable.prefix(limit)))
    }

    /// RFC 5424 §6.3.2/§6.3.3: SD-NAME is 1…32 PRINTUSASCII except `=`, space, `]`, `"`.
    public static func name(_ value: String) -> String {
        if !value.isEmpty, value.utf8.count <= 32,
           value.utf8.allSatisfy({ $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: "=") && $0 != UInt8(ascii: "]") && $0 != UInt8(ascii: "\"") }) {
            return value
        }
        let allowed = value.unicodeScalars.filter { $0.value >= 33 && $0.value <= 126 && !"= ]\"".unicodeScalars.contains($0) }
        return allowed.isEmpty ? "_" : String(String.UnicodeScalarView(allowed.prefix(32)))
    }

    /// RFC 5424 §6.3.3: in PARAM-VALUE, `"`, `\` and `]` are escaped with `\`.
    /// By Unicode scalar: a `"` followed by a combining mark is one Swift
    /// Character, and its `"` still needs the escape.
    public static func escape(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "]") }) else { return value }
        var escaped = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if scalar == "\"" || scalar == "\\" || scalar == "]" { escaped.append("\\") }
            escaped.append(scalar)
        }
        return String(escaped)
    }
}
