import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Supervisor
import Testing

/// webd's stream, policy and system pages and their API under procmon with
/// the real configd and sessmgrd, spoken to with curl as a browser or a
/// script would. Port base 24500 (WebdSystemTests has 24000).
@Suite(.serialized) struct WebdPagesSystemTests {
    static let portBase = 24500
    static var httpsPort: Int { portBase + 443 }
    static let password = "Web-Pages-Password-9"

    static func start() throws -> ProcmonHarness {
        let manifest = WebdSystemTests.manifest()
        let harness = try ProcmonHarness(manifest: manifest, portBase: portBase, environment: ["APPLIANCE_ADMIN_PASSWORD": password])
        harness.waitUntil("configd, sessmgrd and webd running", timeout: .seconds(60)) {
            ["configd", "sessmgrd", "webd"].allSatisfy { harness.running($0) != nil }
        }
        return harness
    }

    static func url(_ path: String) -> String { "https://127.0.0.1:\(httpsPort)\(path)" }

    struct Session { var jar: String; var csrf: String }

    static func signIn(_ harness: ProcmonHarness, account: String = "admin", password: String = password) throws -> Session {
        let jar = harness.root + "/cookies-\(UInt32.random(in: 0...UInt32.max))"
        let result = try WebdSystemTests.curl(["-k", "-c", jar, "-H", "Content-Type: application/json",
                                               "--data", #"{"account":"\#(account)","password":"\#(password)"}"#, url("/api/v1/session")])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.output) \(result.error)")
        return Session(jar: jar, csrf: try #require(json["csrfToken"] as? String))
    }

    /// A JSON request; answers the body and the status.
    static func api(_ session: Session, _ method: String, _ path: String, _ body: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["-k", "-b", session.jar, "-X", method, "-H", "X-CSRF-Token: \(session.csrf)", "-w", "\n%{http_code}"]
        if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let output = try WebdSystemTests.curl(arguments + [url(path)]).output
        let split = output.range(of: "\n", options: .backwards).map { (String(output[..<$0.lowerBound]), String(output[$0.upperBound...])) } ?? ("", output)
        return (Int(split.1) ?? -1, split.0)
    }

    static func running(_ session: Session) throws -> String { try api(session, "GET", "/api/v1/config/running").body }

    static var source: String { "udp://127.0.0.1:\(portBase + 5100)" }
    static var destination: String { "udp://127.0.0.1:\(portBase + 5102)" }

    /// Create, read, edit, start, stop and delete a stream through the API:
    /// each change lands in the running configuration; bad values are 400s
    /// naming the field; the creation is audited with the client address.
    @Test func aStreamIsCreatedEditedStartedStoppedAndDeletedThroughTheAPI() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let admin = try Self.signIn(harness)
        let created = try Self.api(admin, "POST", "/api/v1/streams",
                                   #"{"name":"cam1","source":"\#(Self.source)","destination":"\#(Self.destination)","ttl":16,"tos":0,"shaping":false,"ceiling":15,"autostart":false}"#)
        #expect(created.status == 201, "\(created.body)")
        #expect(created.body.contains(#""name":"cam1""#) && created.body.contains("revision"))
        #expect(try Self.running(admin).contains("stream cam1 source \(Self.source) destination \(Self.destination)"))
        #expect(try Self.running(admin).contains("ttl 16"))
        let again = try Self.api(admin, "POST", "/api/v1/streams", #"{"name":"cam1","source":"\#(Self.source)","destination":"\#(Self.destination)"}"#)
        #expect(again.status == 409, "\(again.body)")

        let edited = try Self.api(admin, "PATCH", "/api/v1/streams/cam1", #"{"ttl":32,"mtu":1400}"#)
        #expect(edited.status == 200, "\(edited.body)")
        let text = try Self.running(admin)
        #expect(text.contains("ttl 32") && text.contains("mtu 1400") && !text.contains("ttl 16"), "\(text)")
        let badTTL = try Self.api(admin, "PATCH", "/api/v1/streams/cam1", #"{"ttl":300}"#)
        #expect(badTTL.status == 400 && badTTL.body.contains(#""error":"ttl: expected"#), "\(badTTL.body)")
        let injected = try Self.api(admin, "PATCH", "/api/v1/streams/cam1", #"{"source":"file:/a\nno account admin"}"#)
        #expect(injected.status == 400 && injected.body.contains("source: control characters"), "\(injected.body)")
        let wrongType = try Self.api(admin, "PATCH", "/api/v1/streams/cam1", #"{"shaping":"yes"}"#)
        #expect(wrongType.status == 400 && wrongType.body.contains("shaping: expected true or false"), "\(wrongType.body)")
        #expect(try Self.running(admin).contains("account admin"))

        let started = try Self.api(admin, "POST", "/api/v1/streams/cam1/start")
        #expect(started.status == 200, "\(started.body)")
        let status = try Self.api(admin, "GET", "/api/v1/streams/cam1")
        #expect(status.status == 200 && status.body.contains(#""name":"cam1""#) && status.body.contains("mdi"), "\(status.body)")
        let stopped = try Self.api(admin, "POST", "/api/v1/streams/cam1/stop")
        #expect(stopped.status == 200, "\(stopped.body)")

        let page = try WebdSystemTests.curl(["-k", "-b", admin.jar, Self.url("/streams/cam1")]).output
        #expect(page.contains(#"<canvas id="bitrate-graph""#) && page.contains(#"id="stream-state""#) && page.contains(#"value="32""#), "\(page)")

        let deleted = try Self.api(admin, "DELETE", "/api/v1/streams/cam1")
        #expect(deleted.status == 200, "\(deleted.body)")
        #expect(!(try Self.running(admin).contains("stream cam1")))
        let gone = try Self.api(admin, "DELETE", "/api/v1/streams/cam1")
        #expect(gone.status == 404 && gone.body.contains(#""error""#))
        harness.waitUntil("web-stream-create audited with the client") {
            harness.audit.events(kind: "web-stream-create").contains { $0.contains("account=\"admin\"") && $0.contains("peer=\"127.0.0.1:") && $0.contains("stream=\"cam1\"") }
        }
    }

    /// The browser's way: the create form (with its hidden CSRF field) lands
    /// on the stream's page; without the field it is refused.
    @Test func theCreateFormLandsOnTheStreamsPage() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let admin = try Self.signIn(harness)
        let list = try WebdSystemTests.curl(["-k", "-b", admin.jar, Self.url("/streams")]).output
        #expect(list.contains(#"<form id="stream-create""#) && list.contains(#"id="nav-streams""#) && list.contains(#"id="sign-out""#))
        let form = "name=cam2&source=\(Self.source)&destination=\(Self.destination)&ttl=8&tos=0xb8&autostart=on"
        let forged = try WebdSystemTests.curl(["-k", "-b", admin.jar, "-o", "/dev/null", "-w", "%{http_code}", "--data", form, Self.url("/streams")])
        #expect(forged.output == "403")
        let posted = try WebdSystemTests.curl(["-k", "-b", admin.jar, "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}",
                                               "--data", form + "&csrf=\(admin.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")", Self.url("/streams")])
        #expect(posted.output == "303 https://127.0.0.1:\(Self.httpsPort)/streams/cam2", "\(posted.output)")
        let text = try Self.running(admin)
        #expect(text.contains("stream cam2") && text.contains("ttl 8") && text.contains("autostart"), "\(text)")
    }

    /// Roles are configd's: an operator creates a stream, but configd
    /// refuses the operator's policy change, which webd answers as a 403
    /// JSON error with configd's own message.
    @Test func anOperatorCreatesStreamsButConfigdRefusesTheirPolicyChange() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(30))
        _ = try await configd.call(ConfigdMethod.Apply.self, .init(commands: ["account runner role operator"]))
        _ = try await configd.call(ConfigdMethod.SetPassword.self, .init(account: "runner", newPassword: "Role-Test-Password-77"))
        let runner = try Self.signIn(harness, account: "runner", password: "Role-Test-Password-77")
        let created = try Self.api(runner, "POST", "/api/v1/streams", #"{"name":"op1","source":"\#(Self.source)","destination":"\#(Self.destination)"}"#)
        #expect(created.status == 201, "\(created.body)")
        let refused = try Self.api(runner, "PATCH", "/api/v1/policy", #"{"passwordMinLength":8}"#)
        #expect(refused.status == 403, "\(refused.body)")
        #expect(refused.body.hasPrefix(#"{"error":"#) && refused.body.contains("operator may not"), "\(refused.body)")
    }

    /// The admin creates an account with its password (it signs in), locks
    /// it (it no longer signs in), adds an ssh key and deletes it; an
    /// operator's account creation is refused by configd with a 403 JSON.
    @Test func theAdminCreatesAndLocksAnAccountAndAnOperatorCannot() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let admin = try Self.signIn(harness)
        // A password configd refuses leaves no account behind.
        let weak = try Self.api(admin, "POST", "/api/v1/accounts", #"{"name":"bob","role":"operator","password":"bob-Bob-Pass-42"}"#)
        #expect(weak.status == 400 && weak.body.contains("password"), "\(weak.body)")
        #expect(!(try Self.api(admin, "GET", "/api/v1/accounts").body.contains(#""name":"bob""#)))
        let created = try Self.api(admin, "POST", "/api/v1/accounts", #"{"name":"bob","role":"operator","password":"Initial-Pass-4242x"}"#)
        #expect(created.status == 201, "\(created.body)")
        let bob = try Self.signIn(harness, account: "bob", password: "Initial-Pass-4242x")
        let refused = try Self.api(bob, "POST", "/api/v1/accounts", #"{"name":"eve","role":"admin","password":"Eve-Initial-Pass-42"}"#)
        #expect(refused.status == 403 && refused.body.hasPrefix(#"{"error":"#), "\(refused.body)")
        let streamOK = try Self.api(bob, "POST", "/api/v1/streams", #"{"name":"bobs","source":"\#(Self.source)","destination":"\#(Self.destination)"}"#)
        #expect(streamOK.status == 201, "\(streamOK.body)")

        let locked = try Self.api(admin, "PATCH", "/api/v1/accounts/bob", #"{"locked":true}"#)
        #expect(locked.status == 200, "\(locked.body)")
        let list = try Self.api(admin, "GET", "/api/v1/accounts")
        #expect(list.body.contains(#""locked":true"#) && list.body.contains(#""name":"bob""#) && !list.body.contains("scrypt"), "\(list.body)")
        let signIn = try WebdSystemTests.curl(["-k", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json",
                                               "--data", #"{"account":"bob","password":"Initial-Pass-4242x"}"#, Self.url("/api/v1/session")])
        #expect(signIn.output == "403", "\(signIn.output)")
        let key = #"{"key":"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bob@host"}"#
        #expect(try Self.api(admin, "POST", "/api/v1/accounts/bob/keys", key).status == 201)
        #expect(try Self.api(admin, "GET", "/api/v1/accounts").body.contains(#""keyCount":1"#))
        #expect(try Self.api(admin, "DELETE", "/api/v1/accounts/bob/keys", key).status == 200)
        let page = try WebdSystemTests.curl(["-k", "-b", admin.jar, Self.url("/accounts")]).output
        #expect(page.contains(#"<tr data-name="bob">"#) && !page.contains("scrypt"), "\(page)")
        #expect(try Self.api(admin, "DELETE", "/api/v1/accounts/bob").status == 200)
        // With a second admin, admin still may not lock, demote or delete
        // itself (its sessions would end from inside one of them); carol may.
        #expect(try Self.api(admin, "POST", "/api/v1/accounts", #"{"name":"carol","role":"admin","password":"Second-Admin-Pass-77"}"#).status == 201)
        for (method, path, body) in [("PATCH", "/api/v1/accounts/admin", #"{"locked":true}"#), ("PATCH", "/api/v1/accounts/admin", #"{"role":"viewer"}"#),
                                     ("DELETE", "/api/v1/accounts/admin", nil)] {
            let own = try Self.api(admin, method, path, body)
            #expect(own.status == 403 && own.body.contains("the account you are signed in as (admin)"), "\(method) \(body ?? ""): \(own.status) \(own.body)")
        }
        #expect(try Self.api(admin, "GET", "/api/v1/accounts").status == 200)
        harness.waitUntil("web-account-create audited with the client") {
            harness.audit.events(kind: "web-account-create").contains { $0.contains("account=\"admin\"") && $0.contains("peer=\"127.0.0.1:") }
        }
        #expect(!harness.audit.events(kind: "web-account-password").contains { $0.contains("Initial-Pass") })
    }

    /// The admin changes the policy through the API and the page shows it;
    /// a bad value is a 400 naming the field.
    @Test func theAdminChangesThePolicy() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let admin = try Self.signIn(harness)
        let changed = try Self.api(admin, "PATCH", "/api/v1/policy", #"{"passwordMinLength":14,"maxSessionsPerAccount":2}"#)
        #expect(changed.status == 200, "\(changed.body)")
        let policy = try Self.api(admin, "GET", "/api/v1/policy")
        #expect(policy.body.contains(#""passwordMinLength":14"#) && policy.body.contains(#""maxSessionsPerAccount":2"#), "\(policy.body)")
        let bad = try Self.api(admin, "PATCH", "/api/v1/policy", #"{"passwordMinLength":-3}"#)
        #expect(bad.status == 400 && bad.body.contains("passwordMinLength: expected"), "\(bad.body)")
        // A misspelt key is a 400 naming it, not a change silently dropped; nothing changes.
        let misspelt = try Self.api(admin, "PATCH", "/api/v1/policy", #"{"passwordMinLenght":20}"#)
        #expect(misspelt.status == 400 && misspelt.body.contains(#"unknown field \"passwordMinLenght\""#), "\(misspelt.status) \(misspelt.body)")
        let mixed = try Self.api(admin, "PATCH", "/api/v1/accounts/admin", #"{"role":"admin","lock":true}"#)
        #expect(mixed.status == 400 && mixed.body.contains(#"unknown field \"lock\"; this body takes role, locked"#), "\(mixed.status) \(mixed.body)")
        let page = try WebdSystemTests.curl(["-k", "-b", admin.jar, Self.url("/policy")]).output
        #expect(page.contains(#"id="policy-passwordMinLength" inputmode="numeric" value="14""#), "\(page)")
        harness.waitUntil("web-policy-change audited with the client") {
            harness.audit.events(kind: "web-policy-change").contains { $0.contains("account=\"admin\"") && $0.contains("peer=\"127.0.0.1:") }
        }
    }

    /// Host name and banner through PATCH /api/v1/system, the diff against
    /// startup shows them, revert takes them back.
    @Test func systemSettingsDiffAndRevert() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let admin = try Self.signIn(harness)
        let changed = try Self.api(admin, "PATCH", "/api/v1/system", #"{"hostname":"enc-7","banner":"Authorised use only.\nSecond line","addNtpServers":["192.0.2.1"]}"#)
        #expect(changed.status == 200, "\(changed.body)")
        let system = try Self.api(admin, "GET", "/api/v1/system")
        #expect(system.body.contains(#""hostname":"enc-7""#) && system.body.contains(#""ntpServers":["192.0.2.1"]"#) && system.body.contains(#""time":""#), "\(system.body)")
        let diff = try Self.api(admin, "GET", "/api/v1/config/diff")
        #expect(diff.status == 200 && diff.body.contains("+ hostname enc-7"), "\(diff.body)")
        let page = try WebdSystemTests.curl(["-k", "-b", admin.jar, Self.url("/system")]).output
        #expect(page.contains("Authorised use only.\nSecond line") && page.contains(#"id="system-time""#) && page.contains("192.0.2.1"), "\(page)")
        let badHost = try Self.api(admin, "PATCH", "/api/v1/system", #"{"hostname":"a b"}"#)
        #expect(badHost.status == 400 && badHost.body.contains("hostname: expected"), "\(badHost.body)")
        let reverted = try Self.api(admin, "POST", "/api/v1/config/revert")
        #expect(reverted.status == 200, "\(reverted.body)")
        #expect(!(try Self.api(admin, "GET", "/api/v1/system").body.contains("enc-7")))
    }

    /// With sessmgrd stopped, /streams still renders within the page
    /// deadline: the list panel says sessmgrd is not answering, the create
    /// form is there, the navigation works.
    @Test func theStreamsPageRendersWithSessmgrdStopped() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let admin = try Self.signIn(harness)
        _ = try harness.client.callBlocking(ProcmonMethod.Stop.self, .init("sessmgrd"))
        harness.waitUntil("sessmgrd stopped") { harness.status("sessmgrd")?.state == "stopped" }
        let began = ContinuousClock.now
        let page = try WebdSystemTests.curl(["-k", "-b", admin.jar, "-w", "\n%{http_code}", Self.url("/streams")]).output
        #expect(ContinuousClock.now - began < .seconds(3))
        #expect(page.hasSuffix("\n200"), "\(page)")
        #expect(page.contains("sessmgrd is not answering") && page.contains(#"<form id="stream-create""#) && page.contains(#"id="nav-policy""#), "\(page)")
        let policy = try WebdSystemTests.curl(["-k", "-b", admin.jar, "-o", "/dev/null", "-w", "%{http_code}", Self.url("/policy")]).output
        #expect(policy == "200")
    }

    /// With the real auditd: a policy change made through webd is found by
    /// the audit search with the client's address; an operator's search is
    /// refused (auditd wants an admin's session); a remote destination
    /// added through the API is listed with auditd's live state.
    @Test func theAuditSearchFindsAWebChangeWithTheClientAddress() async throws {
        let manifest = WebdSystemTests.manifest() + """

        [service auditd]
        exec = {bin}/auditd --foreground --root {root}
        user = appliance-audit
        listen = intake unixgram audit.sock
        listen = control unix auditd.sock
        """
        let harness = try ProcmonHarness(manifest: manifest, portBase: Self.portBase, environment: ["APPLIANCE_ADMIN_PASSWORD": Self.password], auditStandIn: false)
        defer { harness.stop() }
        harness.waitUntil("configd, sessmgrd, auditd and webd running", timeout: .seconds(60)) {
            ["configd", "sessmgrd", "auditd", "webd"].allSatisfy { harness.running($0) != nil }
        }
        let admin = try Self.signIn(harness)
        #expect(try Self.api(admin, "PATCH", "/api/v1/policy", #"{"passwordHistory":7}"#).status == 200)
        var found = ""
        harness.waitUntil("web-policy-change in auditd's journal", timeout: .seconds(15)) {
            found = try Self.api(admin, "GET", "/api/v1/audit/events?text=web-policy-change&service=webd&last=10").body
            return found.contains("web-policy-change")
        }
        #expect(found.contains("127.0.0.1") && found.contains(#""entries""#), "\(found)")
        let page = try WebdSystemTests.curl(["-k", "-b", admin.jar, Self.url("/audit?text=web-policy-change&last=5")]).output
        #expect(page.contains(#"<pre id="audit-events">"#) && page.contains("web-policy-change") && page.contains(#"id="nav-audit" href="/audit" aria-current="page""#), "\(page)")
        let badSeverity = try Self.api(admin, "GET", "/api/v1/audit/events?severity=9")
        #expect(badSeverity.status == 400 && badSeverity.body.contains("severity:"), "\(badSeverity.body)")

        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(30))
        _ = try await configd.call(ConfigdMethod.Apply.self, .init(commands: ["account runner role operator"]))
        _ = try await configd.call(ConfigdMethod.SetPassword.self, .init(account: "runner", newPassword: "Role-Test-Password-77"))
        let runner = try Self.signIn(harness, account: "runner", password: "Role-Test-Password-77")
        let refused = try Self.api(runner, "GET", "/api/v1/audit/events?last=5")
        #expect(refused.status == 403 && refused.body.hasPrefix(#"{"error":"#), "\(refused.body)")

        let print = "sha256:" + String(repeating: "ab", count: 32)
        let added = try Self.api(admin, "POST", "/api/v1/audit/destinations", #"{"host":"127.0.0.1","port":\#(Self.portBase + 6514),"trust":"fingerprint","fingerprint":"\#(print)"}"#)
        #expect(added.status == 201, "\(added.body)")
        var listed = ""
        harness.waitUntil("the destination with auditd's state", timeout: .seconds(15)) {
            listed = try Self.api(admin, "GET", "/api/v1/audit/destinations").body
            return listed.contains(#""state":"#)
        }
        #expect(listed.contains(#""trust":"fingerprint""#) && listed.contains(#""host":"127.0.0.1""#), "\(listed)")
        let removed = try Self.api(admin, "DELETE", "/api/v1/audit/destinations/127.0.0.1?port=\(Self.portBase + 6514)")
        #expect(removed.status == 200, "\(removed.body)")
    }
}
