#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ApplianceCore
import Configuration
import Glibc
import Synchronization

/// Shapes outgoing streams with Linux traffic control: on each interface a
/// stream leaves by, an HTB root qdisc with sessmgrd's own handle `5e55:`,
/// and per stream an HTB class `5e55:N` (rate = the stream's measured rate
/// with its IP/UDP/RTP overhead, plus the configured ceiling %) and a `u32`
/// filter at priority N that puts the UDP datagrams from the stream's source
/// port in that class. Unclassified traffic is not touched (HTB sends it
/// directly: the qdisc has no default class). By source port rather than by
/// socket mark (SO_MARK + `fw`): `cls_fw` is a module some kernels lack (this
/// project's CI kernel among them), `u32` is built into every kernel with HTB.
///
/// It uses iproute2's `tc` with argument vectors (`posix_spawn`, no shell)
/// rather than rtnetlink: HTB's netlink attributes (rate tables, rate64,
/// burst computed from the timer resolution) are what `tc` already gets
/// right, the commands are the ones an operator types to inspect the result
/// (`tc -s class show dev IF`), and a class changes a few times per stream
/// lifetime, so the cost of a process per change does not matter.
///
/// It never touches what it did not create: it adds its root qdisc only
/// where the interface has none of its own configuration (`tc qdisc add`,
/// never `replace`), records each interface it took in `shaping.json`, and
/// after a crash removes exactly those qdiscs (handle `5e55:` on a recorded
/// interface) before streams resume and re-create their classes.
public final class TrafficShaper: Sendable {
    public static let major = "5e55"
    /// Per-datagram bytes on the wire beyond the TS payload: IPv4 20 + UDP 8 (+ RTP 12), Ethernet 14 + FCS 4.
    static func overheadBytes(rtp: Bool) -> Int { 20 + 8 + (rtp ? 12 : 0) + 18 }

    let tc: String
    let ip: String
    let recordPath: String
    private struct State {
        var owned: Set<String> = []
        var classes: [String: Set<UInt16>] = [:]
    }
    private let state = Mutex(State())

