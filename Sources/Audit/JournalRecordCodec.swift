/// One event in the journal: its sequence number (1, 2, … with no gap), when
/// auditd accepted it (microseconds since the epoch), and the stamped RFC 5424 text.
public struct JournalRecord: Sendable, Equatable {
    public var sequence: UInt64
    public var acceptedMicros: Int64
    public var text: String

    public init(sequence: UInt64, acceptedMicros: Int64, text: String) {
        self.sequence = sequence
        self.acceptedMicros = acceptedMicros
        self.text = text
    }
}

/// The journal's record format, pure. Little-endian:
///
///     u32 payload length | u32 CRC-32 of the 16 bytes below + payload | u64 sequence | i64 accepted µs | payload
///
/// A record whose length runs past the end, whose checksum fails or whose
/// sequence does not follow is where the valid journal ends (a torn write).
public enum JournalRecordCodec {
    public static let headerSize = 24
    /// The largest payload written (an event is at most 64 KiB; headroom for stamping).
    public static let maximumPayload = 80 * 1024

    public static func encode(_ record: JournalRecord, into buffer: inout [UInt8]) {
        var text = record.text
        text.withUTF8 { payload in
            let start = buffer.count  // no reserveCapacity here: exact reservations per record would copy the batch each time
            append(UInt32(payload.count), to: &buffer)
            append(UInt32(0), to: &buffer)  // the checksum, filled in below
            append(record.sequence, to: &buffer)
            append(UInt64(bitPattern: record.acceptedMicros), to: &buffer)
            buffer.append(contentsOf: payload)
            let checksum = buffer.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[(start + 8)...])) }
            withUnsafeBytes(of: checksum.littleEndian) { bytes in
                for index in 0..<4 { buffer[start + 4 + index] = bytes[index] }
            }
        }
    }

    public enum Decoded: Equatable {
        case record(JournalRecord, size: Int)
        /// Not enough bytes for a whole record (a torn tail, or the end).
        case incomplete
        case corrupt(String)
    }

    public static func decode(_ bytes: ArraySlice<UInt8>) -> Decoded {
        guard bytes.count >= headerSize else { return .incomplete }
        let base = bytes.startIndex
        let length = Int(read32(bytes, base))
        guard length <= maximumPayload else { return .corrupt("record length \(length) exceeds \(maximumPayload)") }
        guard bytes.count >= headerSize + length else { return .incomplete }
        let checksum = read32(bytes, base + 4)
        let decoded = bytes.withUnsafeBufferPointer { all -> String?? in
            let body = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: all[8..<(headerSize + length)]))
            guard CRC32.checksum(body) == checksum else { return .none }
            return .some(String(validating: UnsafeBufferPointer(rebasing: all[headerSize..<(headerSize + length)]), as: UTF8.self))
        }
        guard let valid = decoded else { return .corrupt("checksum mismatch") }
        guard let text = valid else { return .corrupt("payload is not UTF-8") }
        let record = JournalRecord(sequence: read64(bytes, base + 8), acceptedMicros: Int64(bitPattern: read64(bytes, base + 16)), text: text)
        return .record(record, size: headerSize + length)
    }

    static func append(_ value: UInt32, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    static func append(_ value: UInt64, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    static func read32(_ bytes: ArraySlice<UInt8>, _ at: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << UInt32(8 * $1) }
    }

    static func read64(_ bytes: ArraySlice<UInt8>, _ at: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[at + $1]) << UInt64(8 * $1) }
    }
}
