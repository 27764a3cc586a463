/// A break in a stream's PCR timeline (ISO/IEC 13818-1 §2.4.2.2, §2.4.3.5),
/// for the caller to report (log, counter, SNMP). The clock has already
/// bridged it: time continues from where the byte rate predicted.
public struct PCRJump: Equatable, Sendable {
    /// Why the PCR was taken as a jump.
    public enum Kind: Equatable, Sendable {
        /// The PCR went backwards (or did not advance).
        case backwards
        /// The PCR advanced more than the tolerance beyond the byte-rate prediction.
        case forward
        /// The packet's discontinuity_indicator announced a new time base.
        case signalled
    }

    public var kind: Kind
    /// Index of the packet carrying the PCR.
    public var packetIndex: UInt64
    /// The raw PCR received (27 MHz, modulo 2^33 × 300).
    public var received: UInt64
    /// Signed distance (27 MHz ticks) from the prediction to what arrived, on
    /// the shortest way round the wrap.
    public var error: Int64

    public init(kind: Kind, packetIndex: UInt64, received: UInt64, error: Int64) {
        self.kind = kind
        self.packetIndex = packetIndex
        self.received = received
        self.error = error
    }
}
