import SNMP

extension AgentMIB {
    // MARK: IF-MIB (RFC 2863)

    static func interfaceSources(_ data: MIBData) -> [any MIBSource] {
        let interfaces = data.interfaces.sorted { $0.index < $1.index }
        let count = Int32(clamping: interfaces.count)
        var ifRows: [TableSource.Row] = []
        var ifXRows: [TableSource.Row] = []
        for interface in interfaces {
            let speed = data.speeds[interface.index] ?? 0
            let c32 = { (value: UInt64) -> SNMPValue in .counter32(UInt32(truncatingIfNeeded: value)) }
            let unicastIn = interface.rxPackets &- min(interface.rxMulticast, interface.rxPackets)
            let name = Array(interface.name.utf8)
            ifRows.append(TableSource.Row(index: [interface.index], values: [
                .integer(Int32(clamping: interface.index)),
                .octetString(name),
                .integer(ifType(interface.hardwareType)),
                .integer(Int32(clamping: interface.mtu)),
                .gauge32(UInt32(clamping: speed)),
                .octetString(interface.address),
                .integer(interface.isUp ? 1 : 2),
                .integer(operStatus(interface.operState)),
                .timeTicks(0),
                c32(interface.rxBytes),
                c32(unicastIn),
                c32(interface.rxDropped),
                c32(interface.rxErrors),
                c32(interface.rxNoHandler),
                c32(interface.txBytes),
                c32(interface.txPackets),
                c32(interface.txDropped),
                c32(interface.txErrors),
            ]))
            ifXRows.append(TableSource.Row(index: [interface.index], values: [
                .octetString(name),
                c32(interface.rxMulticast),
                .counter32(0),
                .counter32(0),
                .counter32(0),
                .counter64(interface.rxBytes),
                .counter64(unicastIn),
                .counter64(interface.rxMulticast),
                .counter64(0),
                .counter64(interface.txBytes),
                .counter64(interface.txPackets),
                .counter64(0),
                .counter64(0),
                .integer(2),
                .gauge32(UInt32(clamping: speed / 1_000_000)),
                .integer(interface.isPromiscuous ? 1 : 2),
                .integer(interface.hardwareType == 1 ? 1 : 2),
                .octetString(Array(interface.alias.utf8)),
                .timeTicks(0),
            ]))
        }
        // ifNumber is the scalar 1.3.6.1.2.1.2.1.0; ifTable is 1.3.6.1.2.1.2.2.
        var sources: [any MIBSource] = [SingleScalarSource(object: [1, 3, 6, 1, 2, 1, 2, 1], value: .integer(count))]
        // ifInNUcastPkts (12), ifOutNUcastPkts (18), ifOutQLen (21) and
        // ifSpecific (22) are deprecated (RFC 2863 §6) and not served.
        if let table = try? TableSource(entry: [1, 3, 6, 1, 2, 1, 2, 2, 1], columns: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 19, 20],
                                        rows: ifRows) {
            sources.append(table)
        }
        if let table = try? TableSource(entry: [1, 3, 6, 1, 2, 1, 31, 1, 1, 1], columns: Array(1...19), rows: ifXRows) {
            sources.append(table)
        }
        return sources
    }

    /// IANAifType from the ARPHRD type.
    static func ifType(_ arphrd: UInt16) -> Int32 {
        switch arphrd {
        case 1: 6        // ethernetCsmacd
        case 772: 24     // softwareLoopback
        case 768, 769, 776: 131  // tunnel
        default: 1       // other
        }
    }

    /// ifOperStatus from IF_OPER_* (RFC 2863 order, shifted by one).
    static func operStatus(_ state: UInt8) -> Int32 {
        switch state {
        case 6: 1  // up
        case 2: 2  // down
        case 3: 3  // testing
        case 4: 7  // lowerLayerDown
        case 5: 5  // dormant
        case 1: 6  // notPresent
        default: 4 // unknown
        }
    }
}
