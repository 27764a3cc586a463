import ApplianceCore
import Foundation
import Glibc
import Testing

/// webd in a real browser: headless Chromium (Debian's `chromium` and
/// `chromium-driver`) driven by selenium from `Tests/browser/webd_browser.py`,
/// against the real appliance under procmon (configd, auditd, sessmgrd,
/// webd). `make test` installs both (TEST_DEPS, `scripts/install-test-python`).
@Suite(.serialized) struct WebdBrowserSystemTests {
    static let portBase = 24800
    static var httpsPort: Int { portBase + 443 }
    static let password = "Browser-Test-Password-9"

    static let manifest = AuditdSystemTests.manifest + """

    [service sessmgrd]
    exec = {bin}/sessmgrd --foreground --root {root} --media-folder \(SessmgrdSystemTests.media)
    user = appliance-sessmgr
    listen = control unix sessmgrd.sock
    after = configd
    ready = notify

    [service webd]
    exec = {bin}/webd --foreground --root {root}
    user = appliance-web
    listen = https tcp 443
    listen = http tcp 80
    listen = control unix webd.sock
    after = configd sessmgrd
    ready = notify
    """

    /// The repository's top folder (this file is Tests/SystemTests/…).
    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func start() throws -> ProcmonHarness {
        let harness = try ProcmonHarness(manifest: manifest, portBase: portBase, environment: ["APPLIANCE_ADMIN_PASSWORD": password], auditStandIn: false)
        harness.waitUntil("configd, auditd, sessmgrd and webd running", timeout: .seconds(60)) {
            ["configd", "auditd", "sessmgrd", "webd"].allSatisfy { harness.running($0) != nil }
        }
        return harness
    }

    /// Runs a Python script of Tests/browser with the tests' venv, printing what it printed.
    static func python(_ script: String, _ arguments: [String]) throws -> (code: Int32, output: String, error: String) {
        let interpreter = repository + "/.venv-tests/bin/python"
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            Issue.record("no \(interpreter): `make deps-test` (scripts/install-test-python) makes it")
            return (-1, "", "")
        }
        let result = try ChildProcess.run(interpreter, [repository + "/Tests/browser/" + script] + arguments)
        print(result.output)
        if !result.error.isEmpty { print(result.error) }
        return result
    }

    /// Signed in with the form, a stream created from /streams is started,
    /// its bitrate on the dashboard is non-zero and changes without a
    /// reload, its page draws the bitrate graph, it stops and is deleted,
    /// every other page renders, and signing out
    /// leads back to /login; Chromium trusts webd's own certificate for
    /// 127.0.0.1, and its console shows no CSP violation and no script
    /// error on any page. Screenshots go to .test-artifacts/screenshots/.
    @Test func aBrowserSignsInRunsAStreamAndSignsOutWithACleanConsole() throws {
        let file = try TestMedia.make(seconds: 20, muxrate: 600_000, in: SessmgrdSystemTests.mediaFolder())
        let harness = try Self.start()
        defer { harness.stop() }
        // Nobody reads this port: the stream's datagrams are dropped by the kernel.
        let destination = "udp://127.0.0.1:\(Self.portBase + 5102)"
        let screenshots = Self.repository + "/.test-artifacts/screenshots"
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let result = try Self.python("webd_browser.py", [
            "--url", "https://127.0.0.1:\(Self.httpsPort)", "--password", Self.password, "--ts", file, "--destination", destination,
            "--screenshots", screenshots, "--certificate", harness.paths.stateDirectory("webd") + "/certificate.pem",
        ])
        #expect(result.code == 0, "the browser script failed:\n\(result.output)\n\(result.error)\nwebd's log:\n\(harness.serviceLog("webd"))")
        #expect(result.output.hasSuffix("PASS\n"))
        for page in ["sign-in", "dashboard", "streams", "stream", "accounts", "policy", "snmp", "audit", "system"] {
            #expect(result.output.contains("screenshot: \(screenshots)/\(page).png"), "no screenshot of \(page)")
        }
        #expect(harness.status("webd")?.startCount == 1)
    }
}
