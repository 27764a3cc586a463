import Glibc
import SNMP
import ApplianceProtocol

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

extension AgentMIB {
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
