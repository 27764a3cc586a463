/// The CRC_32 of PSI sections (ISO/IEC 13818-1 Annex A): polynomial
/// 0x04C11DB7, initial value 0xFFFFFFFF, MSB first, no final XOR. Run over a
/// whole section including its CRC_32 field it gives 0.
public enum MPEG2CRC32 {
    /// Byte-at-a-time table, built once.
    static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index) << 24
        for _ in 0..<8 { crc = crc & 0x8000_0000 != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1 }
        return crc
    }

    /// The CRC of `bytes[range]`.
    public static func checksum(_ bytes: [UInt8], _ range: Range<Int>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for index in range {
            crc = (crc << 8) ^ table[Int((crc >> 24) ^ UInt32(bytes[index]))]
        }
        return crc
    }

    /// The CRC of all of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 { checksum(bytes, bytes.indices) }
}
