import ApplianceCore
import ApplianceProtocol
import Configuration
import Glibc

/// Aligned tables with units, for an 80-column terminal.
public struct TextTable {
    public enum Alignment { case left, right }
    var headers: [String]
    var alignments: [Alignment]
    var rows: [[String]] = []
    /// The column that is cut (with "…") when the table is wider than `width`.
    var flexible: Int?

    public init(_ columns: [(String, Alignment)], flexible: Int? = nil) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
        self.flexible = flexible
    }

    /// A row of cells from data: control characters and line breaks in a cell are escaped.
    public mutating func add(_ row: [String]) { rows.append(row.map(TerminalText.field)) }

    public func render(width: Int = 80) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        let total = widths.reduce(0, +) + 2 * (widths.count - 1)
        if total > width, let flexible {
            widths[flexible] = max(headers[flexible].count, widths[flexible] - (total - width))
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (index, cell) in cells.enumerated() where index < widths.count {
                var text = cell
                if text.count > widths[index] { text = String(text.prefix(widths[index] - 1)) + "…" }
                let pad = String(repeating: " ", count: widths[index] - text.count)
                let last = index == cells.count - 1
                out += alignments[index] == .right ? pad + text : (last ? text : text + pad)
                if !last { out += "  " }
            }
            return out
        }
        var out = line(headers) + "\n" + line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}

enum Render {
    static func processes(_ processes: [ProcessStatus]) -> String {
        var table = TextTable([("Process", .left), ("PID", .right), ("State", .left), ("Starts", .right), ("Uptime", .right),
                               ("RSS", .right), ("User", .left)], flexible: 6)
        for process in processes {
            table.add([process.name, process.pid.map(String.init) ?? "-", process.state, String(process.startCount),
                       process.uptimeSeconds.map(Units.duration) ?? "-", process.rssBytes.map(Units.bytes) ?? "-", process.user ?? "-"])
        }
        return table.render()
    }

    /// The Internet sockets, then the listening Unix sockets (their paths are
    /// never cut: a path is what names one).
    static func sockets(_ sockets: [SocketOwner]) -> String {
        var table = TextTable([("Proto", .left), ("Local", .left), ("Remote", .left), ("State", .left), ("PID", .right),
                               ("Process", .left), ("User", .left)], flexible: 2)
        var unix = TextTable([("Unix", .left), ("Path", .left), ("PID", .right), ("Process", .left), ("User", .left)])
        var unixCount = 0
        for socket in sockets {
            if socket.proto.hasPrefix("unix-") {
                unix.add([String(socket.proto.dropFirst(5)), socket.local, String(socket.pid), socket.process, socket.user])
                unixCount += 1
                continue
            }
            let remote = socket.state == "LISTEN" || socket.state == "UNCONN" ? "*" : socket.remote
            table.add([socket.proto, socket.local, remote, socket.state, String(socket.pid), socket.process, socket.user])
        }
        return table.render(width: 100) + (unixCount > 0 ? "\n" + unix.render(width: 100) : "")
    }

    static func streams(_ status: SessmgrdMethod.StatusResult) -> String {
        if status.streams.isEmpty { return "No streams are configured (stream create name=... source=... dest=...).\n" }
        var table = TextTable([("Stream", .left), ("State", .left), ("Destination", .left), ("Rate", .right), ("Average", .right),
                               ("MDI", .right)], flexible: 2)
        for stream in status.streams {
            let state = stream.reason.map { stream.state + " (" + $0 + ")" } ?? stream.state
            table.add([stream.name, state, stream.destination, Units.bitrate(stream.currentBitrate), Units.bitrate(stream.averageBitrate), stream.mdi])
        }
        var out = table.render()
        if !status.shapingAvailable { out += "Shaping: not available (the shaper service is not running or lacks CAP_NET_ADMIN).\n" }
        return out
    }

