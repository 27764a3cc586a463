import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Testing

/// webd's API fuzzed by schemathesis (PyPI, pinned in
/// Tests/browser/requirements.txt, installed by `make deps-test` into
/// .venv-tests/) from the OpenAPI document webd serves, against the real
/// appliance under procmon (configd, auditd, sessmgrd, webd).
@Suite(.serialized) struct WebdFuzzSystemTests {
    static let portBase = 24900
    static var httpsPort: Int { portBase + 443 }
    static let password = "Fuzz-Test-Password-9"
    /// schemathesis' own budget, and the test's deadline a little beyond it.
    static let fuzzSeconds = 110

    static let snmpd = """

    [service snmpd]
    exec = {bin}/snmpd --foreground --root {root}
    user = appliance-snmp
    listen = agent udp 161
    listen = control unix snmpd.sock
    after = configd
    ready = notify
    """

    static func url(_ path: String) -> String { "https://127.0.0.1:\(httpsPort)\(path)" }

    /// The session cookie (name=value) and CSRF token of a fresh sign-in.
    static func signIn(account: String, password: String) throws -> (cookie: String, csrf: String) {
        let result = try WebdSystemTests.curl(["-k", "-D", "-", "-H", "Content-Type: application/json",
                                               "--data", #"{"account":"\#(account)","password":"\#(password)"}"#, url("/api/v1/session")])
        let parts = result.output.components(separatedBy: "\r\n\r\n")
        let header = try #require(parts.first?.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }, "\(result.output)")
        let cookie = String(header.dropFirst("set-cookie:".count).trimmingCharacters(in: .whitespaces).prefix { $0 != ";" })
        let json = try #require(try JSONSerialization.jsonObject(with: Data((parts.last ?? "").utf8)) as? [String: Any], "\(result.output)")
        return (cookie, try #require(json["csrfToken"] as? String))
    }

    static func streamsCode(cookie: String) -> String {
        (try? WebdSystemTests.curl(["-k", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Cookie: \(cookie)", url("/api/v1/streams")]).output) ?? "curl failed"
    }

    /// Every operation of /api/v1/openapi.json fuzzed with an admin session
    /// (cookie and X-CSRF-Token) for a bounded time: no answer is a 5xx and
    /// every answer matches the document's schema; webd is the same process
    /// afterwards (same pid, procmon's start count unchanged, no fatal error
    /// in its log); another session (admin's second) has GET /api/v1/streams
    /// answer 200 all along and afterwards. The sign-in, sign-out and password operations
    /// are left out: the fuzzer's own session would end, or a wrong current
    /// password would lock the account it runs as.
    @Test func fuzzingTheAPIFromItsOpenAPIDocumentFindsNo5xxAndWebdSurvives() async throws {
        let schemathesis = WebdBrowserSystemTests.repository + "/.venv-tests/bin/schemathesis"
        try #require(FileManager.default.isExecutableFile(atPath: schemathesis), "no \(schemathesis): `make deps-test` (scripts/install-test-python) makes it")
        // snmpd too: an SNMP user from pass phrases needs its engine ID.
        let harness = try ProcmonHarness(manifest: WebdBrowserSystemTests.manifest + Self.snmpd, portBase: Self.portBase,
                                         environment: ["APPLIANCE_ADMIN_PASSWORD": Self.password], auditStandIn: false)
        defer { harness.stop() }
        harness.waitUntil("configd, auditd, sessmgrd, snmpd and webd running", timeout: .seconds(60)) {
            ["configd", "auditd", "sessmgrd", "snmpd", "webd"].allSatisfy { harness.running($0) != nil }
        }
        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(30))
        _ = try await configd.call(ConfigdMethod.Apply.self, .init(commands: [
            "stream cam1 source udp://127.0.0.1:\(Self.portBase + 5100) destination udp://127.0.0.1:\(Self.portBase + 5102)",
        ]))
        let webd = try #require(harness.running("webd"))
        let fuzzer = try Self.signIn(account: "admin", password: Self.password)
        // A second session of the same account: the fuzzer, an admin, may
        // legitimately delete any other account (and so end its sessions),
        // but not its own.
        let other = try Self.signIn(account: "admin", password: Self.password)
        #expect(Self.streamsCode(cookie: other.cookie) == "200")

        let document = harness.root + "/openapi.json"
        let fetched = try WebdSystemTests.curl(["-k", "-o", document, "-w", "%{http_code}", "-H", "Cookie: \(fuzzer.cookie)", Self.url("/api/v1/openapi.json")])
        try #require(fetched.output == "200", "GET /api/v1/openapi.json: \(fetched.output) \(fetched.error)")

        let log = harness.root + "/schemathesis.log"
        let run = try ChildProcess(schemathesis, [
            "run", document, "--url", Self.url(""),
            "--checks", "not_a_server_error,response_schema_conformance",
            "--max-examples", "10", "--max-time", String(Self.fuzzSeconds), "--workers", "1", "--request-timeout", "10",
            "--exclude-path", "/api/v1/session", "--exclude-path", "/api/v1/password",
            // webd's own certificate is the trust anchor: its SAN names 127.0.0.1.
            "--tls-verify", harness.paths.stateDirectory("webd") + "/certificate.pem",
            "-H", "Cookie: \(fuzzer.cookie)", "-H", "X-CSRF-Token: \(fuzzer.csrf)",
            // Every request and answer, to find what a failure followed.
            "--report", "har", "--report-har-path", WebdBrowserSystemTests.repository + "/.test-artifacts/schemathesis.har",
            "--no-color",
        ], standardOutput: .file(log), standardError: .file(log))
        var otherCodes: [String] = []
        let deadline = ContinuousClock.now + .seconds(Self.fuzzSeconds + 40)
        while run.isRunning, ContinuousClock.now < deadline {
            let code = Self.streamsCode(cookie: other.cookie)
            if code != "200" && !otherCodes.contains(where: { $0 != "200" }) { print("the other session's first \(code) at \(Date())") }
            otherCodes.append(code)
            try await Task.sleep(for: .seconds(1))
        }
        if run.isRunning {
            kill(run.processIdentifier, SIGKILL)
            Issue.record("schemathesis ran past its \(Self.fuzzSeconds) s budget")
        }
        let code = run.waitUntilExit()
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        print(output)
        #expect(code == 0, "schemathesis found failures (exit \(code)):\n\(output)")
        #expect(!output.contains("Server error"), "\(output)")
        #expect(!otherCodes.isEmpty && otherCodes.allSatisfy { $0 == "200" }, "the other session's GET /api/v1/streams during the fuzzing: \(otherCodes)")
        #expect(Self.streamsCode(cookie: other.cookie) == "200")
        let after = harness.running("webd")
        #expect(after?.pid == webd.pid, "webd was replaced: \(harness.procmonLog)")
        #expect(after?.startCount == webd.startCount)
        #expect(!harness.serviceLog("webd").contains("Fatal error"), "\(harness.serviceLog("webd"))")
    }
}
