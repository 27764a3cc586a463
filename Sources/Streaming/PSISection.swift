/// A long-form PSI section (ISO/IEC 13818-1 §2.4.4) taken from the one TS
/// packet that holds it whole, its CRC_32 checked.
public struct PSISection: Equatable, Sendable {
    /// table_id (0x00 PAT, 0x02 PMT, §2.4.4.4 Table 2-31).
    public var tableID: UInt8
    /// transport_stream_id (PAT) or program_number (PMT).
    public var tableIDExtension: UInt16
    /// version_number (5 bits).
    public var version: UInt8
    /// current_next_indicator: the table applies now (not the next one).
    public var currentNext: Bool
    /// section_number.
    public var sectionNumber: UInt8
    /// last_section_number.
    public var lastSectionNumber: UInt8
    /// The bytes after last_section_number, up to (not including) the CRC_32.
    public var body: [UInt8]

    /// Maximum section_length of PAT/PMT sections (§2.4.4.5, §2.4.4.9).
    public static let maximumSectionLength = 1021

    /// Reads the section that starts in the packet at `offset` of `bytes`.
    public init(packet bytes: [UInt8], at offset: Int = 0) throws(PSIError) {
        let packet: TSPacket
        do { packet = try TSPacket(bytes, at: offset) } catch { throw .packet(error) }
        guard packet.payloadUnitStart, packet.hasPayload, packet.payloadLength > 0 else { throw .notSectionStart }
        let payloadStart = offset + packet.payloadOffset
        let payloadEnd = offset + TSPacket.size
        let pointer = Int(bytes[payloadStart])
        let start = payloadStart + 1 + pointer
        // table_id + two length bytes must be there.
        guard start + 3 <= payloadEnd else { throw .pointerFieldOverflow(pointer) }
        tableID = bytes[start]
        guard bytes[start + 1] & 0x80 != 0 else { throw .notLongSection }
        let sectionLength = Int(bytes[start + 1] & 0x0F) << 8 | Int(bytes[start + 2])
        // 5 header bytes after the length plus the 4-byte CRC.
        guard sectionLength >= 9, sectionLength <= PSISection.maximumSectionLength else {
            throw .invalidSectionLength(sectionLength)
        }
        let end = start + 3 + sectionLength
        guard end <= payloadEnd else {
            throw .sectionSpansPackets(sectionLength: sectionLength, available: payloadEnd - start - 3)
        }
        let stored = UInt32(bytes[end - 4]) << 24 | UInt32(bytes[end - 3]) << 16 | UInt32(bytes[end - 2]) << 8
            | UInt32(bytes[end - 1])
        let computed = MPEG2CRC32.checksum(bytes, start..<(end - 4))
        guard stored == computed else { throw .crcMismatch(stored: stored, computed: computed) }
        tableIDExtension = UInt16(bytes[start + 3]) << 8 | UInt16(bytes[start + 4])
        version = (bytes[start + 5] >> 1) & 0x1F
        currentNext = bytes[start + 5] & 0x01 != 0
        sectionNumber = bytes[start + 6]
        lastSectionNumber = bytes[start + 7]
        body = Array(bytes[(start + 8)..<(end - 4)])
    }

    /// Reads the section and checks its table_id.
    init(packet bytes: [UInt8], at offset: Int, expecting tableID: UInt8) throws(PSIError) {
        self = try PSISection(packet: bytes, at: offset)
        guard self.tableID == tableID else { throw .unexpectedTableID(expected: tableID, found: self.tableID) }
    }

    /// The bytes of a complete section (header, body, CRC_32) for these
    /// fields: what a multiplexer would send. Used to build test vectors and
    /// synthetic streams.
    public func encoded() -> [UInt8] {
        let sectionLength = 5 + body.count + 4
        var bytes: [UInt8] = [
            tableID, 0xB0 | UInt8((sectionLength >> 8) & 0x0F), UInt8(sectionLength & 0xFF),
            UInt8(tableIDExtension >> 8), UInt8(tableIDExtension & 0xFF),
            0xC0 | (version & 0x1F) << 1 | (currentNext ? 1 : 0), sectionNumber, lastSectionNumber,
        ]
        bytes += body
        let crc = MPEG2CRC32.checksum(bytes)
        bytes += [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)]
        return bytes
    }

    public init(tableID: UInt8, tableIDExtension: UInt16, version: UInt8 = 0, currentNext: Bool = true,
                sectionNumber: UInt8 = 0, lastSectionNumber: UInt8 = 0, body: [UInt8]) {
        self.tableID = tableID
        self.tableIDExtension = tableIDExtension
        self.version = version
        self.currentNext = currentNext
        self.sectionNumber = sectionNumber
        self.lastSectionNumber = lastSectionNumber
        self.body = body
    }
}
