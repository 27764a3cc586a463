import SNMP

extension AgentMIB {
    // MARK: SNMP-FRAMEWORK-MIB, SNMP-MPD-MIB, SNMP-TARGET-MIB, SNMP-USER-BASED-SM-MIB statistics

    static func engineGroups(_ live: LiveValues) -> [any MIBSource] {
        let counter = live.counter
        let maxSize = live.maxMessageSize
        return [
            ScalarGroupSource(subtree: [1, 3, 6, 1, 6, 3, 10, 2, 1], scalars: [
                1: { .octetString(live.engine().engineID) },
                2: { .integer(live.engine().boots) },
                3: { .integer(live.engine().time) },
                4: { .integer(maxSize) },
            ]),
            ScalarGroupSource(subtree: [1, 3, 6, 1, 6, 3, 11, 2, 1], scalars: [
                1: { .counter32(counter(.snmpUnknownSecurityModels)) },
                2: { .counter32(counter(.snmpInvalidMsgs)) },
                3: { .counter32(counter(.snmpUnknownPDUHandlers)) },
            ]),
            ScalarGroupSource(subtree: [1, 3, 6, 1, 6, 3, 12, 1], scalars: [
                4: { .counter32(0) },  // snmpUnavailableContexts
                5: { .counter32(counter(.snmpUnknownContexts)) },
            ]),
            ScalarGroupSource(subtree: [1, 3, 6, 1, 6, 3, 15, 1, 1], scalars: [
                1: { .counter32(counter(.usmStatsUnsupportedSecLevels)) },
                2: { .counter32(counter(.usmStatsNotInTimeWindows)) },
                3: { .counter32(counter(.usmStatsUnknownUserNames)) },
                4: { .counter32(counter(.usmStatsUnknownEngineIDs)) },
                5: { .counter32(counter(.usmStatsWrongDigests)) },
                6: { .counter32(counter(.usmStatsDecryptionErrors)) },
            ]),
        ]
    }
}
