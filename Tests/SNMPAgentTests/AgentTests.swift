import ApplianceProtocol
import Configuration
import Foundation
import SNMP
import Synchronization
import Testing
import TestSupport
@testable import SNMPAgent
@testable import Supervisor

/// A manager for these tests: builds authPriv requests to the agent and
/// opens its answers, with the same library functions a manager uses.
private struct Manager {
    let user: USMCredentials
    var salts = USMSaltGenerator(initialValue: 0xA1B2_C3D4_0000_0001)

    init(engineID: [UInt8], name: String = "admin", auth: SNMPAuthProtocol = .sha256, priv: SNMPPrivProtocol = .aes128,
         password: String = "correct-horse-1") throws {
        user = try USMCredentials(userName: Array(name.utf8), authProtocol: auth,
                                  authKey: USMKeyDerivation.authenticationKey(password: Array(password.utf8), engineID: engineID, protocol: auth),
                                  privProtocol: priv,
                                  privKey: USMKeyDerivation.privacyKey(password: Array(password.utf8), engineID: engineID, authentication: auth, privacy: priv))
    }

    mutating func request(_ pdu: PDU, engine: EngineSnapshot, contextName: [UInt8] = [], maxSize: Int32 = 65507) throws -> [UInt8] {
        try USMEngine.encodeOutgoing(ScopedPDU(contextEngineID: engine.engineID, contextName: contextName, pdu: pdu), messageID: 9,
                                     maxSize: maxSize, reportable: true, security: .authPriv(user, salt: salts.next()), authoritative: engine)
    }

    /// The PDU of an encrypted answer.
    func open(_ reply: [UInt8]) throws -> PDU {
        let received = try SNMPv3Message.decode(reply)
        #expect(USMAuthentication.verify(received, key: user.authKey.octets, protocol: user.authProtocol))
        guard case .encrypted(let ciphertext) = received.message.data else { throw OpenFailure.notEncrypted }
        let parameters = received.message.securityParameters
        let plaintext = try USMPrivacy.decrypt(ciphertext, key: user.privKey.octets, protocol: user.privProtocol,
                                               boots: parameters.authoritativeEngineBoots, time: parameters.authoritativeEngineTime,
                                               salt: parameters.privacyParameters)
        return try ScopedPDU(decrypted: plaintext).pdu
    }

    enum OpenFailure: Error { case notEncrypted }
}

/// Records what the agent would send to configd, and answers as configured.
private final class ConfigdStandIn: Sendable {
    let changes = Mutex<[SetChange]>([])
    let answer: SetResult
    init(answer: SetResult = .applied) { self.answer = answer }
    func apply(_ change: SetChange) -> SetResult {
        changes.withLock { $0.append(change) }
        return answer
    }
}

private let engineID: [UInt8] = [0x80, 0x00, 0x7E, 0xD9, 0x05, 1, 2, 3, 4, 5, 6, 7, 8]

private func makeAgent(configd: ConfigdStandIn = ConfigdStandIn(), events: Agent.Events = Agent.Events(),
                       users: [(String, Role)] = [("admin", .admin), ("viewer", .viewer)]) throws -> Agent {
    var table: [[UInt8]: AgentUser] = [:]
    for (name, role) in users {
        table[Array(name.utf8)] = AgentUser(credentials: try Manager(engineID: engineID, name: name).user, role: role)
    }
    let agent = Agent(engine: EngineState(engineID: engineID, boots: 3, startSeconds: Agent.monotonicCentiseconds() / 100),
                      users: table, system: SystemSettings(hostname: "enc-1", location: "Studio A"),
                      applySet: { configd.apply($0) }, events: events)
    return agent
}

