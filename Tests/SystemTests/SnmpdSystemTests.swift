import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import SNMP
import SNMPAgent
import Sessmgr
import Testing

/// snmpd under procmon, with configd and auditd, against net-snmp's own
/// manager tools (snmpget, snmpgetnext, snmpbulkwalk, snmpset, snmptrapd,
/// snmptranslate) as the real peer.
@Suite(.serialized) struct SnmpdSystemTests {
    static let manifest = AuditdSystemTests.manifest + """

    [service snmpd]
    exec = {bin}/snmpd --foreground --root {root}
    user = appliance-snmp
    listen = agent udp 161
    listen = control unix snmpd.sock
    after = configd
    ready = notify
    stable-after = 100ms
    restart-delay-max = 200ms
    start-limit = 1000

    [service victim]
    exec = {bin}/appliance-testsvc --foreground
    stable-after = 100ms
    restart-delay-max = 200ms
    """

    static let authPassword = "auth-Pass-2026"
    static let privPassword = "priv-Pass-2026"

    /// A running appliance with snmpd, and helpers to drive net-snmp's tools at it.
    final class Setup: @unchecked Sendable {
        let harness: ProcmonHarness
        let port: Int

        init(portBase: Int = 21000, arguments: [String] = [], extraServices: String = "") throws {
            harness = try ProcmonHarness(manifest: SnmpdSystemTests.manifest + extraServices, portBase: portBase, arguments: arguments,
                                         environment: ["APPLIANCE_ADMIN_PASSWORD": "Snmp-Agent-Password-7"], auditStandIn: false)
            port = portBase + 161
            harness.waitUntil("snmpd, auditd and configd running", timeout: .seconds(60)) {
                harness.running("snmpd") != nil && harness.running("configd") != nil && harness.running("auditd") != nil
            }
        }

        func stop() { harness.stop() }

        var configd: ControlClient { ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(10)) }
        var snmpd: ControlClient { ControlClient(paths: harness.paths, daemon: "snmpd", timeout: .seconds(10)) }

        func status() throws -> SnmpdMethod.StatusResult { try snmpd.callBlocking(SnmpdMethod.Status.self, NoValue()) }

        /// Applies through configd and waits until snmpd follows that revision.
        func apply(_ commands: [String]) throws {
            let applied = try configd.callBlocking(ConfigdMethod.Apply.self, .init(commands: commands))
            harness.waitUntil("snmpd follows revision \(applied.revision)") {
                (try status().configurationRevision ?? 0) >= applied.revision
            }
        }

        /// The `snmp user` command for `name`, keys localized to snmpd's engine ID.
        func userCommand(_ name: String, role: Role = .admin, auth: SNMPAuthProtocol = .sha256, priv: SNMPPrivProtocol = .aes128) throws -> String {
            let engineID = try #require(Hex.decode(try status().engineID))
            let authKey = try USMKeyDerivation.authenticationKey(password: Array(SnmpdSystemTests.authPassword.utf8), engineID: engineID, protocol: auth)
            let privKey = try USMKeyDerivation.privacyKey(password: Array(SnmpdSystemTests.privPassword.utf8), engineID: engineID,
                                                          authentication: auth, privacy: priv)
            return "snmp user \(name) role \(role.rawValue) auth \(auth.rawValue) auth-key \(authKey.hex) priv \(priv.rawValue) priv-key \(privKey.hex)"
        }

        /// net-snmp's names of the protocols.
        static func netSNMPName(_ auth: SNMPAuthProtocol) -> String {
            auth == .sha1 ? "SHA" : auth.rawValue.uppercased()
        }
        static func netSNMPName(_ priv: SNMPPrivProtocol) -> String {
            switch priv {
            case .aes128: "AES"
            case .aes192: "AES192"
            case .aes256: "AES256"
            }
        }

