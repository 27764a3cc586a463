import ApplianceProtocol
import ApplianceCore

/// Renders process statuses as NX-OS `show processes` does: aligned columns,
/// readable on an 80-column terminal.
public enum ProcessTable {
    public static func render(_ processes: [ProcessStatus]) -> String {
        let header = ["PID", "State", "Starts", "Uptime", "RSS", "Process"]
        let rows = processes.map { process in
            [
                process.pid.map(String.init) ?? "-",
                process.state,
                String(process.startCount),
                process.uptimeSeconds.map(uptime) ?? "-",
                process.rssBytes.map(bytes) ?? "-",
                process.name,
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(to: widths[index])
            }.joined(separator: "  ")
        }
        var text = line(header) + "\n"
        text += line(widths.map { String(repeating: "-", count: $0) }) + "\n"
        for row in rows { text += line(row) + "\n" }
        let failed = processes.filter { $0.failureReason != nil }
        for process in failed {
            text += "\n\(process.name): \(process.failureReason!)"
        }
        return failed.isEmpty ? text : text + "\n"
    }

    /// `3d 04:05:06`, or `04:05:06` under a day.
    /// `1d 02:03:04`, `00:05:00` (`Units.duration`).
    public static func uptime(_ seconds: Double) -> String { Units.duration(seconds) }

    /// `10.2 MiB`, `512.0 KiB` (`Units.bytes`).
    public static func bytes(_ count: Int) -> String { Units.bytes(count) }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
