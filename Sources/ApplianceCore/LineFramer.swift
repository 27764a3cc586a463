/// Splits a byte stream into newline-terminated lines, refusing any line
/// longer than a bound before buffering it whole.
///
/// Pure and incremental: feed bytes as they arrive, in any chunking.
public struct LineFramer: Sendable {
    public enum Frame: Equatable, Sendable {
        case line([UInt8])
        /// A line exceeded the bound; its bytes up to the next newline are
        /// discarded so framing resumes on the line after it.
        case oversized
    }

    public let maximumLength: Int
    private var buffer: [UInt8] = []
    private var discarding = false

    public init(maximumLength: Int) {
        self.maximumLength = maximumLength
    }

    /// Bytes held for an unfinished line.
    public var pendingCount: Int { buffer.count }

    public mutating func append(_ bytes: some Sequence<UInt8>) -> [Frame] {
        var frames: [Frame] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                if discarding {
                    discarding = false
                } else {
                    if buffer.last == UInt8(ascii: "\r") { buffer.removeLast() }
                    frames.append(.line(buffer))
                }
                buffer.removeAll(keepingCapacity: true)
            } else if !discarding {
                if buffer.count == maximumLength {
                    discarding = true
                    buffer.removeAll()
                    frames.append(.oversized)
                } else {
                    buffer.append(byte)
                }
            }
        }
        return frames
    }
}
