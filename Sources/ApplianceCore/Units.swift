/// Figures as an engineer reads them: one formatter set for the CLI, the
/// web pages (and their script, which mirrors these rules) and procmon's
/// status table.
public enum Units {
    /// `9.00 Mbit/s`, `96.0 kbit/s`, `1.25 Gbit/s`, `800 bit/s`.
    public static func bitrate(_ bitsPerSecond: UInt64) -> String {
        let value = Double(bitsPerSecond)
        if value >= 1e9 { return format(value / 1e9, 2) + " Gbit/s" }
        if value >= 1e6 { return format(value / 1e6, 2) + " Mbit/s" }
        if value >= 1e3 { return format(value / 1e3, 1) + " kbit/s" }
        return "\(bitsPerSecond) bit/s"
    }

    /// `10.2 MiB`, `512.0 KiB`, `3.0 GiB`, `900 B`.
    public static func bytes(_ count: Int) -> String {
        let value = Double(count)
        if count >= 1 << 30 { return format(value / Double(1 << 30), 1) + " GiB" }
        if count >= 1 << 20 { return format(value / Double(1 << 20), 1) + " MiB" }
        if count >= 1 << 10 { return format(value / Double(1 << 10), 1) + " KiB" }
        return "\(count) B"
    }

    /// `3d 04:05:06`, `04:05:06`.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let days = total / 86400, hours = total / 3600 % 24, minutes = total / 60 % 60, secs = total % 60
        let clock = two(hours) + ":" + two(minutes) + ":" + two(secs)
        return days > 0 ? "\(days)d \(clock)" : clock
    }

    /// `17.97 ms`: a measured interval, to the hundredth.
    public static func milliseconds(_ value: Double) -> String { format(value, 2) + " ms" }

    /// `412.5 µs`: a measured jitter, to the tenth.
    public static func microseconds(_ value: Double) -> String { format(value, 1) + " µs" }

    public static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// `value` rounded to `decimals` places, always that many shown.
    public static func format(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: dot)...]
            if fraction.count < decimals { text += String(repeating: "0", count: decimals - fraction.count) }
            if decimals == 0 { text = String(text[..<dot]) }
        } else if decimals > 0 {
            text += "." + String(repeating: "0", count: decimals)
        }
        return text
    }
}
