/// In-place rewrites of a packet in the caller's buffer, for loop splicing and
/// restamping: no allocation, nothing but the named bits changes.
extension TSPacket {
    /// Sets the continuity_counter (§2.4.3.3) of the packet at `offset`.
    public static func rewriteContinuityCounter(_ counter: UInt8, in bytes: inout [UInt8], at offset: Int = 0)
        throws(TSPacketError)
    {
        try checkFrame(bytes, at: offset)
        bytes[offset + 3] = (bytes[offset + 3] & 0xF0) | (counter & 0x0F)
    }

    /// Replaces the PCR of the packet at `offset` with a 27 MHz value (reduced
    /// modulo 2^33 × 300); the reserved bits stay as they were.
    public static func rewritePCR(_ pcr: UInt64, in bytes: inout [UInt8], at offset: Int = 0) throws(TSPacketError) {
        let packet = try TSPacket(bytes, at: offset)
        guard packet.pcr != nil else { throw .noPCR }
        ProgramClockReference.write(pcr, into: &bytes, at: offset + AdaptationField.pcrOffset)
    }

    /// Sets or clears the discontinuity_indicator (§2.4.3.5). A packet without
    /// an adaptation field (or with a zero-length one) cannot get one here:
    /// adding it would push payload out, which only the multiplexer can do.
    public static func setDiscontinuityIndicator(_ on: Bool, in bytes: inout [UInt8], at offset: Int = 0)
        throws(TSPacketError)
    {
        let packet = try TSPacket(bytes, at: offset)
        guard let field = packet.adaptationField, field.length > 0 else { throw .noAdaptationField }
        let index = offset + AdaptationField.flagsOffset
        bytes[index] = on ? bytes[index] | 0x80 : bytes[index] & 0x7F
    }

    @inline(__always)
    static func checkFrame(_ bytes: [UInt8], at offset: Int) throws(TSPacketError) {
        guard offset >= 0, bytes.count - offset >= TSPacket.size else {
            throw .truncated(available: offset < 0 ? 0 : max(0, bytes.count - offset))
        }
        guard bytes[offset] == TSPacket.syncByte else { throw .wrongSyncByte(bytes[offset]) }
    }
}
