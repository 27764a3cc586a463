import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Sessmgr
import Testing

/// sessmgrd's traffic shaping with the real `tc`, in network namespaces the
/// test creates and removes: procmon and sessmgrd run in namespace A, the
/// stream leaves by a veth whose peer is in namespace B.
@Suite(.serialized) struct SessmgrdShapingSystemTests {
    struct SetupError: Error, CustomStringConvertible { var description: String }

    struct Namespaces {
        let a: String, b: String, interface: String, peer: String, foreign: String, destination: String

        init() throws {
            let tag = String(UInt32.random(in: 0...0xFFFF), radix: 16)
            a = "smA\(tag)"
            b = "smB\(tag)"
            interface = "smv\(tag)a"
            peer = "smv\(tag)b"
            foreign = "smd\(tag)"
            let net = Int.random(in: 1...250)
            destination = "10.213.\(net).2"
            for command in [
                ["ip", "netns", "add", a], ["ip", "netns", "add", b],
                ["ip", "link", "add", interface, "netns", a, "type", "veth", "peer", "name", peer, "netns", b],
                ["ip", "-n", a, "addr", "add", "10.213.\(net).1/30", "dev", interface],
                ["ip", "-n", b, "addr", "add", "10.213.\(net).2/30", "dev", peer],
                ["ip", "-n", a, "link", "set", interface, "up"], ["ip", "-n", b, "link", "set", peer, "up"],
                ["ip", "-n", a, "link", "set", "lo", "up"],
                // An interface with someone else's shaping, which sessmgrd must leave alone.
                ["ip", "link", "add", foreign, "netns", a, "type", "veth", "peer", "name", foreign + "p", "netns", a],
                ["ip", "-n", a, "link", "set", foreign, "up"],
                ["tc", "-n", a, "qdisc", "add", "dev", foreign, "root", "handle", "1:", "htb"],
                ["tc", "-n", a, "class", "add", "dev", foreign, "parent", "1:", "classid", "1:10", "htb", "rate", "1mbit"],
            ] {
                let result = TestMedia.run(["/usr/sbin/" + command[0]] + command.dropFirst())
                guard result.status == 0 else {
                    remove()
                    throw SetupError(description: "\(command.joined(separator: " ")): \(result.output)")
                }
            }
        }

        func tc(_ arguments: String...) -> String { TestMedia.run(["/usr/sbin/tc", "-n", a] + arguments).output }

        func remove() {
            _ = TestMedia.run(["/usr/sbin/ip", "netns", "del", a])
            _ = TestMedia.run(["/usr/sbin/ip", "netns", "del", b])
        }
    }

    /// The class bytes of 5e55:1 on the interface, from `tc -s class show`.
    /// The bytes that entered class 5e55:1: those it sent ("Sent N bytes")
    /// plus those still queued in it ("backlog Nb"), since a shaped class
    /// holds a few datagrams back.
    static func classBytes(_ output: String) -> Int? {
        guard let range = output.range(of: "class htb 5e55:1 ") else { return nil }
        let rest = output[range.upperBound...]
        guard let sent = rest.range(of: "Sent "), let bytes = Int(rest[sent.upperBound...].prefix { $0.isNumber }) else { return nil }
        guard let backlog = rest.range(of: "backlog ") else { return bytes }
        return bytes + (Int(rest[backlog.upperBound...].prefix { $0.isNumber }) ?? 0)
    }

