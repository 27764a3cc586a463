import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Testing

/// configd under procmon, reached over its real control socket, one behaviour per test.
@Suite(.serialized) struct ConfigdSystemTests {
    static let adminPassword = "Correct-Horse-Battery-9"

    static func manifest(extra: String = "") -> String {
        """
        [service configd]
        exec = {bin}/configd --foreground --root {root}
        user = appliance-config
        listen = control unix configd.sock
        pass-env = APPLIANCE_ADMIN_PASSWORD
        stable-after = 100ms
        restart-delay-max = 200ms
        start-limit = 1000
        \(extra)
        """
    }

    static func start(extra: String = "") throws -> ProcmonHarness {
        let harness = try ProcmonHarness(manifest: manifest(extra: extra), environment: ["APPLIANCE_ADMIN_PASSWORD": adminPassword])
        harness.waitUntil("configd running", timeout: .seconds(60)) { harness.running("configd") != nil }
        return harness
    }

    static func configd(_ harness: ProcmonHarness) -> ControlClient {
        ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(30))
    }

    /// First start creates admin from APPLIANCE_ADMIN_PASSWORD; the running
    /// configuration is served without any password hash, and the startup
    /// file is mode 0600.
    @Test func firstStartCreatesAdminAndNoHashLeavesConfigd() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        let snapshot = try await client.call(ConfigdMethod.Get.self, .init())
        #expect(snapshot.text.contains("account admin role admin"))
        #expect(!snapshot.text.contains("$scrypt$"))
        #expect(snapshot.config.accounts.first?.passwordHash == nil)
        var info = stat()
        #expect(stat(harness.paths.stateDirectory("configd") + "/startup-config", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(access(harness.paths.initialAdminPasswordFile, F_OK) != 0, "no random password file when one was given")
        let login = try await client.call(ConfigdMethod.Authenticate.self, .init(name: "admin", password: Self.adminPassword, origin: .init(channel: "web", peer: "192.0.2.7")))
        #expect(login.outcome == "success" && login.role == .admin && login.session?.count == 64)
        harness.waitUntil("login audited") { harness.audit.events(kind: "login-success").contains { $0.contains(#"peer="192.0.2.7""#) } }
    }

    /// Without APPLIANCE_ADMIN_PASSWORD the first start writes a random
    /// password once, mode 0600, and it signs admin in; it is not in any log.
    @Test func firstStartWithoutAPasswordWritesARandomOneOnce() async throws {
        let harness = try ProcmonHarness(manifest: Self.manifest(), unsetting: ["APPLIANCE_ADMIN_PASSWORD"])
        defer { harness.stop() }
        harness.waitUntil("configd running", timeout: .seconds(60)) { harness.running("configd") != nil }
        let file = harness.paths.initialAdminPasswordFile
        var info = stat()
        #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let password = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .newlines)
        #expect(password.count == 20)
        let login = try await Self.configd(harness).call(ConfigdMethod.Authenticate.self, .init(name: "admin", password: password, origin: .console))
        #expect(login.outcome == "success")
        #expect(!harness.serviceLog("configd").contains(password) && !harness.procmonLog.contains(password))
        // A restart does not write a new one.
        let pid = try #require(harness.running("configd")?.pid)
        kill(pid, SIGKILL)
        harness.waitUntil("configd back") { (harness.running("configd")?.pid).map { $0 != pid } ?? false }
        #expect(try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .newlines) == password)
    }

    /// As root: configd runs as appliance-config with no capabilities; webd's
    /// user may read only webd's sections; any other uid is refused without a session.
    @Test(.enabled(if: getuid() == 0, "needs root to call as other uids"))
    func eachUidReadsOnlyWhatItMay() async throws {
        let harness = try Self.start(extra: "\n[service webd-standin]\nexec = {bin}/appliance-testsvc -d\nuser = appliance-web\n")
        defer { harness.stop() }
        let pid = try #require(harness.running("configd")?.pid)
        let proc = procStatus(pid)
        let uid = try #require(getpwnam("appliance-config")?.pointee.pw_uid)
        #expect(proc["Uid"] == "\(uid)\t\(uid)\t\(uid)\t\(uid)")
        #expect(proc["CapEff"] == "0000000000000000" && proc["NoNewPrivs"] == "1")
        harness.waitUntil("stand-in running") { harness.running("webd-standin") != nil }
        chmod(harness.root, 0o755)
        func call(as user: String, _ line: String) throws -> String {
            let script = "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b'\\n'); print(s.makefile().readline())"
            let entry = try #require(getpwnam(user))
            let result = try run("/usr/bin/setpriv", ["--reuid=\(entry.pointee.pw_uid)", "--regid=\(entry.pointee.pw_gid)", "--clear-groups", "/usr/bin/python3", "-c", script,
                                                      harness.paths.controlSocket("configd"), line])
            #expect(result.code == 0, "client as \(user) failed: \(result.error)")
            return result.output
        }
        let system = try call(as: "appliance-web", #"{"id":1,"method":"get","params":{"sections":["system"]}}"#)
        #expect(system.contains(#""result":{"config""#) && system.contains(#""revision""#) && !system.contains(#""error""#))
        let snmp = try call(as: "appliance-web", #"{"id":2,"method":"get","params":{"sections":["snmp"]}}"#)
        #expect(snmp.contains("webd may read policy, system, not snmp"))
        let stranger = try call(as: "nobody", #"{"id":3,"method":"get","params":{}}"#)
        #expect(stranger.contains("may not read the configuration without a session"))
        let forged = try call(as: "nobody", #"{"id":4,"method":"apply","params":{"commands":["hostname pwned"]}}"#)
        #expect(forged.contains("this request needs a session"))
        let login = try call(as: "nobody", #"{"id":5,"method":"authenticate","params":{"name":"admin","password":"x","origin":{"channel":"web","peer":"-"}}}"#)
        #expect(login.contains("permission-denied"))
        #expect(try await Self.configd(harness).call(ConfigdMethod.Get.self, .init()).text.contains("pwned") == false)
    }

    /// A wrong password and an unknown name get the same answer; after the
    /// policy's failures the name is locked, even with the right password, and that is audited.
    @Test func failedLoginsLockTheAccount() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["security login max-failures 3 window 300 lockout 600"]))
        let origin = RequestOrigin(channel: "cli", peer: "pts/3")
        let unknown = try await client.call(ConfigdMethod.Authenticate.self, .init(name: "nobody", password: "x", origin: origin))
        let wrong = try await client.call(ConfigdMethod.Authenticate.self, .init(name: "admin", password: "wrong", origin: origin))
        #expect(unknown.outcome == "bad-credentials" && wrong.outcome == "bad-credentials" && unknown.message == wrong.message)
        for _ in 0..<2 { _ = try await client.call(ConfigdMethod.Authenticate.self, .init(name: "admin", password: "wrong", origin: origin)) }
        let locked = try await client.call(ConfigdMethod.Authenticate.self, .init(name: "admin", password: Self.adminPassword, origin: origin))
        #expect(locked.outcome == "locked" && locked.session == nil)
        harness.waitUntil("lockout audited") { !harness.audit.events(kind: "login-lockout").isEmpty }
        #expect(harness.audit.events(kind: "login-failure").count >= 4)
        #expect(!harness.audit.events().contains { $0.contains("wrong") || $0.contains(Self.adminPassword) }, "no password in any audit event")
    }

    /// A viewer may read but its change is refused and audited; an operator
    /// may change streams only; the admin's change is applied and audited with the diff.
    @Test func changesAreCheckedAgainstTheSessionsRole() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account vera role viewer", "account otto role operator"]))
        let passwords = ["vera": "Blue-Lantern-42", "otto": "Green-Harbour-17"]
        for (name, password) in passwords {
            _ = try await client.call(ConfigdMethod.SetPassword.self, .init(account: name, newPassword: password))
        }
        await #expect(throws: ControlError(.invalidParameters, "the new password is refused: the password must not contain the account name")) {
            _ = try await client.call(ConfigdMethod.SetPassword.self, .init(account: "vera", newPassword: "Vera-Was-Here-2026"))
        }
        let vera = try #require(try await client.call(ConfigdMethod.Authenticate.self, .init(name: "vera", password: passwords["vera"]!, origin: .init(channel: "web", peer: "198.51.100.4"))).session)
        let read = try await client.call(ConfigdMethod.Get.self, .init(session: vera))
        #expect(!read.text.split(separator: "\n").contains { $0.hasPrefix("account ") }, "a viewer reads no account (issue 13 #4)")
        await #expect(throws: ControlError.self) {
            _ = try await client.call(ConfigdMethod.Apply.self, .init(session: vera, commands: ["hostname takeover"]))
        }
        harness.waitUntil("refusal audited") { harness.audit.events(kind: "config-change-refused").contains { $0.contains(#"account="vera""#) } }
        let otto = try #require(try await client.call(ConfigdMethod.Authenticate.self, .init(name: "otto", password: passwords["otto"]!, origin: .init(channel: "cli", peer: "pts/1"))).session)
        let applied = try await client.call(ConfigdMethod.Apply.self, .init(session: otto, commands: ["stream cam1 source file:/srv/cam1.ts destination rtp://239.1.1.1:5000"]))
        #expect(applied.diff.contains { $0.hasPrefix("+ stream cam1") })
        await #expect(throws: ControlError.self) {
            _ = try await client.call(ConfigdMethod.Apply.self, .init(session: otto, commands: ["account otto role admin"]))
        }
        harness.waitUntil("change audited") { harness.audit.events(kind: "config-change").contains { $0.contains(#"account="otto""#) && $0.contains("stream cam1") } }
        #expect(try await client.call(ConfigdMethod.Get.self, .init()).text.contains("hostname") == false)
    }

    /// An API token acts as its account with the account's current role,
    /// wherever a session token is accepted: an admin issues it (audited),
    /// it works for an operator's change and is refused an admin's; locking
    /// the account or revoking the token stops it at once; configd keeps only
    /// its hash (mode 0600) and still honours it after a restart.
    @Test func apiTokensActAsTheirAccountUntilRevoked() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account otto role operator"]))
        let issued = try await client.call(ConfigdMethod.APITokenCreate.self, .init(session: nil, account: "otto", label: "nms-poller"))
        let secret = issued.secret
        #expect(secret.hasPrefix("apt_") && issued.token.account == "otto")
        harness.waitUntil("creation audited") { harness.audit.events(kind: "api-token-created").contains { $0.contains(issued.token.id) && !$0.contains(secret) } }

        let checked = try await client.call(ConfigdMethod.SessionCheck.self, .init(session: secret))
        #expect(checked.account == "otto" && checked.role == .operator)
        let applied = try await client.call(ConfigdMethod.Apply.self, .init(session: secret, commands: ["stream cam1 source file:/srv/cam1.ts destination rtp://239.1.1.1:5000"]))
        #expect(applied.diff.contains { $0.hasPrefix("+ stream cam1") })
        await #expect(throws: ControlError.self) {
            _ = try await client.call(ConfigdMethod.Apply.self, .init(session: secret, commands: ["hostname by-token"]))
        }
        await #expect(throws: ControlError.self, "only an admin issues tokens") {
            _ = try await client.call(ConfigdMethod.APITokenCreate.self, .init(session: secret, account: "otto", label: "second"))
        }
        #expect(try await client.call(ConfigdMethod.APITokenList.self, .init(session: secret)).map(\.id) == [issued.token.id])

        let file = harness.paths.stateDirectory("configd") + "/api-tokens.json"
        var info = stat()
        #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let stored = try String(contentsOfFile: file, encoding: .utf8)
        #expect(!stored.contains(String(secret.suffix(64))), "configd keeps the hash, not the secret")

        // A restart of configd keeps the token (and the saved account it acts as).
        _ = try await client.call(ConfigdMethod.Save.self, .init())
        let pid = try #require(harness.running("configd")?.pid)
        kill(pid, SIGKILL)
        harness.waitUntil("configd back") { (harness.running("configd")?.pid).map { $0 != pid } ?? false }
        #expect(try await client.call(ConfigdMethod.SessionCheck.self, .init(session: secret)).account == "otto")

        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account otto locked"]))
        await #expect(throws: ControlError.self, "a locked account's token is refused") {
            _ = try await client.call(ConfigdMethod.SessionCheck.self, .init(session: secret))
        }
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["no account otto locked"]))
        #expect(try await client.call(ConfigdMethod.SessionCheck.self, .init(session: secret)).role == .operator)
        _ = try await client.call(ConfigdMethod.APITokenRevoke.self, .init(session: nil, id: issued.token.id))
        await #expect(throws: ControlError.self, "a revoked token is refused") {
            _ = try await client.call(ConfigdMethod.SessionCheck.self, .init(session: secret))
        }
        harness.waitUntil("revocation audited") { harness.audit.events(kind: "api-token-revoked").contains { $0.contains(issued.token.id) } }
    }

    /// An invalid change set is refused whole, naming the problem, and the running configuration is untouched.
    @Test func anInvalidChangeSetIsRefusedWhole() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        let before = try await client.call(ConfigdMethod.Get.self, .init())
        do {
            _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["hostname edge-7", "stream cam1 source file:/x.ts destination rtp://239.1.1.1:5000 ttl 300"]))
            Issue.record("the change set was accepted")
        } catch {
            #expect(error.code == .invalidParameters)
            #expect(error.message.contains("line 2") && error.message.contains("ttl"))
        }
        let after = try await client.call(ConfigdMethod.Get.self, .init())
        #expect(after.revision == before.revision && after.text == before.text)
    }

    /// 50 parallel clients, half changing two fields together, half reading:
    /// no reader ever sees one field changed without the other.
    @Test func parallelClientsNeverSeeAHalfAppliedChange() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        let torn = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<50 {
                group.addTask {
                    if index % 2 == 0 {
                        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["system location \"L\(index)\"", "system contact \"L\(index)\""]))
                        return 0
                    }
                    var torn = 0
                    for _ in 0..<5 {
                        let system = try await client.call(ConfigdMethod.Get.self, .init(sections: [.system])).config.system
                        if system.location != system.contact { torn += 1 }
                    }
                    return torn
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(torn == 0)
        let final = try await client.call(ConfigdMethod.Get.self, .init()).config.system
        #expect(final.location == final.contact && final.location?.hasPrefix("L") == true)
    }

    /// The role table governs every read of a session (issue 13 #4): a
    /// viewer's and an operator's `get` leave out the accounts section (no
    /// account line, no hash), naming it is refused as not permitted, and
    /// so is a `watch` of it; their `diff` shows no unsaved account change.
    /// An admin's session reads accounts, never a hash.
    @Test func sessionsReadOnlyTheSectionsTheirRoleMay() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account vera role viewer", "account otto role operator", "account ada role admin",
                                                                             "snmp user nms role viewer auth sha-256 auth-key \(String(repeating: "5a", count: 32)) priv aes-128 priv-key \(String(repeating: "c3", count: 16))"]))
        let passwords = ["vera": "Blue-Lantern-42", "otto": "Green-Harbour-17", "ada": "Red-Compass-88"]
        var sessions: [String: String] = [:]
        for (name, password) in passwords {
            _ = try await client.call(ConfigdMethod.SetPassword.self, .init(account: name, newPassword: password))
            sessions[name] = try #require(try await client.call(ConfigdMethod.Authenticate.self,
                                                                 .init(name: name, password: password, origin: .init(channel: "web", peer: "198.51.100.4"))).session)
        }
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account unsaved-one role viewer"]))
        for name in ["vera", "otto"] {
            let session = sessions[name]!
            let everything = try await client.call(ConfigdMethod.Get.self, .init(session: session))
            #expect(!everything.text.split(separator: "\n").contains { $0.hasPrefix("account ") }, "\(name) read: \(everything.text)")
            #expect(!everything.text.contains("$scrypt$"))
            #expect(everything.config.accounts.isEmpty, "\(name) got \(everything.config.accounts.map(\.name))")
            var refusal: ControlError?
            do {
                _ = try await client.call(ConfigdMethod.Get.self, .init(sections: [.accounts], session: session))
            } catch {
                refusal = error as? ControlError
            }
            #expect(refusal?.code == .permissionDenied && refusal?.message.hasPrefix("not permitted") == true, "\(name): \(String(describing: refusal))")
            await #expect(throws: ControlError.self) {
                _ = try await client.call(ConfigdMethod.Watch.self, .init(after: 0, sections: [.accounts], waitMilliseconds: 100, session: session))
            }
            let diff = try await client.call(ConfigdMethod.Diff.self, .init(session: session))
            #expect(!diff.lines.contains { $0.contains("account") }, "\(name)'s diff: \(diff.lines)")
        }
        // A viewer also does not see the SNMP users; an operator does, without keys.
        await #expect(throws: ControlError.self) { _ = try await client.call(ConfigdMethod.Get.self, .init(sections: [.snmp], session: sessions["vera"]!)) }
        let operatorSNMP = try await client.call(ConfigdMethod.Get.self, .init(sections: [.snmp], session: sessions["otto"]!))
        #expect(operatorSNMP.text.contains("snmp user nms") && !operatorSNMP.text.contains("auth-key"))
        // A section it may read can be watched with the session.
        let watched = try await client.call(ConfigdMethod.Watch.self, .init(after: 0, sections: [.streams, .system], waitMilliseconds: 100, session: sessions["vera"]!))
        #expect(watched.revision > 0)
        let admin = try await client.call(ConfigdMethod.Get.self, .init(session: sessions["ada"]!))
        #expect(admin.text.contains("account vera role viewer") && !admin.text.contains("$scrypt$"))
        #expect(admin.config.accounts.contains { $0.name == "otto" } && admin.config.accounts.allSatisfy { $0.passwordHash == nil })
    }

    /// A daemon watching its section is told when it changes.
    @Test func aWatcherIsToldWhenItsSectionChanges() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        let revision = try await client.call(ConfigdMethod.Get.self, .init()).revision
        async let change = client.call(ConfigdMethod.Watch.self, .init(after: revision, sections: [.streams], waitMilliseconds: 10_000))
        try await Task.sleep(for: .milliseconds(300))
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["hostname not-a-stream"]))
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["stream cam2 source file:/srv/cam2.ts destination udp://127.0.0.1:5004"]))
        let told = try await change
        #expect(told.sections == [.streams] && told.revision == revision + 2)
    }

    /// SIGTERM (procmon's stop) ends configd cleanly and at once even while a
    /// daemon's watch is waiting for a change (every daemon keeps one open):
    /// the watch is answered "no change" and configd exits 0, never killed
    /// at the end of its grace.
    @Test func stopEndsConfigdCleanlyWithAWatchWaiting() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        let revision = try await client.call(ConfigdMethod.Get.self, .init()).revision
        async let change = client.call(ConfigdMethod.Watch.self, .init(after: revision, sections: [.streams], waitMilliseconds: 25_000))
        harness.waitUntil("the watch waiting in configd") { try client.callBlocking(ConfigdMethod.Status.self, NoValue()).watches == 1 }
        let began = ContinuousClock.now
        _ = try harness.client.callBlocking(ProcmonMethod.Stop.self, .init("configd"))
        harness.waitUntil("configd stopped", timeout: .seconds(10)) { harness.status("configd")?.state == "stopped" }
        #expect(ContinuousClock.now - began < .seconds(3))
        #expect(harness.status("configd")?.lastExit == "exit status 0", "configd's log:\n\(harness.serviceLog("configd"))")
        let told = try await change
        #expect(told.sections.isEmpty && told.revision == revision)
    }

    /// save writes startup-config; diff shows unsaved changes; a corrupt
    /// startup-config is refused at the next start, set aside, and the last
    /// good configuration runs.
    @Test func corruptStartupConfigIsRefusedAndTheLastGoodKept() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = Self.configd(harness)
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["hostname good-one"]))
        #expect(try await client.call(ConfigdMethod.Diff.self, .init()).lines == ["+ hostname good-one"])
        _ = try await client.call(ConfigdMethod.Save.self, .init())
        #expect(try await client.call(ConfigdMethod.Diff.self, .init()).lines.isEmpty)
        let startupPath = harness.paths.stateDirectory("configd") + "/startup-config"
        try "hostname good-one\nstream broken source nowhere\n".write(toFile: startupPath, atomically: false, encoding: .utf8)
        let pid = try #require(harness.running("configd")?.pid)
        kill(pid, SIGKILL)
        harness.waitUntil("configd back") { (harness.running("configd")?.pid).map { $0 != pid } ?? false }
        let status = try await client.call(ConfigdMethod.Status.self, NoValue())
        #expect(status.startupProblem?.contains("line 2, column") == true)
        #expect(try await client.call(ConfigdMethod.Get.self, .init()).text.contains("hostname good-one"))
        #expect(FileManager.default.fileExists(atPath: startupPath + ".rejected"))
        harness.waitUntil("refusal audited") { !harness.audit.events(kind: "startup-config-refused").isEmpty }
        // The admin still signs in: accounts came back with the last good configuration.
        let login = try await client.call(ConfigdMethod.Authenticate.self, .init(name: "admin", password: Self.adminPassword, origin: .console))
        #expect(login.outcome == "success")
    }

    /// SIGKILL at random moments during save, 50 times: startup-config is
    /// always one whole configuration that was saved, never a torn one.
    @Test func sigkillDuringSaveNeverLeavesATornStartupConfig() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(2))
        let startupPath = harness.paths.stateDirectory("configd") + "/startup-config"
        // Large configurations (about 60 KiB) so that a write takes long enough to be hit.
        func variant(_ tag: String) -> [String] {
            (0..<60).map { "stream s\($0) source file:/srv/\(tag)-\($0)-\(String(repeating: "x", count: 600)).ts destination udp://127.0.0.1:\(6000 + $0)" }
        }
        var saved: Set<String> = []
        var hitsDuringWrite = 0
        var generator = SystemRandomNumberGenerator()
        for round in 0..<50 {
            harness.waitUntil("configd running", timeout: .seconds(60)) { harness.running("configd") != nil && (try? client.callBlocking(ConfigdMethod.Status.self, NoValue())) != nil }
            let tag = round % 2 == 0 ? "even" : "odd"
            _ = try? client.callBlocking(ConfigdMethod.Apply.self, .init(commands: variant(tag)))
            if let text = try? client.callBlocking(ConfigdMethod.Get.self, .init()).text { saved.insert(text) }
            let pid = try #require(harness.running("configd")?.pid)
            let saver = Task.detached { for _ in 0..<20 { _ = try? client.callBlocking(ConfigdMethod.Save.self, .init()) } }
            usleep(UInt32.random(in: 0...40_000, using: &generator))
            kill(pid, SIGKILL)
            // A temporary file left behind proves the kill landed inside a write.
            let folder = try FileManager.default.contentsOfDirectory(atPath: harness.paths.stateDirectory("configd"))
            if folder.contains(where: { $0.contains(".tmp.") }) { hitsDuringWrite += 1 }
            _ = await saver.result
            let bytes = try #require(FileManager.default.contents(atPath: startupPath), "round \(round): no startup-config")
            let text = String(decoding: bytes, as: UTF8.self)
            let parsed = try ConfigParser.parse(text)
            try ConfigValidator().validate(parsed)
            #expect(parsed.streams.isEmpty || parsed.streams.count == 60, "round \(round): \(parsed.streams.count) streams")
            let tags = Set(parsed.streams.map { $0.source.description.contains("even") ? "even" : "odd" })
            #expect(tags.count <= 1, "round \(round): streams from two saves")
        }
        #expect(!saved.isEmpty)
        #expect(hitsDuringWrite > 0, "no kill landed inside a write; the test proved nothing")
        // configd removes what a cut-short write left behind when it starts again.
        harness.waitUntil("stale temporaries removed") {
            try harness.running("configd") != nil
                && FileManager.default.contentsOfDirectory(atPath: harness.paths.stateDirectory("configd")).allSatisfy { !$0.contains(".tmp.") }
        }
    }
}
