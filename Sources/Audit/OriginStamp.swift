import ApplianceCore

/// Who really sent a datagram, from the kernel (SCM_CREDENTIALS), never from
/// the message itself.
public struct SenderCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: Int32
    public var gid: Int32
    /// The account name of `uid`, when it has one.
    public var user: String?

    public init(pid: Int32, uid: Int32, gid: Int32, user: String?) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.user = user
    }
}

/// Turns what arrived on the intake into the event that is kept: an RFC 5424
/// message stamped with its sender's verified identity, or an error record
/// saying why it was refused (nothing is dropped silently). Pure.
public enum OriginStamp {
    public static let originID = "origin@32473"
    public static let intakeErrorID = "intake@32473"
    /// The largest datagram accepted (RFC 5424 §6.1 asks receivers for 2048 bytes at least).
    public static let maximumDatagram = 64 * 1024

    public enum Verdict: Equatable, Sendable {
        case accepted
        case malformed
        case oversized
        /// Accepted, but it carried an `origin@32473` element of its own (a forgery attempt).
        case forged
    }

    /// - Parameters:
    ///   - datagram: the bytes received (at most `maximumDatagram`).
    ///   - length: the datagram's full length (more when truncated).
    ///   - hostname: the appliance's hostname, which every kept event carries.
    ///   - now: RFC 3339 time for the error records and for a "-" timestamp.
    public static func stamp(_ datagram: ArraySlice<UInt8>, length: Int, sender: SenderCredentials,
                             hostname: String, now: String, auditdPID: Int32) -> (text: String, verdict: Verdict) {
        // pid 0 means the kernel had no credentials to give (sent before
        // SO_PASSCRED was set): say so rather than name a sender.
        let verified = sender.pid > 0
        var origin: [(name: String, value: String)] = verified
            ? [("pid", String(sender.pid)), ("uid", String(sender.uid)), ("gid", String(sender.gid))]
            : [("verified", "false")]
        if verified, let user = sender.user { origin.append(("user", user)) }
        guard length <= maximumDatagram else {
            return (errorRecord(reason: "oversized", detail: "\(length) bytes, more than \(maximumDatagram)", datagram: datagram,
                                origin: origin, hostname: hostname, now: now, auditdPID: auditdPID), .oversized)
        }
        var message: ReceivedSyslogMessage
        do {
            message = try RFC5424Parser.parse(Array(datagram))
        } catch {
            return (errorRecord(reason: "malformed", detail: error.description, datagram: datagram,
                                origin: origin, hostname: hostname, now: now, auditdPID: auditdPID), .malformed)
        }
        var verdict = Verdict.accepted
        if message.structuredData.contains(where: { $0.id == originID || $0.id == intakeErrorID }) {
            message.structuredData.removeAll { $0.id == originID || $0.id == intakeErrorID }
            origin.append(("forged-origin", "true"))
            verdict = .forged
        }
        if let claimed = message.processID, claimed != String(sender.pid) { origin.append(("claimed-procid", claimed)) }
        if let claimed = message.hostname, claimed != hostname { origin.append(("claimed-hostname", claimed)) }
        message.processID = verified ? String(sender.pid) : nil
        message.hostname = hostname
        message.structuredData.append(.init(id: originID, parameters: origin))
        return (message.encoded(defaultTimestamp: now), verdict)
    }

    /// An event of auditd's own recording a refused datagram: why, who sent
    /// it, and its first 200 bytes (non-printable ones as \xNN).
    static func errorRecord(reason: String, detail: String, datagram: ArraySlice<UInt8>, origin: [(name: String, value: String)],
                            hostname: String, now: String, auditdPID: Int32) -> String {
        var prefix = ""
        for byte in datagram.prefix(200) {
            if byte >= 32 && byte < 127 && byte != UInt8(ascii: "\\") {
                prefix.append(Character(Unicode.Scalar(byte)))
            } else {
                let hex = String(byte, radix: 16)
                prefix += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        let message = ReceivedSyslogMessage(
            facility: SyslogMessage.Facility.logAudit.rawValue, severity: SyslogMessage.Severity.warning.rawValue, version: 1,
            timestamp: now, hostname: hostname, appName: "auditd", processID: String(auditdPID), messageID: "intake-\(reason)",
            structuredData: [.init(id: originID, parameters: origin),
                             .init(id: intakeErrorID, parameters: [("reason", reason), ("detail", detail), ("prefix", prefix)])],
            message: "refused a \(reason) audit message: \(detail)")
        return message.encoded(defaultTimestamp: now)
    }
}
