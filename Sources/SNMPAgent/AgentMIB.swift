import Configuration
import Glibc
import SNMP
import ApplianceProtocol

/// OIDs of the appliance's own MIB (`rootfs/usr/share/snmp/mibs/APPLIANCE-MIB.txt`),
/// under the documentation enterprise 32473 (RFC 5612).
public enum ApplianceOID {
    /// applianceMIB MODULE-IDENTITY ::= { enterprises 32473 1 }
    public static let module: OID = [1, 3, 6, 1, 4, 1, 32473, 1]
    /// applianceNotifications ::= { applianceMIB 0 }
    public static let notifications: OID = module.appending(0)
    /// streamEntry ::= { streamTable 1 } ::= { applianceObjects 1 }
    public static let streamEntry: OID = module.appending(1, 1, 1)
    /// processEntry ::= { processTable 1 } ::= { applianceObjects 2 }
    public static let processEntry: OID = module.appending(1, 2, 1)
    /// sysObjectID: applianceEncoder ::= { applianceProducts 1 } ::= { applianceMIB 3 1 }
    public static let product: OID = module.appending(3, 1)

    public static let streamStateChange: OID = notifications.appending(1)
    public static let processRestart: OID = notifications.appending(2)
    public static let processFailure: OID = notifications.appending(3)

    /// Stream columns.
    public enum StreamColumn: UInt32, CaseIterable {
        case source = 2, destination, encapsulation, state, datagrams, bytes, bitrate, mdiDelayFactor, mdiMediaLossRate, stateReason
    }
    /// Process columns.
    public enum ProcessColumn: UInt32, CaseIterable {
        case state = 2, pid, startCount, rss, uptime, lastExit
    }

    /// The index of a row named `name`: its length, then one arc per octet
    /// (RFC 2578 §7.7, a non-IMPLIED OCTET STRING index).
    public static func nameIndex(_ name: String) -> [UInt32] {
        let octets = Array(name.utf8)
        return [UInt32(octets.count)] + octets.map(UInt32.init)
    }

    /// processState's enumeration, from procmon's state words.
    public static func processState(_ word: String) -> Int32 {
        switch word {
        case "stopped": 1
        case "waiting": 2
        case "starting": 3
        case "running": 4
        case "stopping": 5
        case "backoff": 6
        case "failed": 7
        default: 1
        }
    }

    /// streamState's enumeration, from sessmgrd's state words.
    public static func streamState(_ word: String) -> Int32 {
        switch word {
        case "stopped": 1
        case "starting": 2
        case "streaming": 3
        case "source-lost": 4
        case "error": 5
        default: 6  // unknown: sessmgrd did not say
        }
    }
}

/// A stream's row: its configuration and what sessmgrd last reported.
public struct StreamRow: Hashable, Sendable {
    public var name: String
    public var source: String
    public var destination: String
    /// 1 tsUdp, 2 tsRtp.
    public var encapsulation: Int32
    public var state: String
    public var stateReason: String
    public var datagrams: UInt64
    public var bytes: UInt64
    public var bitrate: UInt64
    /// MDI delay factor in microseconds.
    public var mdiDelayFactorMicroseconds: UInt64
    /// MDI media loss rate, packets per second.
    public var mdiMediaLossRate: UInt64

    public init(name: String, source: String, destination: String, encapsulation: Int32, state: String = "unknown",
                stateReason: String = "", datagrams: UInt64 = 0, bytes: UInt64 = 0, bitrate: UInt64 = 0,
                mdiDelayFactorMicroseconds: UInt64 = 0, mdiMediaLossRate: UInt64 = 0) {
        self.name = name
        self.source = source
        self.destination = destination
        self.encapsulation = encapsulation
        self.state = state
        self.stateReason = stateReason
        self.datagrams = datagrams
        self.bytes = bytes
        self.bitrate = bitrate
        self.mdiDelayFactorMicroseconds = mdiDelayFactorMicroseconds
        self.mdiMediaLossRate = mdiMediaLossRate
    }
}

/// A process of the appliance for HOST-RESOURCES-MIB and the process table.
public struct ProcessRow: Equatable, Sendable {
    public var status: ProcessStatus
    /// From /proc: argv[0] and the rest, CPU time in centi-seconds.
    public var path: String
    public var parameters: String
    public var cpuCentiseconds: UInt64