    /// Shaping on: an HTB class 5e55:1 at the stream's rate + overhead +
    /// ceiling and a u32 filter exist while it streams, and the class's byte
    /// counter grows; sessmgrd itself holds no capability (tc runs in the
    /// shaper service, the one process with CAP_NET_ADMIN); after SIGKILL the
    /// restarted sessmgrd has its old classes removed and the resumed stream
    /// shaped again; after stop nothing of sessmgrd's is left; another
    /// interface's HTB is never touched.
    @Test(.enabled(if: getuid() == 0, "network namespaces need root"))
    func streamIsShapedByItsOwnClassAndEverythingIsRemoved() async throws {
        let file = try TestMedia.make(in: SessmgrdSystemTests.mediaFolder())
        let ns = try Namespaces()
        defer { ns.remove() }
        let foreignBefore = ns.tc("class", "show", "dev", ns.foreign)
        let harness = try SessmgrdSystemTests.start(launcher: ["/usr/sbin/ip", "netns", "exec", ns.a])
        defer { harness.stop() }
        try await SessmgrdSystemTests.apply(harness, ["stream cam1 source file:\(file) destination udp://\(ns.destination):5000 shaping ceiling 10 autostart"])
        harness.waitUntil("shaping on") { SessmgrdSystemTests.status(harness, "cam1")?.shaping.hasPrefix("on dev \(ns.interface)") == true }
        let status = try #require(SessmgrdSystemTests.status(harness, "cam1"), "\(harness.serviceLog("sessmgrd"))")
        #expect(status.shaping.hasPrefix("on"), "shaping: \(status.shaping); state \(status.state) \(status.reason ?? ""); log: \(harness.serviceLog("sessmgrd"))")
        // rate = 1 Mbit/s × (1316 + 46) / 1316 × 1.10 ≈ 1.14 Mbit/s
        let rate = try #require(status.shaping.split(separator: " ").firstIndex(of: "rate").map { Int(status.shaping.split(separator: " ")[$0 + 1]) ?? 0 })
        #expect(rate > 1_100_000 && rate < 1_180_000, "\(status.shaping)")
        #expect(ns.tc("qdisc", "show", "dev", ns.interface).contains("qdisc htb 5e55: root"))
        // The process that parses files and network input holds no capability while shaping works.
        let sessmgrd = procStatus(try #require(harness.running("sessmgrd")?.pid))
        for field in ["CapEff", "CapPrm", "CapAmb", "CapInh"] {
            #expect(sessmgrd[field] == "0000000000000000", "sessmgrd's \(field) is \(sessmgrd[field] ?? "?")")
        }
        let shaper = procStatus(try #require(harness.running("shaper")?.pid, "no shaper service"))
        let netAdmin = String(format: "%016x", 1 << 12)
        #expect(shaper["CapEff"] == netAdmin && shaper["CapAmb"] == netAdmin && shaper["CapBnd"] == netAdmin, "the shaper: \(shaper)")
        #expect(ns.tc("filter", "show", "dev", ns.interface).contains("flowid 5e55:1"))
        // The class carries the stream: its byte counter grows by at least what
        // the stream sent meanwhile (UDP payload; the class also counts headers).
        // sessmgrd publishes its counters every 100 ms: the first figure is
        // taken from a status published after the class was read, so both
        // windows start in that order and neither count can lead the other.
        let first = try #require(Self.classBytes(ns.tc("-s", "class", "show", "dev", ns.interface)))
        let published = try #require(SessmgrdSystemTests.status(harness, "cam1")).bytes
        var sentBefore = published
        #expect(harness.waitUntil("a status published after the class was read") {
            sentBefore = try #require(SessmgrdSystemTests.status(harness, "cam1")).bytes
            return sentBefore != published
        })
        try await Task.sleep(for: .seconds(2))
        let sentAfter = try #require(SessmgrdSystemTests.status(harness, "cam1")).bytes
        let second = try #require(Self.classBytes(ns.tc("-s", "class", "show", "dev", ns.interface)))
        #expect(sentAfter - sentBefore > 100_000, "the stream sent \(sentAfter - sentBefore) bytes in 2 s")
        #expect(UInt64(second - first) >= sentAfter - sentBefore,
                "the class carried \(second - first) bytes while the stream sent \(sentAfter - sentBefore)")
        // A crash: the next sessmgrd takes its own qdisc away and shapes again.
        let pid = try #require(harness.running("sessmgrd")?.pid)
        kill(pid, SIGKILL)
        harness.waitUntil("sessmgrd back") { (harness.running("sessmgrd")?.pid).map { $0 != pid } ?? false }
        harness.waitUntil("shaping on again") { SessmgrdSystemTests.status(harness, "cam1")?.shaping.hasPrefix("on dev") == true }
        let classes = ns.tc("class", "show", "dev", ns.interface)
        #expect(classes.components(separatedBy: "class htb 5e55:").count - 1 == 1, "one class after the restart: \(classes)")
        // The shaper crashes: the one that procmon starts again removes what the
        // old one made, and sessmgrd has its stream shaped again.
        let shaperPID = try #require(harness.running("shaper")?.pid)
        kill(shaperPID, SIGKILL)
        harness.waitUntil("the shaper back") { (harness.running("shaper")?.pid).map { $0 != shaperPID } ?? false }
        harness.waitUntil("the class back after the shaper's restart") {
            ns.tc("class", "show", "dev", ns.interface).contains("class htb 5e55:1 ")
                && ns.tc("filter", "show", "dev", ns.interface).contains("flowid 5e55:1")
        }
        // Stop: class, filter and qdisc are gone.
        _ = try await SessmgrdSystemTests.sessmgrd(harness).call(SessmgrdMethod.Stop.self, .init(name: "cam1"))
        harness.waitUntil("qdisc removed") { !ns.tc("qdisc", "show", "dev", ns.interface).contains("5e55:") }
        #expect(!ns.tc("filter", "show", "dev", ns.interface).contains("5e55"))
        #expect(ns.tc("class", "show", "dev", ns.foreign) == foreignBefore)
        #expect(ns.tc("qdisc", "show", "dev", ns.foreign).contains("qdisc htb 1: root"))
    }

    /// Without CAP_NET_ADMIN in the shaper, shaping is off and the stream's status says why.
    @Test func withoutNetAdminShapingIsUnavailableAndSaysSo() async throws {
        let file = try TestMedia.make(in: SessmgrdSystemTests.mediaFolder())
        let manifest = SessmgrdSystemTests.manifest().replacingOccurrences(of: "capabilities = net_admin\n", with: "")
        let harness = try ProcmonHarness(manifest: manifest, environment: ["APPLIANCE_ADMIN_PASSWORD": "Correct-Horse-Battery-9"])
        defer { harness.stop() }
        harness.waitUntil("sessmgrd running", timeout: .seconds(60)) { harness.running("sessmgrd") != nil }
        let port = StreamReceiver.freePortPair()
        try await SessmgrdSystemTests.apply(harness, ["stream cam1 source file:\(file) destination udp://127.0.0.1:\(port) shaping autostart"])
        harness.waitUntil("streaming") { SessmgrdSystemTests.status(harness, "cam1")?.state == "streaming" }
        let status = try #require(SessmgrdSystemTests.status(harness, "cam1"))
        let all = try await SessmgrdSystemTests.sessmgrd(harness).call(SessmgrdMethod.Status.self, .init())
        #expect(status.shaping.hasPrefix("unavailable: the shaper does not hold CAP_NET_ADMIN"), "\(status.shaping)")
        #expect(!all.shapingAvailable)
    }

    /// Multicast in namespace A (on lo): a stream sent to a group is received
    /// by a gateway stream that joined it source-specifically with the right
    /// source; one joined for another source receives nothing and reports its
    /// source lost.
    @Test(.enabled(if: getuid() == 0, "network namespaces need root"))
    func sourceSpecificMulticastJoinReceivesOnlyTheNamedSource() async throws {
        let file = try TestMedia.make(in: SessmgrdSystemTests.mediaFolder())
        let ns = try Namespaces()
        defer { ns.remove() }
        for command in [["ip", "-n", ns.a, "link", "set", "lo", "multicast", "on"],
                        ["ip", "-n", ns.a, "route", "add", "224.0.0.0/4", "dev", "lo", "src", "127.0.0.1"]] {
            let result = TestMedia.run(["/usr/sbin/" + command[0]] + command.dropFirst())
            #expect(result.status == 0, "\(command): \(result.output)")
        }
        let harness = try SessmgrdSystemTests.start(launcher: ["/usr/sbin/ip", "netns", "exec", ns.a])
        defer { harness.stop() }
        try await SessmgrdSystemTests.apply(harness, [
            "stream feed source file:\(file) destination udp://232.1.2.3:5000 ttl 1 autostart",
            "stream right source udp://127.0.0.1@232.1.2.3:5000 destination rtp://127.0.0.1:6000 autostart",
            "stream wrong source udp://10.9.9.9@232.1.2.3:5000 destination rtp://127.0.0.1:6002 autostart",
        ])
        harness.waitUntil("the right gateway streaming") { SessmgrdSystemTests.status(harness, "right")?.state == "streaming" }
        harness.waitUntil("the wrong gateway's source lost") { SessmgrdSystemTests.status(harness, "wrong")?.state == "source-lost" }
        let right = try #require(SessmgrdSystemTests.status(harness, "right"))
        let wrong = try #require(SessmgrdSystemTests.status(harness, "wrong"))
        #expect(right.inputDatagrams > 50 && right.datagrams > 20,
                "right: \(right); feed: \(String(describing: SessmgrdSystemTests.status(harness, "feed"))); log: \(harness.serviceLog("sessmgrd"))")
        #expect(wrong.inputDatagrams == 0 && wrong.datagrams == 0)
    }
}
