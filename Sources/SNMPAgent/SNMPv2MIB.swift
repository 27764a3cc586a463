import Configuration
import SNMP

extension AgentMIB {
    // MARK: SNMPv2-MIB system group (RFC 3418 §2)

    /// sysContact, sysName and sysLocation are read live, so a Set shows at
    /// once, before configd's change notice comes back.
    static func systemGroup(_ live: LiveValues) -> ScalarGroupSource {
        let objectID = ApplianceOID.product
        return ScalarGroupSource(subtree: SystemGroup.subtree, scalars: [
            1: { .octetString(Array(description.utf8)) },
            2: { .objectIdentifier(objectID) },
            3: { .timeTicks(live.upTime()) },
            4: { .octetString(Array((live.system().contact ?? "").utf8)) },
            5: { .octetString(Array(live.system().hostname.utf8)) },
            6: { .octetString(Array((live.system().location ?? "").utf8)) },
            7: { .integer(72) },
        ])
    }

    // MARK: SNMPv2-MIB snmp group (RFC 3418 §2)

    static func snmpGroup(_ live: LiveValues) -> ScalarGroupSource {
        let counter = live.counter
        return ScalarGroupSource(subtree: [1, 3, 6, 1, 2, 1, 11], scalars: [
            1: { .counter32(live.inPackets()) },
            3: { .counter32(counter(.snmpInBadVersions)) },
            // No community exists; v1/v2c messages count as bad versions.
            4: { .counter32(0) },
            5: { .counter32(0) },
            6: { .counter32(counter(.snmpInASNParseErrs)) },
            // authenticationFailure notifications are enabled (1 = true).
            30: { .integer(1) },
            31: { .counter32(live.silentDrops()) },
            32: { .counter32(0) },
        ])
    }
}