    public init(status: ProcessStatus, path: String = "", parameters: String = "", cpuCentiseconds: UInt64 = 0) {
        self.status = status
        self.path = path
        self.parameters = parameters
        self.cpuCentiseconds = cpuCentiseconds
    }
}

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
        // sysContact, sysName and sysLocation are read live, so a Set shows
        // at once, before configd's change notice comes back.
        let objectID = ApplianceOID.product
        let system = ScalarGroupSource(subtree: SystemGroup.subtree, scalars: [
            1: { .octetString(Array(description.utf8)) },
            2: { .objectIdentifier(objectID) },
            3: { .timeTicks(live.upTime()) },
            4: { .octetString(Array((live.system().contact ?? "").utf8)) },
            5: { .octetString(Array(live.system().hostname.utf8)) },
            6: { .octetString(Array((live.system().location ?? "").utf8)) },
            7: { .integer(72) },
        ])
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

    // MARK: HOST-RESOURCES-MIB (RFC 2790)

    static func hostResources(_ data: MIBData) -> [any MIBSource] {
        let processCount = UInt32(clamping: data.processes.count)
        let system = ScalarGroupSource(subtree: [1, 3, 6, 1, 2, 1, 25, 1], scalars: [
            1: { .timeTicks(HostClock.uptimeCentiseconds()) },
            2: { .octetString(HostClock.dateAndTime()) },
            3: { .integer(0) },
            4: { .octetString(Array(HostClock.bootParameters().utf8.prefix(128))) },
            5: { .gauge32(0) },
            6: { .gauge32(processCount) },
            7: { .integer(HostClock.maximumProcesses()) },
        ])
        var runRows: [TableSource.Row] = []
        var perfRows: [TableSource.Row] = []
        for process in data.processes {
            guard let pid = process.status.pid, pid > 0 else { continue }
            let status: Int32 = process.status.state == "running" ? 1 : 2
            runRows.append(TableSource.Row(index: [UInt32(pid)], values: [
                .integer(pid),
                .octetString(Array(process.status.name.utf8.prefix(64))),
                .objectIdentifier(.zeroDotZero),
                .octetString(Array(process.path.utf8.prefix(128))),
                .octetString(Array(process.parameters.utf8.prefix(128))),
                .integer(4),  // application
                .integer(status),
            ]))
            perfRows.append(TableSource.Row(index: [UInt32(pid)], values: [
                .integer(Int32(clamping: process.cpuCentiseconds)),
                .integer(Int32(clamping: (process.status.rssBytes ?? 0) / 1024)),
            ]))
        }
        var sources: [any MIBSource] = [system]
        if let run = try? TableSource(entry: [1, 3, 6, 1, 2, 1, 25, 4, 2, 1], columns: Array(1...7), rows: runRows) { sources.append(run) }
        if let perf = try? TableSource(entry: [1, 3, 6, 1, 2, 1, 25, 5, 1, 1], columns: [1, 2], rows: perfRows) { sources.append(perf) }
        return sources
    }

    // MARK: APPLIANCE-MIB

    static func applianceTables(_ data: MIBData) -> [any MIBSource] {
        var streamRows: [TableSource.Row] = []
        for stream in data.streams {
            streamRows.append(TableSource.Row(index: ApplianceOID.nameIndex(stream.name), values: [
                .octetString(Array(stream.source.utf8.prefix(255))),
                .octetString(Array(stream.destination.utf8.prefix(255))),
                .integer(stream.encapsulation),
                .integer(ApplianceOID.streamState(stream.state)),
                .counter64(stream.datagrams),
                .counter64(stream.bytes),
                .gauge32(UInt32(clamping: stream.bitrate)),
                .gauge32(UInt32(clamping: stream.mdiDelayFactorMicroseconds)),
                .gauge32(UInt32(clamping: stream.mdiMediaLossRate)),
                .octetString(Array(stream.stateReason.utf8.prefix(255))),
            ]))
        }
        var processRows: [TableSource.Row] = []
        for process in data.processes {
            let status = process.status
            processRows.append(TableSource.Row(index: ApplianceOID.nameIndex(status.name), values: [
                .integer(ApplianceOID.processState(status.state)),
                .integer(status.pid ?? 0),
                .counter32(UInt32(clamping: status.startCount)),
                .gauge32(UInt32(clamping: (status.rssBytes ?? 0) / 1024)),
                .timeTicks(UInt32(clamping: Int(((status.uptimeSeconds ?? 0) * 100).rounded(.down)))),
                .octetString(Array((status.lastExit ?? "").utf8.prefix(255))),
            ]))
        }
        var sources: [any MIBSource] = []
        if let streams = try? TableSource(entry: ApplianceOID.streamEntry, columns: ApplianceOID.StreamColumn.allCases.map(\.rawValue), rows: streamRows) {
            sources.append(streams)
        }
        if let processes = try? TableSource(entry: ApplianceOID.processEntry, columns: ApplianceOID.ProcessColumn.allCases.map(\.rawValue), rows: processRows) {
            sources.append(processes)
        }
        return sources
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

/// The host's clock and limits, for hrSystem.
enum HostClock {
    static func uptimeCentiseconds() -> UInt32 {
        let seconds = Double(ProcFiles.read("/proc/uptime").split(separator: " ").first ?? "") ?? 0
        return UInt32(truncatingIfNeeded: UInt64(seconds * 100))
    }

    /// DateAndTime (RFC 2579), UTC: year, month, day, hour, minutes, seconds, deci-seconds, '+', 0, 0.
    static func dateAndTime() -> [UInt8] {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        return [UInt8(year >> 8), UInt8(year & 0xFF), UInt8(parts.tm_mon + 1), UInt8(parts.tm_mday),
                UInt8(parts.tm_hour), UInt8(parts.tm_min), UInt8(min(parts.tm_sec, 60)), UInt8(now.tv_nsec / 100_000_000),
                UInt8(ascii: "+"), 0, 0]
    }

    static func bootParameters() -> String {
        ProcFiles.read("/proc/cmdline").trimmingSpace
    }

    static func maximumProcesses() -> Int32 {
        Int32(ProcFiles.read("/proc/sys/kernel/pid_max").trimmingSpace) ?? 0
    }
}

/// Small reads of /proc.
enum ProcFiles {
    static func read(_ path: String, limit: Int = 4096) -> String {
        String(decoding: readBytes(path, limit: limit), as: UTF8.self)
    }

    static func readBytes(_ path: String, limit: Int = 4096) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = Glibc.read(fd, &buffer, limit)
        return count > 0 ? Array(buffer[..<count]) : []
    }

    /// argv[0] and the rest of a process's command line.
    static func commandLine(pid: Int32) -> (path: String, parameters: String) {
        let words = readBytes("/proc/\(pid)/cmdline").split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard let first = words.first else { return ("", "") }
        return (first, words.dropFirst().filter { !$0.isEmpty }.joined(separator: " "))
    }

    /// utime + stime in centi-seconds (clock ticks are 100 Hz on Linux's ABI).
    static func cpuCentiseconds(pid: Int32) -> UInt64 {
        let stat = read("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return 0 }
        let ticks = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        return (user + system) * 100 / ticks
    }
}
