import Configuration
import SNMP

/// What the MIB tree is built from at one moment; the daemon refreshes the
/// tables every few seconds and the scalars are read live.
public struct MIBData: Sendable {
    public var interfaces: [KernelInterface]
    /// Link speeds in bits/s by interface index, where known.
    public var speeds: [UInt32: UInt64]
    public var processes: [ProcessRow]
    public var streams: [StreamRow]

    public init(interfaces: [KernelInterface] = [], speeds: [UInt32: UInt64] = [:],
                processes: [ProcessRow] = [], streams: [StreamRow] = []) {
        self.interfaces = interfaces
        self.speeds = speeds
        self.processes = processes
        self.streams = streams
    }
}

/// Values read at the moment a request asks for them.
public struct LiveValues: Sendable {
    /// sysUpTime: hundredths of a second since the agent started.
    public var upTime: @Sendable () -> UInt32
    /// A USM/MPD counter's value.
    public var counter: @Sendable (SNMPCounter) -> UInt32
    /// snmpInPkts and snmpSilentDrops.
    public var inPackets: @Sendable () -> UInt32
    public var silentDrops: @Sendable () -> UInt32
    /// The engine's identity and clock.
    public var engine: @Sendable () -> EngineSnapshot
    public var maxMessageSize: Int32
    /// The identity objects (sysContact, sysName, sysLocation).
    public var system: @Sendable () -> SystemSettings

    public init(upTime: @escaping @Sendable () -> UInt32, counter: @escaping @Sendable (SNMPCounter) -> UInt32,
                inPackets: @escaping @Sendable () -> UInt32, silentDrops: @escaping @Sendable () -> UInt32,
                engine: @escaping @Sendable () -> EngineSnapshot, maxMessageSize: Int32,
                system: @escaping @Sendable () -> SystemSettings) {
        self.upTime = upTime
        self.counter = counter
        self.inPackets = inPackets
        self.silentDrops = silentDrops
        self.engine = engine
        self.maxMessageSize = maxMessageSize
        self.system = system
    }
}

/// Builds the agent's whole tree: SNMPv2-MIB (system, snmp), IF-MIB,
/// HOST-RESOURCES-MIB, the SNMPv3 engine and statistics groups, and the
/// appliance MIB.
public enum AgentMIB {
    public static let description = "Broadcast video encoder appliance (Swift services set)"

    public static func view(_ data: MIBData, live: LiveValues) -> MIBView {
        var sources: [any MIBSource] = []
        let system = systemGroup(live)
        sources.append(system)
        sources.append(contentsOf: interfaceSources(data))
        sources.append(snmpGroup(live))
        sources.append(contentsOf: hostResources(data))
        sources.append(contentsOf: applianceTables(data))
        sources.append(contentsOf: engineGroups(live))
        // Subtrees are fixed and disjoint by construction; a failure here is a
        // programming error caught by the unit tests.
        return (try? MIBView(sources)) ?? (try! MIBView([system]))
    }
}

/// One scalar object whose parent holds other objects served elsewhere
/// (ifNumber beside ifTable): owns only `object` and its instance `.0`.
public struct SingleScalarSource: MIBSource {
    public let subtree: OID
    public let value: SNMPValue

    public init(object: OID, value: SNMPValue) {
        subtree = object
        self.value = value
    }

    public func get(_ oid: OID) -> MIBLookup {
        oid == subtree.appending(0) ? .value(value) : .noSuchInstance
    }

    public func next(after oid: OID) -> VarBind? {
        let instance = subtree.appending(0)
        return instance > oid ? VarBind(instance, value) : nil
    }
}
