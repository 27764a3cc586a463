/// Text from data (audit events, service logs, names and messages from the
/// daemons) made safe for a terminal: every C0 control, DEL and C1 control
/// (U+0080–U+009F, which a terminal may read as CSI, OSC, …) is written
/// visibly, in JSON's own notation (`\u001b`, `\u009b`, `\n`, `\r`, `\t`),
/// so `| json` output stays valid JSON that reads back to the original.
///
/// The CLI applies it at its output boundary (`CommandRunner.write` and its
/// error messages) keeping only the line breaks the CLI lays out itself; the
/// renderers escape line breaks inside a record too (`TerminalText.field`),
/// so an event or log line never starts a line of its own.
public enum TerminalText {
    /// `text` with every control character escaped; with `keepingLineBreaks`,
    /// LF is left as it is (the CLI's own layout) and everything else still escaped.
    public static func escaped(_ text: String, keepingLineBreaks: Bool = false) -> String {
        // The usual case, nothing to escape, costs one pass over the bytes and no copy.
        var clean = true
        var previous: UInt8 = 0
        for byte in text.utf8 {
            // C1 in UTF-8 is 0xC2 0x80…0x9F.
            if (byte < 0x20 && !(keepingLineBreaks && byte == 0x0A)) || byte == 0x7F || (previous == 0xC2 && (0x80...0x9F).contains(byte)) {
                clean = false
                break
            }
            previous = byte
        }
        if clean { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A where keepingLineBreaks: out.append(scalar)
            case 0x0A: out.append(contentsOf: #"\n"#.unicodeScalars)
            case 0x0D: out.append(contentsOf: #"\r"#.unicodeScalars)
            case 0x09: out.append(contentsOf: #"\t"#.unicodeScalars)
            case 0x00..<0x20, 0x7F, 0x80...0x9F:
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: (#"\u"# + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// One field or record of data on a line of its own (a table cell, an
    /// audit event, a log line): line breaks inside it are escaped too.
    public static func field(_ text: String) -> String { escaped(text) }
}