@Suite("snmpd agent")
struct AgentTests {
    @Test("an authPriv Get is answered with the live identity objects, encrypted and signed")
    func getIsAnswered() throws {
        let agent = try makeAgent()
        var manager = try Manager(engineID: engineID)
        let request = try manager.request(PDU(type: .getRequest, requestID: 11, varBinds: [VarBind(Agent.sysName), VarBind(Agent.sysLocation)]),
                                          engine: agent.engineSnapshot)
        let reply = try #require(agent.handle(request, peer: "192.0.2.1:4000"))
        let pdu = try manager.open(reply)
        #expect(pdu.type == .response && pdu.requestID == 11 && pdu.errorStatus == 0)
        #expect(pdu.varBinds.map(\.value) == [.octetString(Array("enc-1".utf8)), .octetString(Array("Studio A".utf8))])
        #expect(agent.receivedPackets == 1)
    }

    @Test("a wrong password is dropped, counted in usmStatsWrongDigests and reported as an authentication failure")
    func wrongDigest() throws {
        let failures = Mutex<[(String, String)]>([])
        let agent = try makeAgent(events: Agent.Events(authenticationFailure: { peer, user, _, _, _ in failures.withLock { $0.append((peer, user)) } }))
        var intruder = try Manager(engineID: engineID, password: "wrong-password-9")
        let request = try intruder.request(PDU(type: .getRequest, requestID: 1, varBinds: [VarBind(Agent.sysName)]), engine: agent.engineSnapshot)
        let reply = agent.handle(request, peer: "198.51.100.7:161")
        #expect(agent.counter(.usmStatsWrongDigests) == 1)
        // The Report (reportable flag set) is unauthenticated and carries the counter.
        let report = try SNMPv3Message.decode(try #require(reply))
        guard case .plaintext(let scoped) = report.message.data else { Issue.record("a Report is never encrypted"); return }
        #expect(scoped.pdu.type == .report)
        #expect(scoped.pdu.varBinds == [VarBind(SNMPCounter.usmStatsWrongDigests.oid, .counter32(1))])
        #expect(failures.withLock { $0.map(\.0) } == ["198.51.100.7:161"])
        #expect(failures.withLock { $0.map(\.1) } == ["admin"])
    }

    @Test("a Get whose answer exceeds the manager's msgMaxSize gets tooBig without varbinds; GetBulk is cut to fit")
    func tooBig() throws {
        let agent = try makeAgent()
        var manager = try Manager(engineID: engineID)
        let sysDescr: OID = [1, 3, 6, 1, 2, 1, 1, 1, 0]
        let get = try manager.request(PDU(type: .getRequest, requestID: 2, varBinds: Array(repeating: VarBind(sysDescr), count: 20)),
                                      engine: agent.engineSnapshot, maxSize: 484)
        let reply = try #require(agent.handle(get, peer: "x"))
        #expect(reply.count <= 484)
        let pdu = try manager.open(reply)
        #expect(pdu.errorStatus == ErrorStatus.tooBig.rawValue && pdu.varBinds.isEmpty)
        let bulk = try manager.request(PDU.getBulk(requestID: 3, nonRepeaters: 0, maxRepetitions: 200, varBinds: [VarBind([1, 3])]),
                                       engine: agent.engineSnapshot, maxSize: 484)
        let bulkReply = try #require(agent.handle(bulk, peer: "x"))
        #expect(bulkReply.count <= 484)
        let bulkPDU = try manager.open(bulkReply)
        #expect(bulkPDU.errorStatus == 0 && !bulkPDU.varBinds.isEmpty && bulkPDU.varBinds.count < 200)
    }

    @Test("a non-default context is refused with snmpUnknownContexts")
    func unknownContext() throws {
        let agent = try makeAgent()
        var manager = try Manager(engineID: engineID)
        let request = try manager.request(PDU(type: .getRequest, requestID: 5, varBinds: [VarBind(Agent.sysName)]), engine: agent.engineSnapshot,
                                          contextName: Array("bridge1".utf8))
        let pdu = try manager.open(try #require(agent.handle(request, peer: "x")))
        #expect(pdu.type == .report)
        #expect(pdu.varBinds.first?.name == SNMPCounter.snmpUnknownContexts.oid)
        #expect(agent.counter(.snmpUnknownContexts) == 1)
    }

    @Test("an admin's Set becomes configuration commands for configd, quoted, and shows at once")
    func adminSet() throws {
        let configd = ConfigdStandIn()
        let agent = try makeAgent(configd: configd)
        var manager = try Manager(engineID: engineID)
        let set = PDU(type: .setRequest, requestID: 7, varBinds: [
            VarBind(Agent.sysContact, .octetString(Array("NOC \"night\" \\ desk".utf8))),
            VarBind(Agent.sysName, .octetString(Array("enc-2".utf8))),
            VarBind(Agent.sysLocation, .octetString([])),
        ])
        let pdu = try manager.open(try #require(agent.handle(try manager.request(set, engine: agent.engineSnapshot), peer: "192.0.2.9:1")))
        #expect(pdu.errorStatus == 0)
        #expect(pdu.varBinds == set.varBinds)
        let change = try #require(configd.changes.withLock { $0.first })
        #expect(change.commands == ["system contact \"NOC \\\"night\\\" \\\\ desk\"", "hostname enc-2", "no system location"])
        #expect(change.userName == "admin")
        #expect(change.peer == "192.0.2.9:1")
        #expect(agent.system.hostname == "enc-2")
        // The commands are ones the configuration language reads back to the same values.
        let applied = try ApplianceConfig().applying(ChangeSet(commands: change.commands))
        #expect(applied.system.contact == "NOC \"night\" \\ desk")
        let get = try manager.request(PDU(type: .getRequest, requestID: 8, varBinds: [VarBind(Agent.sysName)]), engine: agent.engineSnapshot)
        #expect(try manager.open(try #require(agent.handle(get, peer: "x"))).varBinds.first?.value == .octetString(Array("enc-2".utf8)))
    }

    @Test("Set refusals carry RFC 3416's error status and index, and nothing reaches configd",
          arguments: [
            ("viewer", VarBind(Agent.sysName, .octetString(Array("x".utf8))), ErrorStatus.noAccess),
            ("admin", VarBind([1, 3, 6, 1, 2, 1, 1, 1, 0], .octetString(Array("x".utf8))), .notWritable),
            ("admin", VarBind([1, 3, 6, 1, 2, 1, 1, 99, 0], .octetString(Array("x".utf8))), .noCreation),
            ("admin", VarBind(Agent.sysName, .integer(5)), .wrongType),
            ("admin", VarBind(Agent.sysContact, .octetString([UInt8](repeating: 0x41, count: 256))), .wrongLength),
            ("admin", VarBind(Agent.sysName, .octetString(Array("not a host".utf8))), .wrongValue),
            ("admin", VarBind(Agent.sysLocation, .octetString([0x41, 0x1B, 0x5B])), .wrongValue),
            ("admin", VarBind(Agent.sysLocation, .octetString([0xFF, 0xFE])), .wrongValue),
          ])
    func setRefusals(_ user: String, _ varBind: VarBind, _ status: ErrorStatus) throws {
        let configd = ConfigdStandIn()
        let agent = try makeAgent(configd: configd)
        var manager = try Manager(engineID: engineID, name: user)
        let set = PDU(type: .setRequest, requestID: 3, varBinds: [VarBind(Agent.sysContact, .octetString(Array("ok".utf8))), varBind])
        let pdu = try manager.open(try #require(agent.handle(try manager.request(set, engine: agent.engineSnapshot), peer: "x")))
        #expect(pdu.errorStatus == status.rawValue)
        #expect(pdu.errorIndex == (status == .noAccess ? 1 : 2))
        #expect(configd.changes.withLock { $0.isEmpty })
    }

    @Test("configd refusing or unreachable: wrongValue or commitFailed, and the value stays")
    func setWhenConfigdSaysNo() throws {
        for (answer, status) in [(SetResult.refused("no"), ErrorStatus.wrongValue), (.unavailable("down"), .commitFailed)] {
            let agent = try makeAgent(configd: ConfigdStandIn(answer: answer))
            var manager = try Manager(engineID: engineID)
            let set = PDU(type: .setRequest, requestID: 3, varBinds: [VarBind(Agent.sysName, .octetString(Array("enc-9".utf8)))])
            let pdu = try manager.open(try #require(agent.handle(try manager.request(set, engine: agent.engineSnapshot), peer: "x")))
            #expect(pdu.errorStatus == status.rawValue)
            #expect(agent.system.hostname == "enc-1")
        }
    }

    /// Bounded randomised test: 20,000 datagrams of noise, mutated valid
    /// requests and truncations never crash the agent, never get an answer
    /// that is not a Report or a Response, and are all counted as received.
    @Test("random and mutated datagrams are dropped or reported, never a crash")
    func randomDatagrams() throws {
        let agent = try makeAgent()
        var manager = try Manager(engineID: engineID)
        var random = SeededGenerator(seed: 0x5EED_0006)
        let valid = try manager.request(PDU(type: .getBulkRequest, requestID: 1, errorStatus: 0, errorIndex: 20, varBinds: [VarBind([1, 3])]),
                                        engine: agent.engineSnapshot)
        for round in 0..<20_000 {
            var datagram: [UInt8]
            switch round % 3 {
            case 0: datagram = (0..<Int.random(in: 0...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1:
                datagram = valid
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    datagram[Int.random(in: 0..<datagram.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                }
            default: datagram = Array(valid.prefix(Int.random(in: 0..<valid.count, using: &random)))
            }
            if let reply = agent.handle(datagram, peer: "fuzz") {
                let decoded = try SNMPv3Message.decode(reply)
                #expect(decoded.message.header.messageID == 9 || decoded.message.header.messageID >= 0)
            }
        }
        #expect(agent.receivedPackets == 20_000)
        // The valid request still works afterwards.
        let pdu = try manager.open(try #require(agent.handle(valid, peer: "x")))
        #expect(pdu.type == .response && !pdu.varBinds.isEmpty)
    }
}

@Suite("snmpd MIB tree")
struct AgentMIBTests {
    static func data() -> MIBData {
        let lo = KernelInterface(index: 1, name: "lo", hardwareType: 772, flags: 0x49, mtu: 65536, address: [0, 0, 0, 0, 0, 0],
                                 operState: 0, alias: "", stats: [10, 10, 1000, 1000, 0, 0, 0, 0, 0])
        let eth = KernelInterface(index: 2, name: "eth0", hardwareType: 1, flags: 0x1103, mtu: 1500, address: [2, 0, 0, 0, 0, 1],
                                  operState: 6, alias: "uplink", stats: [100, 50, 1 << 33, 5000, 1, 2, 3, 4, 7])
        let process = ProcessStatus(name: "sessmgrd", state: "running", pid: 4242, startCount: 3, uptimeSeconds: 12.5, rssBytes: 20 << 20,
                                    memoryLimitBytes: nil, lastExit: "killed by signal 9 (SIGKILL)", failureReason: nil, user: "appliance-sessmgr")
        return MIBData(interfaces: [eth, lo], speeds: [2: 1_000_000_000],
                       processes: [ProcessRow(status: process, path: "/usr/bin/sessmgrd", parameters: "--foreground", cpuCentiseconds: 150)],
                       streams: [StreamRow(name: "cam1", source: "file:/demo.ts", destination: "rtp://239.1.1.1:5000", encapsulation: 2,
                                           state: "streaming", datagrams: 10, bytes: 13160, bitrate: 4_000_000)])
    }

    @Test("GetNext from the root visits every instance once, in strictly increasing order, and ends")
    func walkIsOrdered() throws {
        let agent = try makeAgent()
        agent.rebuild(Self.data())
        let view = agent.view
        var oid: OID = [0, 0]
        var seen: [VarBind] = []
        while let next = view.next(after: oid) {
            #expect(next.name > oid)
            oid = next.name
            seen.append(next)
            if seen.count > 10_000 { break }
        }
        #expect(seen.count < 10_000)
        let names = Set(seen.map(\.name.description))
        for expected in ["1.3.6.1.2.1.2.1.0", "1.3.6.1.2.1.2.2.1.5.2", "1.3.6.1.2.1.31.1.1.1.6.2", "1.3.6.1.2.1.25.4.2.1.2.4242",
                         "1.3.6.1.2.1.25.5.1.1.2.4242", "1.3.6.1.6.3.10.2.1.2.0", "1.3.6.1.6.3.15.1.1.4.0"] {
            #expect(names.contains(expected), "\(expected) is served")
        }
        #expect(view.get([1, 3, 6, 1, 2, 1, 2, 1, 0]) == .value(.integer(2)))
        #expect(view.get([1, 3, 6, 1, 2, 1, 2, 2, 1, 3, 1]) == .value(.integer(24)), "lo is softwareLoopback")
        #expect(view.get([1, 3, 6, 1, 2, 1, 2, 2, 1, 8, 2]) == .value(.integer(1)), "eth0 is up")
        #expect(view.get([1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 2]) == .value(.counter32(0)), "ifInOctets wraps at 2^32")
        #expect(view.get([1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, 2]) == .value(.counter64(1 << 33)))
        #expect(view.get([1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 15, 2]) == .value(.gauge32(1000)), "ifHighSpeed in Mb/s")
        #expect(view.get([1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 18, 2]) == .value(.octetString(Array("uplink".utf8))))
        #expect(view.get([1, 3, 6, 1, 2, 1, 25, 5, 1, 1, 1, 4242]) == .value(.integer(150)))
        #expect(view.get([1, 3, 6, 1, 2, 1, 25, 5, 1, 1, 2, 4242]) == .value(.integer(20 * 1024)))
        let cam1 = ApplianceOID.nameIndex("cam1")
        #expect(cam1 == [4, 99, 97, 109, 49])
        #expect(view.get(ApplianceOID.streamEntry.appending(5).appending(contentsOf: cam1)) == .value(.integer(3)))
        #expect(view.get(ApplianceOID.streamEntry.appending(8).appending(contentsOf: cam1)) == .value(.gauge32(4_000_000)))
        let sessmgrd = ApplianceOID.nameIndex("sessmgrd")
        #expect(view.get(ApplianceOID.processEntry.appending(4).appending(contentsOf: sessmgrd)) == .value(.counter32(3)))
        #expect(view.get(ApplianceOID.processEntry.appending(6).appending(contentsOf: sessmgrd)) == .value(.timeTicks(1250)))
    }

    @Test("the kernel's loopback interface is read over rtnetlink")
    func kernelInterfaces() throws {
        let interfaces = try KernelInterfaces.read()
        let lo = try #require(interfaces.first { $0.name == "lo" })
        #expect(lo.hardwareType == 772)
        #expect(lo.isUp)
        #expect(lo.mtu > 0)
        #expect(lo.stats.count >= 9)
        #expect(Set(interfaces.map(\.index)).count == interfaces.count)
    }

    @Test("process restarts and failures and stream state changes become notifications")
    func changesBecomeNotifications() {
        func snapshot(startCount: Int, state: String, stream: String) -> TableRefresher.Snapshot {
            let status = ProcessStatus(name: "webd", state: state, pid: 10, startCount: startCount, uptimeSeconds: 1, rssBytes: nil,
                                       memoryLimitBytes: nil, lastExit: "exit status 1", failureReason: nil, user: nil)
            return TableRefresher.Snapshot(
                data: MIBData(processes: [ProcessRow(status: status)],
                              streams: [StreamRow(name: "cam1", source: "s", destination: "d", encapsulation: 1, state: stream)]),
                processesKnown: true, streamsKnown: true)
        }
        let base = snapshot(startCount: 1, state: "running", stream: "streaming")
        #expect(TableRefresher.changes(from: base, to: base).isEmpty)
        #expect(TableRefresher.changes(from: base, to: snapshot(startCount: 2, state: "running", stream: "streaming")).map(\.oid)
                == [ApplianceOID.processRestart])
        #expect(TableRefresher.changes(from: base, to: snapshot(startCount: 1, state: "failed", stream: "streaming")).map(\.oid)
                == [ApplianceOID.processFailure])
        let lost = TableRefresher.changes(from: base, to: snapshot(startCount: 1, state: "running", stream: "source-lost"))
        #expect(lost.map(\.oid) == [ApplianceOID.streamStateChange])
        #expect(lost.first?.objects.first?.value == .integer(4))
        var unknown = base
        unknown.processesKnown = false
        #expect(TableRefresher.changes(from: unknown, to: snapshot(startCount: 5, state: "failed", stream: "streaming")).isEmpty,
                "no notification from a failed read")
    }
}

@Suite("snmpd engine store")
struct EngineStoreTests {
    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "engine-store-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("the generated engine ID is RFC 3411 format 5 under 32473 and stays; boots count per engine ID")
    func bootsPersist() throws {
        let store = EngineStore(folder: try folder())
        let id = try store.generatedEngineID()
        #expect(Array(id.prefix(5)) == [0x80, 0x00, 0x7E, 0xD9, 0x05])
        #expect(id.count == 17)
        #expect(try store.generatedEngineID() == id)
        #expect(try store.start(engineID: id, atSeconds: 0).boots == 1)
        #expect(try store.start(engineID: id, atSeconds: 0).boots == 2)
        let configured: [UInt8] = [0x80, 0, 0x7E, 0xD9, 4, 65, 66]
        #expect(try store.start(engineID: configured, atSeconds: 0).boots == 1)
        #expect(try store.start(engineID: id, atSeconds: 0).boots == 3, "switching engine IDs never restarts a count")
        #expect(try store.start(engineID: configured, atSeconds: 0).boots == 2)
    }

    @Test("a damaged boots record stops the start instead of starting boots again at 1")
    func damagedRecord() throws {
        let path = try folder()
        let store = EngineStore(folder: path)
        _ = try store.start(engineID: [0x80, 0, 0x7E, 0xD9, 4, 65], atSeconds: 0)
        try "{not json".write(toFile: path + "/boots.json", atomically: true, encoding: .utf8)
        #expect(throws: EngineStore.Failure.self) { try store.start(engineID: [0x80, 0, 0x7E, 0xD9, 4, 65], atSeconds: 0) }
    }
}

/// A Set's text becomes a configuration word by Unicode scalar: a `"` or `\`
/// followed by a combining mark (one Swift Character) is still escaped, so
/// configd reads back exactly the text the manager sent.
@Suite("snmpd agent: quoting by scalar")
struct AgentQuotingTests {
    static let pieces: [String] = ["\"", "\\", "\u{301}", "\u{20DD}", "a", "é", " ", "!", "n", "\\n", "\u{1F600}"]

    @Test("a Set's sysContact and sysLocation read back from the configuration commands unchanged, with combining marks after \" and \\")
    func setTextReadsBack() throws {
        var generator = SeededGenerator(seed: 0x5EED_0013_0007)
        var texts = ["\"\u{301}", "\\\u{301}", "NOC \"\u{301}night\\\u{20DD}"]
        for _ in 0..<80 {
            var text = ""
            for _ in 0..<Int.random(in: 1...12, using: &generator) { text += Self.pieces.randomElement(using: &generator)! }
            texts.append(text)
        }
        for (round, text) in texts.enumerated() {
            let configd = ConfigdStandIn()
            let agent = try makeAgent(configd: configd)
            var manager = try Manager(engineID: engineID)
            let set = PDU(type: .setRequest, requestID: Int32(round), varBinds: [
                VarBind(Agent.sysContact, .octetString(Array(text.utf8))),
                VarBind(Agent.sysLocation, .octetString(Array(text.utf8))),
            ])
            let pdu = try manager.open(try #require(agent.handle(try manager.request(set, engine: agent.engineSnapshot), peer: "x")))
            #expect(pdu.errorStatus == 0, "\(text.debugDescription)")
            let change = try #require(configd.changes.withLock { $0.first })
            do {
                let applied = try ApplianceConfig().applying(ChangeSet(commands: change.commands))
                #expect(applied.system.contact == text, "\(text.debugDescription) → \(change.commands)")
                #expect(applied.system.location == text, "\(text.debugDescription) → \(change.commands)")
            } catch {
                Issue.record("\(text.debugDescription) → \(change.commands) refused: \(error)")
            }
        }
    }
}
