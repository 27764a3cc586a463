import ApplianceCore
import Configuration
import SNMP
import ApplianceProtocol
import Synchronization

/// Reads what the tables show (interfaces from the kernel, processes from
/// procmon and /proc, streams from the configuration and sessmgrd) and
/// finds the changes that notifications report.
public final class TableRefresher: Sendable {
    public struct Snapshot: Sendable {
        public var data: MIBData
        /// Whether procmon answered (no process notifications are derived from a failed read).
        public var processesKnown: Bool
        public var streamsKnown: Bool
    }

    /// A notification to send.
    public struct Change: Sendable, Equatable {
        public var oid: OID
        public var objects: [VarBind]
        public var name: String
    }

    private let procmon: ControlClient
    private let streams: StreamStatusReader
    private let speeds = Mutex<[String: (speed: UInt64?, at: UInt64)]>([:])

    public init(paths: AppliancePaths) {
        procmon = ControlClient(paths: paths, daemon: "procmon", timeout: .seconds(2))
        streams = StreamStatusReader(paths: paths)
    }

    func refresh(followed: Snmpd.Followed?) async -> Snapshot {
        var data = MIBData()
        if let interfaces = try? KernelInterfaces.read() {
            data.interfaces = interfaces
            // Link speeds come from sysfs, one file per interface: read once
            // a minute, not at every refresh (there may be thousands).
            let now = Agent.monotonicCentiseconds()
            data.speeds = speeds.withLock { cache in
                var known: [UInt32: UInt64] = [:]
                var fresh: [String: (speed: UInt64?, at: UInt64)] = [:]
                for interface in interfaces where interface.hardwareType == 1 {
                    var entry = cache[interface.name]
                    if entry == nil || now - entry!.at > 6000 { entry = (KernelInterfaces.speed(of: interface.name), now) }
                    fresh[interface.name] = entry
                    if let speed = entry!.speed { known[interface.index] = speed }
                }
                cache = fresh
                return known
            }
        }
        var processesKnown = false
        if let statuses = try? await procmon.call(ProcmonMethod.Processes.self, NoValue()) {
            processesKnown = true
            data.processes = statuses.map { status in
                guard let pid = status.pid else { return ProcessRow(status: status) }
                let command = ProcFiles.commandLine(pid: pid)
                return ProcessRow(status: status, path: command.path, parameters: command.parameters,
                                  cpuCentiseconds: ProcFiles.cpuCentiseconds(pid: pid))
            }
        }
        let live = await streams.read()
        data.streams = (followed?.streams ?? []).map { config in
            var row = StreamRow(name: config.name, source: config.source.description, destination: config.destination.description,
                                encapsulation: config.effectiveEncapsulation == .tsRTP ? 2 : 1)
            if let live = live?[config.name] {
                row.state = live.state
                row.stateReason = live.reason ?? ""
                row.datagrams = live.datagrams
                row.bytes = live.bytes
                row.bitrate = live.bitrate
                row.mdiDelayFactorMicroseconds = live.mdiDelayFactorMicroseconds
                row.mdiMediaLossRate = live.mdiMediaLossRate
            } else if live != nil {
                row.state = "stopped"
            }
            return row
        }
        return Snapshot(data: data, processesKnown: processesKnown, streamsKnown: live != nil)
    }

    /// Process restarts and failures, stream state changes, between two reads.
    public static func changes(from old: Snapshot, to new: Snapshot) -> [Change] {
        var changes: [Change] = []
        if old.processesKnown && new.processesKnown {
            let before = Dictionary(old.data.processes.map { ($0.status.name, $0.status) }, uniquingKeysWith: { a, _ in a })
            for row in new.data.processes {
                let now = row.status
                guard let was = before[now.name] else { continue }
                let index = ApplianceOID.nameIndex(now.name)
                let objects = [
                    VarBind(ApplianceOID.processEntry.appending(ApplianceOID.ProcessColumn.state.rawValue).appending(contentsOf: index),
                            .integer(ApplianceOID.processState(now.state))),
                    VarBind(ApplianceOID.processEntry.appending(ApplianceOID.ProcessColumn.startCount.rawValue).appending(contentsOf: index),
                            .counter32(UInt32(clamping: now.startCount))),
                    VarBind(ApplianceOID.processEntry.appending(ApplianceOID.ProcessColumn.lastExit.rawValue).appending(contentsOf: index),
                            .octetString(Array((now.lastExit ?? "").utf8.prefix(255)))),
                ]
                if now.state == "failed" && was.state != "failed" {
                    changes.append(Change(oid: ApplianceOID.processFailure, objects: objects, name: "processFailure \(now.name)"))
                } else if now.startCount > was.startCount && was.startCount > 0 {
                    changes.append(Change(oid: ApplianceOID.processRestart, objects: objects, name: "processRestart \(now.name)"))
                }
            }
        }
        if old.streamsKnown && new.streamsKnown {
            let before = Dictionary(old.data.streams.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            for row in new.data.streams {
                guard let was = before[row.name], was.state != row.state else { continue }
                let index = ApplianceOID.nameIndex(row.name)
                changes.append(Change(oid: ApplianceOID.streamStateChange, objects: [
                    VarBind(ApplianceOID.streamEntry.appending(ApplianceOID.StreamColumn.state.rawValue).appending(contentsOf: index),
                            .integer(ApplianceOID.streamState(row.state))),
                    VarBind(ApplianceOID.streamEntry.appending(ApplianceOID.StreamColumn.stateReason.rawValue).appending(contentsOf: index),
                            .octetString(Array(row.stateReason.utf8.prefix(255)))),
                ], name: "streamStateChange \(row.name)"))
            }
        }
        return changes
    }
}

/// One stream as sessmgrd reports it.
public struct StreamLive: Sendable, Equatable {
    public var state: String
    public var reason: String?
    public var datagrams: UInt64
    public var bytes: UInt64
    public var bitrate: UInt64
    public var mdiDelayFactorMicroseconds: UInt64
    public var mdiMediaLossRate: UInt64
}

/// Reads stream states and counters from sessmgrd's control socket; nil
/// when sessmgrd cannot be asked (the rows then say unknown).
final class StreamStatusReader: Sendable {
    let client: ControlClient

    init(paths: AppliancePaths) {
        client = ControlClient(paths: paths, daemon: "sessmgrd", timeout: .seconds(2))
    }

    func read() async -> [String: StreamLive]? {
        guard let result = try? await client.call(SessmgrdMethod.Status.self, .init()) else { return nil }
        var streams: [String: StreamLive] = [:]
        for stream in result.streams {
            streams[stream.name] = StreamLive(
                state: stream.state, reason: stream.reason, datagrams: stream.datagrams, bytes: stream.bytes,
                bitrate: stream.currentBitrate,
                mdiDelayFactorMicroseconds: UInt64(max(stream.mdiDelayFactorMilliseconds * 1000, 0).rounded()),
                mdiMediaLossRate: UInt64(max(stream.mdiMediaLossRate, 0).rounded()))
        }
        return streams
    }
}
