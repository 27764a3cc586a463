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

extension AgentMIB {
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
