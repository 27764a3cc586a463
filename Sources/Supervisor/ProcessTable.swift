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
    public static func uptime(_ seconds: Double) -> String {
        let total = Int(seconds)
        let clock = "\(pad(total / 3600 % 24)):\(pad(total / 60 % 60)):\(pad(total % 60))"
        return total >= 86_400 ? "\(total / 86_400)d \(clock)" : clock
    }

    /// `10.2 MiB`, `512 KiB`.
    public static func bytes(_ count: Int) -> String {
        if count >= 1 << 30 { return tenths(Double(count) / Double(1 << 30)) + " GiB" }
        if count >= 1 << 20 { return tenths(Double(count) / Double(1 << 20)) + " MiB" }
        return "\(count >> 10) KiB"
    }

    private static func tenths(_ value: Double) -> String {
        let scaled = Int((value * 10).rounded())
        return "\(scaled / 10).\(scaled % 10)"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