    /// nil when shaping cannot work here: no CAP_NET_ADMIN, or no `tc`.
    public init?(stateFolder: String) {
        guard Self.hasNetAdmin(), let tc = ProgramRun.find(["/usr/sbin/tc", "/sbin/tc", "/usr/bin/tc"]),
              let ip = ProgramRun.find(["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]) else { return nil }
        self.tc = tc
        self.ip = ip
        recordPath = stateFolder + "/shaping.json"
    }

    /// Whether CAP_NET_ADMIN (12) is in this process's effective set.
    public static func hasNetAdmin() -> Bool {
        guard let file = fopen("/proc/self/status", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 512)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("CapEff:") {
                let hex = String(text.dropFirst(7)).trimmed
                return (UInt64(hex, radix: 16) ?? 0) & (1 << 12) != 0
            }
        }
        return false
    }

    /// Removes the qdiscs a previous run created and did not remove (a crash).
    public func recover() -> [String] {
        guard let bytes = try? AtomicFile.read(recordPath, limit: 1 << 16),
              let interfaces = try? JSONDecoder().decode([String].self, from: Data(bytes)) else { return [] }
        var removed: [String] = []
        for interface in interfaces where ownsRootQdisc(interface) {
            if tcRun(["qdisc", "del", "dev", interface, "root", "handle", "\(Self.major):"]).status == 0 { removed.append(interface) }
        }
        unlink(recordPath)
        return removed
    }

    /// The interface a datagram to `host` leaves by: the configured one, else the route's.
    public func interface(for host: IPAddress, configured: String?) -> String? {
        if let configured { return configured }
        return Self.routeInterface(ProgramRun.run([ip, "-o", "route", "get", host.description]))
    }

    /// The `dev` word of `ip -o route get`'s answer.
    static func routeInterface(_ result: ProgramRun) -> String? {
        guard result.status == 0 else { return nil }
        let words = result.output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard let index = words.firstIndex(of: "dev"), index + 1 < words.count else { return nil }
        return String(words[index + 1])
    }

    /// The smallest minor not in use on any interface (1-65534).
    public func allocateMinor() -> UInt16 {
        state.withLock { state in
            let used = state.classes.values.reduce(into: Set<UInt16>()) { $0.formUnion($1) }
            return (1...UInt16(0xfffe)).first { !used.contains($0) } ?? 0xfffe
        }
    }

    /// Creates (or changes) the class and filter of stream `minor` on `interface`.
    public func shape(minor: UInt16, interface: String, rate: UInt64, sourcePort: UInt16, ipv6: Bool) throws(ShapingError) {
        let needsQdisc = state.withLock { !$0.owned.contains(interface) }
        if needsQdisc {
            if !ownsRootQdisc(interface) {
                let added = tcRun(["qdisc", "add", "dev", interface, "root", "handle", "\(Self.major):", "htb"])
                guard added.status == 0 else {
                    throw ShapingError("cannot add the HTB root qdisc on \(interface) (it may have its own): \(added.output.trimmed)")
                }
            }
            state.withLock { _ = $0.owned.insert(interface) }
            saveRecord()
        }
        let exists = state.withLock { $0.classes[interface]?.contains(minor) ?? false }
        let classID = "\(Self.major):\(String(minor, radix: 16))"
        let rateText = "\(max(rate, 8000))bit"
        let change = tcRun(["class", exists ? "change" : "add", "dev", interface, "parent", "\(Self.major):", "classid", classID,
                            "htb", "rate", rateText, "ceil", rateText])
        guard change.status == 0 else { throw ShapingError("tc class \(classID) on \(interface): \(change.output.trimmed)") }
        if !exists {
            let filter = tcRun(Self.filterArguments(interface: interface, minor: minor, sourcePort: sourcePort, ipv6: ipv6))
            guard filter.status == 0 else {
                _ = tcRun(["class", "del", "dev", interface, "classid", classID])
                throw ShapingError("tc filter for \(classID) on \(interface): \(filter.output.trimmed)")
            }
            state.withLock { _ = $0.classes[interface, default: []].insert(minor) }
        }
    }

    /// Removes stream `minor`'s filter and class, and the root qdisc once no class of ours is left.
    public func unshape(minor: UInt16, interface: String) {
        let had = state.withLock { $0.classes[interface]?.remove(minor) != nil }
        guard had else { return }
        _ = tcRun(["filter", "del", "dev", interface, "parent", "\(Self.major):", "prio", String(minor)])
        _ = tcRun(["class", "del", "dev", interface, "classid", "\(Self.major):\(String(minor, radix: 16))"])
        let empty = state.withLock { state -> Bool in
            guard state.classes[interface]?.isEmpty ?? true else { return false }
            state.classes[interface] = nil
            state.owned.remove(interface)
            return true
        }
        if empty {
            _ = tcRun(["qdisc", "del", "dev", interface, "root", "handle", "\(Self.major):"])
            saveRecord()
        }
    }

    /// Removes everything it created (on exit).
    public func removeAll() {
        let classes = state.withLock { $0.classes }
        for (interface, minors) in classes {
            for minor in minors { unshape(minor: minor, interface: interface) }
        }
    }

    /// `tc filter add` for stream `minor`: UDP from `sourcePort` into class `5e55:minor`, at priority `minor`.
    static func filterArguments(interface: String, minor: UInt16, sourcePort: UInt16, ipv6: Bool) -> [String] {
        ["filter", "add", "dev", interface, "parent", "\(major):", "protocol", ipv6 ? "ipv6" : "ip", "prio", String(minor), "u32",
         "match", ipv6 ? "ip6" : "ip", "protocol", "17", "0xff",
         "match", ipv6 ? "ip6" : "ip", "sport", String(sourcePort), "0xffff",
         "classid", "\(major):\(String(minor, radix: 16))"]
    }

    func ownsRootQdisc(_ interface: String) -> Bool {
        let shown = tcRun(["qdisc", "show", "dev", interface, "root"])
        return shown.status == 0 && shown.output.contains("qdisc htb \(Self.major): root")
    }

    private func saveRecord() {
        let owned = state.withLock { Array($0.owned).sorted() }
        if let bytes = try? JSONEncoder().encode(owned) { try? AtomicFile.write(Array(bytes), to: recordPath) }
    }

    private func tcRun(_ arguments: [String]) -> ProgramRun { ProgramRun.run([tc] + arguments) }
}

/// Why a stream could not be shaped; the stream still runs, unshaped, and its status says why.
public struct ShapingError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension String {
    var trimmed: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
