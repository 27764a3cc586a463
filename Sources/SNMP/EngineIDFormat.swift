/// Builds snmpEngineIDs in RFC 3411 §5's enterprise-specific form: the
/// first four octets are the IANA enterprise number with the top bit set,
/// the fifth names the format, the rest (1-27 octets) follow it.
public enum EngineIDFormat {
    /// 32473: the enterprise number RFC 5612 reserves for documentation and
    /// examples. A product with its own IANA number passes that instead.
    public static let exampleEnterprise: UInt32 = 32473

    /// The most octets that may follow the format octet (32 - 5).
    public static let maximumFollowingOctets = 27

    /// Why an engine ID could not be built.
    public enum Problem: Error, Hashable, Sendable {
        /// 1-27 octets must follow the format octet.
        case followingOctets(Int)
        /// Enterprise numbers are 31 bits (the top bit marks the new form).
        case enterpriseTooLarge(UInt32)
    }

    /// Format 4: administratively assigned text (RFC 3411 §5).
    public static func text(_ text: String, enterprise: UInt32 = exampleEnterprise) throws(Problem) -> [UInt8] {
        try make(enterprise: enterprise, format: 4, following: Array(text.utf8))
    }

    /// Format 5: administratively assigned octets (RFC 3411 §5).
    public static func octets(_ octets: [UInt8], enterprise: UInt32 = exampleEnterprise) throws(Problem) -> [UInt8] {
        try make(enterprise: enterprise, format: 5, following: octets)
    }

    /// Format 5 with `count` random octets: unique without configuration, as
    /// net-snmp's default random engine ID is. The daemon stores it so it
    /// survives restarts (keys are localized to it).
    public static func random(using generator: inout some RandomNumberGenerator, count: Int = 12,
                              enterprise: UInt32 = exampleEnterprise) throws(Problem) -> [UInt8] {
        let following = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return try make(enterprise: enterprise, format: 5, following: following)
    }

    private static func make(enterprise: UInt32, format: UInt8, following: [UInt8]) throws(Problem) -> [UInt8] {
        guard enterprise < 0x8000_0000 else { throw .enterpriseTooLarge(enterprise) }
        guard (1...maximumFollowingOctets).contains(following.count) else { throw .followingOctets(following.count) }
        let marked = enterprise | 0x8000_0000
        return [UInt8(marked >> 24), UInt8(truncatingIfNeeded: marked >> 16),
                UInt8(truncatingIfNeeded: marked >> 8), UInt8(truncatingIfNeeded: marked), format] + following
    }
}
