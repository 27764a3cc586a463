/// RFC 5425 §4.3 framing: `MSG-LEN SP SYSLOG-MSG`, where MSG-LEN is the
/// message's length in octets, in decimal without leading zeros (so never
/// 0: a syslog message is never empty). Pure.
public enum OctetCounting {
    /// Appends one framed message to `buffer`.
    public static func frame(_ message: String, into buffer: inout [UInt8]) {
        let utf8 = message.utf8
        buffer.append(contentsOf: String(utf8.count).utf8)
        buffer.append(0x20)
        buffer.append(contentsOf: utf8)
    }

    public enum Decoded: Equatable {
        /// A whole message and the bytes it took with its header.
        case message([UInt8], consumed: Int)
        /// More bytes are needed.
        case incomplete
        /// Not a frame: the stream cannot be resynchronised.
        case invalid(String)
    }

    /// The largest message a frame may announce (RFC 5425 §4.3.1 asks
    /// receivers to take at least 2048 octets; auditd's events are at most 64 KiB).
    public static let maximumLength = 1 << 20

    /// Decodes the frame at the start of `bytes` (a collector's side; tests use it).
    public static func decode(_ bytes: ArraySlice<UInt8>) -> Decoded {
        var length = 0
        var index = bytes.startIndex
        while index < bytes.endIndex, bytes[index] != 0x20 {
            let digit = bytes[index]
            guard (0x30...0x39).contains(digit) else { return .invalid("MSG-LEN has a non-digit byte \(digit)") }
            guard !(index == bytes.startIndex && digit == 0x30) else { return .invalid("MSG-LEN starts with 0") }
            length = length * 10 + Int(digit - 0x30)
            guard length <= maximumLength else { return .invalid("MSG-LEN exceeds \(maximumLength)") }
            index += 1
        }
        guard index < bytes.endIndex else { return index - bytes.startIndex > 7 ? .invalid("MSG-LEN too long") : .incomplete }
        guard index > bytes.startIndex else { return .invalid("MSG-LEN is empty") }
        let start = index + 1
        guard bytes.endIndex - start >= length else { return .incomplete }
        return .message(Array(bytes[start..<(start + length)]), consumed: start + length - bytes.startIndex)
    }
}