    static func stream(_ s: StreamStatus) -> String {
        var pairs: [(String, String)] = [
            ("Stream", s.name), ("State", s.state + (s.reason.map { " (\($0))" } ?? "")), ("Source", s.source), ("Destination", s.destination),
            ("Encapsulation", s.encapsulation), ("SSRC", s.ssrc.map { "0x" + String($0, radix: 16) } ?? "-"),
            ("Rate now", Units.bitrate(s.currentBitrate)), ("Rate average", Units.bitrate(s.averageBitrate)),
            ("Source rate", Units.bitrate(s.sourceBitrate)), ("Datagrams", String(s.datagrams)), ("Bytes", Units.bytes(Int(clamping: s.bytes))),
            ("PCR interval", Units.milliseconds(s.pcrIntervalMilliseconds)), ("PCR jitter", Units.microseconds(s.pcrJitterMicroseconds)),
            ("Pacing error", "p50 \(s.pacingErrorP50Microseconds.map { "\($0) µs" } ?? "-"), p99 \(s.pacingErrorP99Microseconds.map { "\($0) µs" } ?? "-"), max \(s.pacingErrorMaxMicroseconds) µs"),
            ("MDI (DF:MLR)", s.mdi), ("Loops", String(s.loopCount)), ("Restarts", String(s.restarts)),
            ("Source losses", String(s.sourceLosses)), ("PCR jumps", String(s.pcrJumps)), ("Send errors", String(s.sendErrors)),
        ]
        if s.inputDatagrams > 0 {
            pairs.append(("Input datagrams", "\(s.inputDatagrams) (\(s.inputMalformedDatagrams) malformed, \(s.inputLostDatagrams) lost)"))
        }
        return keyValues(pairs)
    }

    /// `2026-11-22 08:30 UTC`.
    static func date(_ epochSeconds: Int64) -> String {
        var seconds = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return "\(parts.tm_year + 1900)-\(Units.two(Int(parts.tm_mon) + 1))-\(Units.two(Int(parts.tm_mday))) \(Units.two(Int(parts.tm_hour))):\(Units.two(Int(parts.tm_min))) UTC"
    }

    static func keyValues(_ pairs: [(String, String)]) -> String {
        let width = pairs.map(\.0.count).max() ?? 0
        return pairs.map { $0.0 + String(repeating: " ", count: width - $0.0.count) + "  " + TerminalText.field($0.1) }.joined(separator: "\n") + "\n"
    }

    static func accounts(_ accounts: [Account]) -> String {
        var table = TextTable([("Account", .left), ("Role", .left), ("State", .left), ("Password changed", .left), ("Keys", .right)])
        for account in accounts {
            table.add([account.name, account.role.rawValue, account.locked ? "locked" : "active", account.passwordChangedAt.map(date) ?? "never",
                       String(account.sshKeys.count)])
        }
        var out = table.render()
        for account in accounts where !account.sshKeys.isEmpty {
            for key in account.sshKeys { out += TerminalText.field("\(account.name): \(key.algorithm.rawValue) \(key.fingerprint)\(key.comment.map { " " + $0 } ?? "")") + "\n" }
        }
        return out
    }

    static func apiTokens(_ tokens: [ConfigdMethod.APITokenInfo]) -> String {
        var table = TextTable([("Id", .left), ("Account", .left), ("Label", .left), ("Created", .left)])
        for token in tokens { table.add([token.id, token.account, token.label, date(token.created)]) }
        return table.render()
    }

    static func system(_ view: SystemView) -> String {
        var pairs: [(String, String)] = [("Hostname", view.hostname)]
        if let location = view.location { pairs.append(("Location", location)) }
        if let contact = view.contact { pairs.append(("Contact", contact)) }
        pairs += [
            ("Uptime", Units.duration(view.uptimeSeconds)),
            ("Load", view.load.map { Units.format($0, 2) }.joined(separator: " ")),
            ("Memory", "\(Units.bytes(view.memoryTotalBytes - view.memoryAvailableBytes)) used of \(Units.bytes(view.memoryTotalBytes))"),
            ("Configuration", "revision \(view.configurationRevision), saved \(view.savedRevision)" + (view.unsavedChanges ? " (unsaved changes)" : "")),
            ("Sessions", String(view.sessions)),
        ]
        return keyValues(pairs)
    }

    static func audit(_ result: AuditdMethod.QueryResult) -> String {
        if result.entries.isEmpty { return "No audit events match.\n" }
        var out = result.truncated ? "(older matches left out; last=N shows more)\n" : ""
        for entry in result.entries { out += TerminalText.field(entry.text) + "\n" }
        return out
    }
}
