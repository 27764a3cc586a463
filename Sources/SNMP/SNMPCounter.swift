/// The counters an SNMPv3 engine keeps for refused messages, named as in
/// their MIBs (every refused input is counted under its MIB name).
/// Each has a scalar instance OID, used in Report PDUs (RFC 3412 §7.1 step 3)
/// and for serving the counter itself.
public enum SNMPCounter: Hashable, Sendable, CaseIterable {
    /// SNMPv2-MIB snmpInBadVersions: v1/v2c or unknown msgVersion (RFC 3412 §7.2 step 2).
    case snmpInBadVersions
    /// SNMPv2-MIB snmpInASNParseErrs: malformed BER (RFC 3412 §7.2 step 2, RFC 3414 §3.2 step 1).
    case snmpInASNParseErrs
    /// SNMP-MPD-MIB snmpUnknownSecurityModels (RFC 3412 §7.2 step 4).
    case snmpUnknownSecurityModels
    /// SNMP-MPD-MIB snmpInvalidMsgs: privFlag without authFlag (RFC 3412 §7.2 step 5).
    case snmpInvalidMsgs
    /// SNMP-MPD-MIB snmpUnknownPDUHandlers: a PDU type nobody handles (RFC 3412 §7.2 step 10).
    case snmpUnknownPDUHandlers
    /// SNMP-TARGET-MIB snmpUnknownContexts: a contextName the agent lacks (RFC 3413 §3.2 step 2).
    case snmpUnknownContexts
    /// usmStatsUnsupportedSecLevels (RFC 3414 §3.2 step 5).
    case usmStatsUnsupportedSecLevels
    /// usmStatsNotInTimeWindows (RFC 3414 §3.2 step 7).
    case usmStatsNotInTimeWindows
    /// usmStatsUnknownUserNames (RFC 3414 §3.2 step 4).
    case usmStatsUnknownUserNames
    /// usmStatsUnknownEngineIDs (RFC 3414 §3.2 step 3): also the discovery answer.
    case usmStatsUnknownEngineIDs
    /// usmStatsWrongDigests (RFC 3414 §3.2 step 6).
    case usmStatsWrongDigests
    /// usmStatsDecryptionErrors (RFC 3414 §3.2 step 8).
    case usmStatsDecryptionErrors

    /// The counter's scalar instance (`….0`).
    public var oid: OID {
        switch self {
        case .snmpInBadVersions: OID(trusted: [1, 3, 6, 1, 2, 1, 11, 3, 0])
        case .snmpInASNParseErrs: OID(trusted: [1, 3, 6, 1, 2, 1, 11, 6, 0])
        case .snmpUnknownSecurityModels: OID(trusted: [1, 3, 6, 1, 6, 3, 11, 2, 1, 1, 0])
        case .snmpInvalidMsgs: OID(trusted: [1, 3, 6, 1, 6, 3, 11, 2, 1, 2, 0])
        case .snmpUnknownPDUHandlers: OID(trusted: [1, 3, 6, 1, 6, 3, 11, 2, 1, 3, 0])
        case .snmpUnknownContexts: OID(trusted: [1, 3, 6, 1, 6, 3, 12, 1, 5, 0])
        case .usmStatsUnsupportedSecLevels: OID(trusted: [1, 3, 6, 1, 6, 3, 15, 1, 1, 1, 0])
        case .usmStatsNotInTimeWindows: OID(trusted: [1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0])
        case .usmStatsUnknownUserNames: OID(trusted: [1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0])
        case .usmStatsUnknownEngineIDs: OID(trusted: [1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0])
        case .usmStatsWrongDigests: OID(trusted: [1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0])
        case .usmStatsDecryptionErrors: OID(trusted: [1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0])
        }
    }
}

/// The values of every `SNMPCounter`, as Counter32s that wrap (RFC 2578
/// §7.1.6). A value type: the daemon owns one and serves it via a MIB source.
public struct SNMPCounters: Hashable, Sendable {
    private var values: [SNMPCounter: UInt32] = [:]

    public init() {}

    /// The counter's current value.
    public subscript(counter: SNMPCounter) -> UInt32 { values[counter] ?? 0 }

    /// Adds one and returns the new value (which a Report carries).
    @discardableResult
    public mutating func increment(_ counter: SNMPCounter) -> UInt32 {
        let next = self[counter] &+ 1
        values[counter] = next
        return next
    }
}