        /// Runs a net-snmp tool as `user` with authPriv; numeric output, no MIBs loaded.
        func tool(_ name: String, user: String, auth: SNMPAuthProtocol = .sha256, priv: SNMPPrivProtocol = .aes128,
                  authPassword: String = SnmpdSystemTests.authPassword, host: String = "127.0.0.1", retries: Int = 1,
                  _ arguments: [String]) throws -> (code: Int32, output: String, error: String) {
            try run("/usr/bin/" + name, ["-m", "", "-On", "-v3", "-l", "authPriv", "-u", user, "-a", Self.netSNMPName(auth), "-A", authPassword,
                                         "-x", Self.netSNMPName(priv), "-X", SnmpdSystemTests.privPassword, "-t", "2", "-r", String(retries),
                                         "udp\(host.contains(":") ? "6" : ""):\(host.contains(":") ? "[\(host)]" : host):\(port)"] + arguments)
        }
    }

    /// Every authentication and privacy protocol the agent offers works with
    /// net-snmp's snmpget: HMAC-SHA-1-96 and HMAC-SHA-2 (224/256/384/512)
    /// with AES-128, and AES-192/256 (net-snmp's Blumenthal key extension).
    @Test func everyAuthAndPrivCombinationAnswersNetSNMPsSnmpget() throws {
        let setup = try Setup()
        defer { setup.stop() }
        var commands: [String] = []
        var users: [(String, SNMPAuthProtocol, SNMPPrivProtocol)] = []
        for auth in SNMPAuthProtocol.allCases {
            for priv in SNMPPrivProtocol.allCases {
                let name = "u-\(auth.rawValue)-\(priv.rawValue)".replacingOccurrences(of: "sha-", with: "s").replacingOccurrences(of: "aes-", with: "a")
                users.append((name, auth, priv))
                commands.append(try setup.userCommand(name, role: .viewer, auth: auth, priv: priv))
            }
        }
        try setup.apply(commands)
        // Users made from pass phrases by the CLI and webd: SNMPUserSystemTests.
        for (name, auth, priv) in users {
            let result = try setup.tool("snmpget", user: name, auth: auth, priv: priv, [".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.1.1.0"])
            #expect(result.code == 0, "\(name): \(result.error)")
            #expect(result.output.contains(".1.3.6.1.2.1.1.5.0 = STRING: \"appliance\"") || result.output.contains(".1.3.6.1.2.1.1.5.0 = STRING: appliance"),
                    "\(name): \(result.output)")
            #expect(result.output.contains("Broadcast video encoder appliance"), "\(name): \(result.output)")
        }
    }

    /// snmpgetnext steps in lexicographic order, snmpbulkwalk walks the whole
    /// tree (net-snmp checks that every OID increases) through the system
    /// group, IF-MIB, HOST-RESOURCES-MIB, the engine and USM statistics, and
    /// the appliance's process table, which names procmon's services.
    @Test func getNextAndBulkWalkCoverTheWholeTreeInOrder() throws {
        let setup = try Setup(portBase: 21100)
        defer { setup.stop() }
        try setup.apply([try setup.userCommand("walker", role: .viewer)])
        let next = try setup.tool("snmpgetnext", user: "walker", [".1.3.6.1.2.1.1.5.0", ".1.3.6.1.2.1.2.2.1.1"])
        #expect(next.code == 0, "\(next.error)")
        #expect(next.output.contains(".1.3.6.1.2.1.1.6.0 = "), "sysLocation follows sysName: \(next.output)")
        #expect(next.output.contains(".1.3.6.1.2.1.2.2.1.1.1 = INTEGER: 1"), "loopback is ifIndex 1: \(next.output)")

        // snmpd's first table was read while snmpd itself was starting:
        // wait for a refresh that has seen it running.
        let snmpdIndex = ApplianceOID.nameIndex("snmpd").map(String.init).joined(separator: ".")
        setup.harness.waitUntil("the process table shows snmpd running") {
            let walk = try setup.tool("snmpbulkwalk", user: "walker", [".1.3.6.1.4.1.32473.1.1.2.1.2"])
            return walk.output.contains(".1.3.6.1.4.1.32473.1.1.2.1.2.\(snmpdIndex) = INTEGER: 4")
        }
        let walk = try setup.tool("snmpbulkwalk", user: "walker", ["-Cr25", ".1"])
        #expect(walk.code == 0, "\(walk.error)")
        #expect(!walk.error.contains("not increasing"), "\(walk.error)")
        let lines = walk.output.split(separator: "\n")
        #expect(lines.count > 100, "a whole tree: \(lines.count) varbinds")
        for prefix in [".1.3.6.1.2.1.1.3.0 = Timeticks", ".1.3.6.1.2.1.2.1.0 = INTEGER", ".1.3.6.1.2.1.2.2.1.2.1 = STRING: \"lo\"",
                       ".1.3.6.1.2.1.31.1.1.1.1.1 = STRING: \"lo\"", ".1.3.6.1.2.1.11.1.0 = Counter32", ".1.3.6.1.2.1.25.1.1.0 = Timeticks",
                       ".1.3.6.1.2.1.25.4.2.1.2.", ".1.3.6.1.2.1.25.5.1.1.2.", ".1.3.6.1.6.3.10.2.1.1.0 = Hex-STRING",
                       ".1.3.6.1.6.3.15.1.1.5.0 = Counter32"] {
            #expect(lines.contains { $0.hasPrefix(prefix) }, "the walk has \(prefix)")
        }
        // processState."snmpd" = running(4): the index is the name's length and octets.
        #expect(lines.contains { $0.hasPrefix(".1.3.6.1.4.1.32473.1.1.2.1.2.\(snmpdIndex) = INTEGER: 4") }, "processState.snmpd running")
        let pid = try #require(setup.harness.running("snmpd")?.pid)
        #expect(lines.contains { $0 == ".1.3.6.1.4.1.32473.1.1.2.1.3.\(snmpdIndex) = INTEGER: \(pid)" }, "processPid.snmpd is \(pid)")
        #expect(lines.last.map { $0.contains("No more variables") } ?? true || lines.count > 100)
    }

    /// An admin user's snmpset of sysContact, sysLocation and sysName goes
    /// through configd (the running configuration changes, audited as the
    /// SNMP user); a viewer's set is refused with noAccess and changes nothing.
    @Test func setsGoThroughConfigdForAdminsOnly() throws {
        let setup = try Setup(portBase: 21200)
        defer { setup.stop() }
        try setup.apply([try setup.userCommand("boss", role: .admin), try setup.userCommand("peon", role: .viewer)])
        let set = try setup.tool("snmpset", user: "boss", [".1.3.6.1.2.1.1.4.0", "s", "NOC \"night\" desk", ".1.3.6.1.2.1.1.6.0", "s", "Rack 7",
                                                           ".1.3.6.1.2.1.1.5.0", "s", "encoder-9"])
        #expect(set.code == 0, "\(set.error)")
        let running = try setup.configd.callBlocking(ConfigdMethod.Get.self, .init(sections: [.system]))
        #expect(running.config.system.contact == "NOC \"night\" desk")
        #expect(running.config.system.location == "Rack 7")
        #expect(running.config.system.hostname == "encoder-9")
        let read = try setup.tool("snmpget", user: "peon", [".1.3.6.1.2.1.1.5.0"])
        #expect(read.output.contains("encoder-9"), "\(read.output)")

        let refused = try setup.tool("snmpset", user: "peon", [".1.3.6.1.2.1.1.6.0", "s", "elsewhere"])
        #expect(refused.code != 0)
        #expect(refused.error.contains("noAccess"), "\(refused.error)")
        let notWritable = try setup.tool("snmpset", user: "boss", [".1.3.6.1.2.1.1.1.0", "s", "x"])
        #expect(notWritable.error.contains("notWritable"), "\(notWritable.error)")
        let badName = try setup.tool("snmpset", user: "boss", [".1.3.6.1.2.1.1.5.0", "s", "not a hostname"])
        #expect(badName.error.contains("wrongValue"), "\(badName.error)")
        let after = try setup.configd.callBlocking(ConfigdMethod.Get.self, .init(sections: [.system]))
        #expect(after.config.system.location == "Rack 7", "the viewer's set changed nothing")
        #expect(after.config.system.hostname == "encoder-9")

        setup.harness.waitUntil("the change is audited as the SNMP user") {
            let entries = try AuditdSystemTests.query(setup.harness, .init(text: "snmp:boss changed"))
            return entries.contains { $0.message.contains("system location \"Rack 7\"") }
        }
    }

    /// A wrong password gets no answer (net-snmp reports an authentication
    /// failure) and usmStatsWrongDigests counts it; SNMPv2c gets nothing at
    /// all and counts in snmpInBadVersions; both are audited or counted, and
    /// good requests keep working.
    @Test func wrongPasswordsAndCommunitiesAreRefusedAndCounted() throws {
        let setup = try Setup(portBase: 21300)
        defer { setup.stop() }
        try setup.apply([try setup.userCommand("ops")])
        let before = try setup.status().counters
        let wrong = try setup.tool("snmpget", user: "ops", authPassword: "not-the-password", [".1.3.6.1.2.1.1.5.0"])
        #expect(wrong.code != 0)
        #expect(!wrong.output.contains("STRING"))
        let v2c = try run("/usr/bin/snmpwalk", ["-m", "", "-On", "-v2c", "-c", "public", "-t", "1", "-r", "0", "udp:127.0.0.1:\(setup.port)", ".1"])
        #expect(v2c.code != 0)
        #expect(v2c.output.isEmpty, "v2c got: \(v2c.output)")
        #expect(v2c.error.contains("Timeout"), "\(v2c.error)")
        let after = try setup.status().counters
        #expect((after["usmStatsWrongDigests"] ?? 0) > (before["usmStatsWrongDigests"] ?? 0))
        #expect((after["snmpInBadVersions"] ?? 0) > (before["snmpInBadVersions"] ?? 0))
        let counter = try setup.tool("snmpget", user: "ops", [".1.3.6.1.6.3.15.1.1.5.0", ".1.3.6.1.2.1.11.3.0"])
        #expect(counter.output.contains(".1.3.6.1.6.3.15.1.1.5.0 = Counter32: \(after["usmStatsWrongDigests"] ?? 0)"), "\(counter.output)")
        setup.harness.waitUntil("the authentication failure is audited") {
            try AuditdSystemTests.query(setup.harness, .init(text: "SNMP authentication failure")).contains { $0.message.contains("user ops: wrong digest") }
        }
    }

    /// After snmpd is killed and restarted by procmon, engineBoots is one
    /// more, the engine ID is the same, the same manager credentials keep
    /// working (their keys are localized to that engine ID), and a request
    /// recorded before the restart cannot be replayed after it.
    @Test func restartKeepsTheEngineIDAndCountsBoots() throws {
        let setup = try Setup(portBase: 21400)
        defer { setup.stop() }
        try setup.apply([try setup.userCommand("nms")])
        let first = try setup.status()
        // A request recorded now, as an eavesdropper would, is answered now…
        let engineID = try #require(Hex.decode(first.engineID))
        let user = try USMCredentials(
            userName: Array("nms".utf8), authProtocol: .sha256,
            authKey: USMKeyDerivation.authenticationKey(password: Array(SnmpdSystemTests.authPassword.utf8), engineID: engineID, protocol: .sha256),
            privProtocol: .aes128,
            privKey: USMKeyDerivation.privacyKey(password: Array(SnmpdSystemTests.privPassword.utf8), engineID: engineID, authentication: .sha256, privacy: .aes128))
        let recorded = try USMEngine.encodeOutgoing(
            ScopedPDU(contextEngineID: engineID, pdu: PDU(type: .getRequest, requestID: 99, varBinds: [VarBind([1, 3, 6, 1, 2, 1, 1, 5, 0])])),
            messageID: 99, maxSize: 65507, reportable: true, security: .authPriv(user, salt: [1, 2, 3, 4, 5, 6, 7, 8]),
            authoritative: EngineSnapshot(engineID: engineID, boots: first.engineBoots, time: first.engineTime))
        let before = try #require(try udpExchange(recorded, port: setup.port))
        guard case .encrypted = try SNMPv3Message.decode(before).message.data else {
            Issue.record("the recorded request was not answered with an encrypted Response")
            return
        }
        let pid = try #require(setup.harness.running("snmpd")?.pid)
        kill(pid, SIGKILL)
        setup.harness.waitUntil("snmpd restarted") { (setup.harness.running("snmpd")?.pid ?? pid) != pid }
        var second = first
        setup.harness.waitUntil("the new snmpd answers") {
            second = try setup.status()
            return second.configurationRevision != nil
        }
        #expect(second.engineID == first.engineID)
        #expect(second.engineBoots == first.engineBoots + 1)
        let get = try setup.tool("snmpget", user: "nms", [".1.3.6.1.6.3.10.2.1.2.0", ".1.3.6.1.6.3.10.2.1.1.0"])
        #expect(get.code == 0, "\(get.error)")
        #expect(get.output.contains(".1.3.6.1.6.3.10.2.1.2.0 = INTEGER: \(second.engineBoots)"), "\(get.output)")
        // …but replayed after the restart it is outside the time window
        // (boots moved on): only a Report of usmStatsNotInTimeWindows comes back.
        let after = try #require(try udpExchange(recorded, port: setup.port))
        guard case .plaintext(let report) = try SNMPv3Message.decode(after).message.data else {
            Issue.record("the replay was answered with an encrypted message")
            return
        }
        #expect(report.pdu.type == .report)
        #expect(report.pdu.varBinds.first?.name == SNMPCounter.usmStatsNotInTimeWindows.oid)
        #expect((try setup.status().counters["usmStatsNotInTimeWindows"] ?? 0) >= 1)
    }

    /// snmptrapd (net-snmp), configured with the user and snmpd's engine ID,
    /// receives authPriv SNMPv3 traps: coldStart when snmpd starts, and
    /// processRestart from APPLIANCE-MIB when procmon restarts a service.
    @Test func snmptrapdReceivesColdStartAndProcessRestartTraps() throws {
        let setup = try Setup(portBase: 21500)
        defer { setup.stop() }
        let trapPort = 21562
        let engineID = try setup.status().engineID
        let folder = setup.harness.root + "/snmptrapd"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
        createUser -e 0x\(engineID) trapper SHA-256 \(SnmpdSystemTests.authPassword) AES \(SnmpdSystemTests.privPassword)
        authUser log trapper priv
        disableAuthorization no
        """.write(toFile: folder + "/snmptrapd.conf", atomically: true, encoding: .utf8)
        let trapd = try SnmpTrapReceiver(folder: folder, port: trapPort)
        defer { trapd.stop() }
        try setup.apply([try setup.userCommand("trapper"), "snmp trap-receiver 127.0.0.1 port \(trapPort) user trapper trap"])
        // coldStart is sent once at start, before this receiver existed:
        // restarting snmpd sends it again, now to snmptrapd.
        let pid = try #require(setup.harness.running("snmpd")?.pid)
        kill(pid, SIGTERM)
        let log = { (try? String(contentsOfFile: folder + "/traps.log", encoding: .utf8)) ?? "" }
        setup.harness.waitUntil("snmptrapd logged coldStart", timeout: .seconds(30)) { log().contains(".1.3.6.1.6.3.1.1.5.1") }
        let victim = try #require(setup.harness.running("victim")?.pid)
        kill(victim, SIGKILL)
        setup.harness.waitUntil("snmptrapd logged processRestart", timeout: .seconds(30)) { log().contains(".1.3.6.1.4.1.32473.1.0.2") }
        let victimIndex = ApplianceOID.nameIndex("victim").map(String.init).joined(separator: ".")
        #expect(log().contains(".1.3.6.1.4.1.32473.1.1.2.1.4.\(victimIndex)"), "the trap names the process: \(log())")
        let receiver = try #require(try setup.status().receivers.first)
        #expect(receiver.sent >= 2)
        #expect(receiver.lastError == nil)
    }

    /// With sessmgrd running, the stream table shows a configured stream and
    /// its state as sessmgrd reports it, and starting and stopping it sends
    /// streamStateChange traps (with streamState) that snmptrapd receives.
    @Test func streamTableAndStreamStateChangeTraps() throws {
        let setup = try Setup(portBase: 21800, extraServices: """

        [service sessmgrd]
        exec = {bin}/sessmgrd --foreground --root {root}
        user = appliance-sessmgr
        listen = control unix sessmgrd.sock
        after = configd
        stable-after = 100ms
        restart-delay-max = 200ms
        """)
        defer { setup.stop() }
        setup.harness.waitUntil("sessmgrd running", timeout: .seconds(30)) { setup.harness.running("sessmgrd") != nil }
        let trapPort = 21862
        let folder = setup.harness.root + "/snmptrapd"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
        createUser -e 0x\(try setup.status().engineID) trapper SHA-256 \(SnmpdSystemTests.authPassword) AES \(SnmpdSystemTests.privPassword)
        authUser log trapper priv
        """.write(toFile: folder + "/snmptrapd.conf", atomically: true, encoding: .utf8)
        let trapd = try SnmpTrapReceiver(folder: folder, port: trapPort)
        defer { trapd.stop() }
        let media = setup.harness.root + "/srv"  // sessmgrd's media folder
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        chmod(media, 0o755)
        let file = try TestMedia.make(seconds: 2, in: media)
        chmod(file, 0o644)
        try setup.apply([try setup.userCommand("trapper"), "snmp trap-receiver 127.0.0.1 port \(trapPort) user trapper trap",
                         "stream cam1 source file:\(file) destination udp://127.0.0.1:21870"])
        let index = ApplianceOID.nameIndex("cam1").map(String.init).joined(separator: ".")
        let state = ".1.3.6.1.4.1.32473.1.1.1.1.5.\(index)"
        setup.harness.waitUntil("the stream table shows cam1 stopped") {
            try setup.tool("snmpget", user: "trapper", [state]).output.contains("\(state) = INTEGER: 1")
        }
        let destination = try setup.tool("snmpget", user: "trapper", [".1.3.6.1.4.1.32473.1.1.1.1.3.\(index)"])
        #expect(destination.output.contains("udp://127.0.0.1:21870"), "\(destination.output)")

        let sessmgrd = ControlClient(paths: setup.harness.paths, daemon: "sessmgrd", timeout: .seconds(10))
        _ = try sessmgrd.callBlocking(SessmgrdMethod.Start.self, .init(name: "cam1"))
        let log = { (try? String(contentsOfFile: folder + "/traps.log", encoding: .utf8)) ?? "" }
        setup.harness.waitUntil("snmptrapd logged streamStateChange to streaming", timeout: .seconds(30)) {
            log().contains(".1.3.6.1.4.1.32473.1.0.1") && log().contains("\(state) = INTEGER: 3")
        }
        setup.harness.waitUntil("the stream table counts datagrams") {
            let datagrams = try setup.tool("snmpget", user: "trapper", [".1.3.6.1.4.1.32473.1.1.1.1.6.\(index)"]).output
            return datagrams.contains("Counter64:") && !datagrams.contains("Counter64: 0\n")
        }
        _ = try sessmgrd.callBlocking(SessmgrdMethod.Stop.self, .init(name: "cam1"))
        setup.harness.waitUntil("snmptrapd logged streamStateChange to stopped", timeout: .seconds(30)) {
            log().contains("\(state) = INTEGER: 1")
        }
        #expect(log().contains("\(state) = INTEGER: 1"), "traps: \(log()); receivers: \(String(describing: try? setup.status().receivers))")
    }

    /// net-snmp's snmptranslate loads APPLIANCE-MIB from rootfs without an
    /// error and resolves its objects and notifications to the OIDs snmpd
    /// serves. (Debian ships the SMIv2 base modules only in non-free, so
    /// stand-ins of them come from Tests/Fixtures/smi.)
    @Test func snmptranslateLoadsTheApplianceMIB() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let path = here + "/Tests/Fixtures/smi:" + here + "/rootfs/usr/share/snmp/mibs"
        for (name, oid) in [("streamState", ".1.3.6.1.4.1.32473.1.1.1.1.5"), ("processStartCount", ".1.3.6.1.4.1.32473.1.1.2.1.4"),
                            ("processRestart", ".1.3.6.1.4.1.32473.1.0.2"), ("streamStateChange", ".1.3.6.1.4.1.32473.1.0.1"),
                            ("applianceEncoder", ".1.3.6.1.4.1.32473.1.3.1")] {
            let result = try run("/usr/bin/snmptranslate", ["-M", path, "-m", "APPLIANCE-MIB", "-Pe", "-IR", "-On", name])
            #expect(result.code == 0)
            #expect(result.error.isEmpty, "snmptranslate complained: \(result.error)")
            #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == oid)
        }
        #expect(ApplianceOID.streamEntry.description == "1.3.6.1.4.1.32473.1.1.1.1")
        #expect(ApplianceOID.processRestart.description == "1.3.6.1.4.1.32473.1.0.2")
    }

    /// In appliance fashion procmon binds "::": the agent answers over IPv6
    /// and IPv4 on the same socket.
    @Test func answersOverIPv6AndIPv4() throws {
        let setup = try Setup(portBase: 21600, arguments: ["--listen-address", "::"])
        defer { setup.stop() }
        try setup.apply([try setup.userCommand("six")])
        let v6 = try setup.tool("snmpget", user: "six", host: "::1", [".1.3.6.1.2.1.1.5.0"])
        #expect(v6.code == 0, "\(v6.error)")
        #expect(v6.output.contains("appliance"))
        let v4 = try setup.tool("snmpget", user: "six", [".1.3.6.1.2.1.1.5.0"])
        #expect(v4.code == 0, "\(v4.error)")
    }

    /// A flood of garbage, truncated and wrongly authenticated datagrams is
    /// dropped and counted, snmpd stays up, and a manager's requests during
    /// the flood are answered.
    @Test func aFloodOfBadPacketsDoesNotStarveGoodRequests() throws {
        let setup = try Setup(portBase: 21700)
        defer { setup.stop() }
        try setup.apply([try setup.userCommand("good")])
        let pid = try #require(setup.harness.running("snmpd")?.pid)
        let floodOutput = FileManager.default.temporaryDirectory.appendingPathComponent("snmp-flood-\(getpid()).out").path
        defer { unlink(floodOutput) }
        let flood = try ChildProcess("/usr/bin/python3", ["-c", """
        import os, random, socket, sys, time
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        target = ("127.0.0.1", int(sys.argv[1]))
        rng = random.Random(7)
        valid_prefix = bytes.fromhex("3081")  # SEQUENCE with a long length, then noise
        end = time.time() + 4
        sent = 0
        while time.time() < end:
            kind = sent % 4
            if kind == 0: data = os.urandom(rng.randint(0, 1400))
            elif kind == 1: data = valid_prefix + os.urandom(rng.randint(0, 200))
            elif kind == 2: data = bytes.fromhex("302902010104067075626c6963a01c02") + os.urandom(30)
            else: data = b"\\x30" + b"\\x84\\xff\\xff\\xff\\xff"
            try: s.sendto(data, target)
            except OSError: pass
            sent += 1
        print(sent)
        """, String(setup.port)], standardOutput: .file(floodOutput))
        var answered = 0
        for _ in 0..<10 {
            // As a manager does: a request the kernel dropped from the full
            // socket buffer (the flood fills it) is sent again.
            let get = try setup.tool("snmpget", user: "good", retries: 4, [".1.3.6.1.2.1.1.5.0"])
            if get.code == 0 && get.output.contains("appliance") { answered += 1 }
        }
        flood.waitUntilExit()
        let sent = Int(((try? String(contentsOfFile: floodOutput, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(sent > 1000, "the flood sent \(sent) datagrams")
        #expect(answered == 10, "every good request during the flood was answered (\(answered)/10)")
        #expect(setup.harness.running("snmpd")?.pid == pid, "snmpd never restarted")
        let counters = try setup.status().counters
        #expect((counters["snmpInASNParseErrs"] ?? 0) + (counters["snmpInBadVersions"] ?? 0) > 100, "\(counters)")
    }
}

/// Sends one datagram to 127.0.0.1:`port` and returns the answer, or nil after 3 s.
func udpExchange(_ datagram: [UInt8], port: Int) throws -> [UInt8]? {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    var timeout = timeval(tv_sec: 3, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let sent = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, datagram, datagram.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard sent == datagram.count else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    var buffer = [UInt8](repeating: 0, count: 65_536)
    let count = recv(fd, &buffer, buffer.count, 0)
    return count > 0 ? Array(buffer[..<count]) : nil
}

/// net-snmp's snmptrapd, run as the daemon it is (it forks and writes its
/// pid file) rather than as a child Foundation watches: Foundation's Process
/// can miss another child's exit while one long-lived child is outstanding.
struct SnmpTrapReceiver {
    let folder: String

    init(folder: String, port: Int) throws {
        self.folder = folder
        let started = try run("/usr/sbin/snmptrapd", ["-C", "-c", folder + "/snmptrapd.conf", "-m", "", "-On", "-Lf", folder + "/traps.log",
                                                      "-p", folder + "/snmptrapd.pid", "--persistentDir=\(folder)", "udp:127.0.0.1:\(port)"])
        guard started.code == 0 else { throw POSIXError(.EIO) }
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: folder + "/snmptrapd.pid") { usleep(100_000) }
    }

    func stop() {
        // SIGKILL: the test runner blocks SIGTERM, and children inherit the mask.
        if let text = try? String(contentsOfFile: folder + "/snmptrapd.pid", encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGKILL)
        }
    }
}
