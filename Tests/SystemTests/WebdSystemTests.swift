import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Supervisor
import Testing

/// webd under procmon with the real configd and sessmgrd, spoken to with
/// curl (and openssl s_client for the TLS versions), as a browser or a
/// script would: procmon binds 443 and 80 (plus the port base) and passes
/// them. One behaviour per test.
/// webd's `status` as this test reads it (the system tests do not link webd's library).
enum WebdStatusMethod: ControlMethod {
    struct Result: Codable, Sendable {
        var httpsPort: Int
        var openConnections: Int
        var counters: [String: Int]
    }
    typealias Parameters = NoValue
    static let name = "status"
}

@Suite(.serialized) struct WebdSystemTests {
    static let portBase = 24000
    static var httpsPort: Int { portBase + 443 }
    static var httpPort: Int { portBase + 80 }
    static let password = "Web-Test-Password-9"

    static func manifest(webdArguments: String = "") -> String { """
    [service configd]
    exec = {bin}/configd --foreground --root {root}
    user = appliance-config
    listen = control unix configd.sock
    pass-env = APPLIANCE_ADMIN_PASSWORD

    [service sessmgrd]
    exec = {bin}/sessmgrd --foreground --root {root}
    user = appliance-sessmgr
    listen = control unix sessmgrd.sock
    after = configd

    [service webd]
    exec = {bin}/webd --foreground --root {root} \(webdArguments)
    user = appliance-web
    listen = https tcp 443
    listen = http tcp 80
    listen = control unix webd.sock
    after = configd sessmgrd
    ready = notify
    """
    }

    static func start(webdArguments: String = "") throws -> ProcmonHarness {
        let harness = try ProcmonHarness(manifest: manifest(webdArguments: webdArguments), portBase: portBase, environment: ["APPLIANCE_ADMIN_PASSWORD": password])
        harness.waitUntil("configd, sessmgrd and webd running", timeout: .seconds(60)) {
            ["configd", "sessmgrd", "webd"].allSatisfy { harness.running($0) != nil }
        }
        return harness
    }

    static func curl(_ arguments: [String]) throws -> (code: Int32, output: String, error: String) {
        try run("/usr/bin/curl", ["-sS", "--max-time", "20"] + arguments)
    }

    static func url(_ path: String) -> String { "https://127.0.0.1:\(httpsPort)\(path)" }

    /// Signs in as admin through the API; returns the cookie jar and the CSRF token.
    static func signIn(_ harness: ProcmonHarness, account: String = "admin", password: String = password) throws -> (jar: String, csrf: String, headers: String) {
        let jar = harness.root + "/cookies-\(UInt32.random(in: 0...UInt32.max))"
        let result = try curl(["-k", "-c", jar, "-D", "-", "-H", "Content-Type: application/json",
                               "--data", #"{"account":"\#(account)","password":"\#(password)"}"#, url("/api/v1/session")])
        #expect(result.code == 0, "\(result.error)")
        let parts = result.output.components(separatedBy: "\r\n\r\n")
        let body = try #require(parts.last?.data(using: .utf8))
        let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "\(result.output)")
        let csrf = try #require(json["csrfToken"] as? String, "\(result.output)")
        return (jar, csrf, parts.first ?? "")
    }

    /// Every request on port 80 gets a permanent redirect to HTTPS with path
    /// and query kept: 301 for GET and HEAD, 308 for POST. The factory host
    /// name `appliance` has no dot, so a client that came by address could
    /// not resolve it: the redirect names the address the client connected
    /// to (issue 13 #17), and a forged Host header changes nothing.
    @Test func httpPortRedirectsToTheAddressConnectedToEvenWithAForgedHostHeader() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let expected = "https://127.0.0.1:\(Self.httpsPort)/streams?x=1"
        let plain = try Self.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://127.0.0.1:\(Self.httpPort)/streams?x=1"])
        #expect(plain.output == "301 \(expected)", "\(plain.error)")
        let forged = try Self.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: evil.example",
                                    "http://127.0.0.1:\(Self.httpPort)/streams?x=1"])
        #expect(forged.output == "301 \(expected)")
        let post = try Self.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: evil.example", "--data", "a=1",
                                  "http://127.0.0.1:\(Self.httpPort)/api/v1/session"])
        #expect(post.output == "308 https://127.0.0.1:\(Self.httpsPort)/api/v1/session")
        let head = try Self.curl(["-I", "http://127.0.0.1:\(Self.httpPort)/"])
        #expect(head.output.hasPrefix("HTTP/1.1 301"))
        // Nothing else is served on 80: no page, no API.
        #expect(!head.output.lowercased().contains("set-cookie"))
    }

    /// On procmon's dual-stack socket (`::`) an IPv6 client is sent to its
    /// own connection's address in brackets, an IPv4 one to the plain IPv4
    /// address (not `::ffff:…`).
    @Test func httpRedirectOnADualStackSocketNamesIPv6InBracketsAndIPv4Plain() throws {
        let harness = try ProcmonHarness(manifest: Self.manifest(), portBase: Self.portBase, arguments: ["--listen-address", "::"],
                                         environment: ["APPLIANCE_ADMIN_PASSWORD": Self.password])
        defer { harness.stop() }
        harness.waitUntil("webd running", timeout: .seconds(60)) { harness.running("webd") != nil }
        var v6 = (code: Int32(0), output: "", error: "")
        harness.waitUntil("webd answers on [::1]", timeout: .seconds(20)) {
            v6 = try Self.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: evil.example", "http://[::1]:\(Self.httpPort)/x"])
            return v6.code == 0
        }
        #expect(v6.output == "301 https://[::1]:\(Self.httpsPort)/x", "\(v6.error)")
        let v4 = try Self.curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "http://127.0.0.1:\(Self.httpPort)/x"])
        #expect(v4.output == "301 https://127.0.0.1:\(Self.httpsPort)/x", "\(v4.error)")
    }

    /// SIGTERM (procmon's stop) ends webd cleanly within its two-second
    /// grace even with a client connection held open.
    @Test func stopEndsWebdCleanlyWithAConnectionOpen() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let fd = try tcpConnect(port: UInt16(Self.httpsPort))
        defer { close(fd) }
        let began = ContinuousClock.now
        _ = try harness.client.callBlocking(ProcmonMethod.Stop.self, .init("webd"))
        harness.waitUntil("webd stopped") { harness.status("webd")?.state == "stopped" }
        #expect(ContinuousClock.now - began < .seconds(4))
        #expect(harness.status("webd")?.lastExit == "exit status 0", "webd's log:\n\(harness.serviceLog("webd"))")
        #expect(!harness.serviceLog("webd").contains("Fatal error"))
    }

    /// HTTPS answers with HSTS, the strict CSP, X-Frame-Options DENY,
    /// nosniff and no-referrer; the sign-in page shows the banner before the
    /// form and loads only webd's own script.
    @Test func httpsPagesCarryTheSecurityHeadersAndTheBanner() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let client = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(10))
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: [#"banner login "Authorised use only.""#]))
        let result = try Self.curl(["-k", "-D", "-", Self.url("/login")])
        #expect(result.code == 0, "\(result.error)")
        let text = result.output.lowercased()
        #expect(text.hasPrefix("http/1.1 200"))
        #expect(text.contains("strict-transport-security: max-age=31536000"))
        #expect(text.contains("content-security-policy: default-src 'self'; script-src 'self';"))
        #expect(text.contains("x-frame-options: deny"))
        #expect(text.contains("x-content-type-options: nosniff"))
        #expect(text.contains("referrer-policy: no-referrer"))
        let banner = try #require(result.output.range(of: "Authorised use only."))
        let form = try #require(result.output.range(of: "<form method=\"post\" action=\"/login\">"))
        #expect(banner.lowerBound < form.lowerBound)
        #expect(result.output.contains("<script src=\"/static/app.js\" defer></script>"))
        #expect(!result.output.contains("<script>"))
        let missing = try Self.curl(["-k", "-D", "-", Self.url("/no/such/page")])
        #expect(missing.output.hasPrefix("HTTP/1.1 404"))
        #expect(missing.output.lowercased().contains("x-frame-options: deny"))
        #expect(missing.output.contains(#"{"error":"#))
    }

    /// TLS 1.0 and 1.1 are refused even by a client that offers them; 1.2
    /// and 1.3 are accepted; in 1.2 a CBC suite is refused, AES-GCM accepted.
    @Test func onlyTLS12And13WithAEADSuitesAreAccepted() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        // SECLEVEL=0 lets this client offer TLS 1.1 at all (Debian's
        // OpenSSL 3 refuses it by default), so the refusal is the server's.
        let old = try Self.curl(["-k", "-o", "/dev/null", "--tlsv1.0", "--tls-max", "1.1", "--ciphers", "DEFAULT@SECLEVEL=0", Self.url("/login")])
        #expect(old.code == 35, "TLS 1.1 was not refused: \(old.code) \(old.error)")
        let tls12 = try Self.curl(["-k", "-o", "/dev/null", "-w", "%{http_code}", "--tlsv1.2", "--tls-max", "1.2", Self.url("/login")])
        #expect(tls12.output == "200", "\(tls12.error)")
        let tls13 = try Self.curl(["-k", "-o", "/dev/null", "-w", "%{http_code}", "--tlsv1.3", Self.url("/login")])
        #expect(tls13.output == "200", "\(tls13.error)")
        let cbc = try Self.curl(["-k", "-o", "/dev/null", "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA",
                                 Self.url("/login")])
        #expect(cbc.code == 35, "a CBC suite was accepted: \(cbc.error)")
        let gcm = try Self.curl(["-k", "-o", "/dev/null", "-w", "%{http_code}", "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256",
                                 Self.url("/login")])
        #expect(gcm.output == "200", "\(gcm.error)")
        // TLS 1.2 is one suite, so the client has no choice for the server to overrule.
        let other = try Self.curl(["-k", "-o", "/dev/null", "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305",
                                   Self.url("/login")])
        #expect(other.code == 35, "a second TLS 1.2 suite was accepted: \(other.error)")
        // The certificate webd generated on its first start: P-256, key 0600.
        let certificate = try run("/usr/bin/openssl", ["x509", "-noout", "-text", "-in", harness.paths.stateDirectory("webd") + "/certificate.pem"])
        #expect(certificate.output.contains("NIST CURVE: P-256") || certificate.output.contains("prime256v1"))
        #expect(certificate.output.contains("DNS:appliance, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"))
        var info = stat()
        #expect(stat(harness.paths.stateDirectory("webd") + "/key.pem", &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    /// Signing in through the API sets the session cookie Secure, HttpOnly,
    /// SameSite=Strict; with it GET /api/v1/streams answers sessmgrd's
    /// streams; configd audits the login with the web channel and the
    /// client's address; after DELETE /api/v1/session the cookie is dead.
    /// Many API clients at once: each request asks configd and sessmgrd,
    /// whose control sockets take at most 16 connections from webd's user;
    /// webd queues its calls below that instead of answering 503 "too many
    /// connections". 48 parallel connections, 192 requests, all 200.
    @Test func manyParallelAPIRequestsAreAllAnsweredNoneRefusedForConnections() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let session = try Self.signIn(harness)
        let urls = (0..<192).flatMap { _ in ["-o", "/dev/null", Self.url("/api/v1/streams")] }
        let result = try Self.curl(["-k", "-b", session.jar, "--parallel", "--parallel-immediate", "--parallel-max", "48",
                                    "-w", "%{http_code}\n"] + urls)
        let statuses = result.output.split(separator: "\n").map(String.init)
        #expect(statuses.count == 192, "\(result.error)")
        let refused = statuses.filter { $0 != "200" }
        #expect(refused.isEmpty, "\(refused.count) of 192 not 200: \(Set(refused)); webd's log:\n\(harness.serviceLog("webd").suffix(2000))")
    }

    @Test func signInSetsAStrictCookieThatReadsStreamsUntilSignOut() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let session = try Self.signIn(harness)
        let cookie = try #require(session.headers.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") })
        #expect(cookie.contains("__Host-webd-session="))
        #expect(cookie.contains("; Secure") && cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Strict") && cookie.contains("; Path=/"))
        let streams = try Self.curl(["-k", "-b", session.jar, "-w", "\n%{http_code}", Self.url("/api/v1/streams")])
        #expect(streams.output.hasSuffix("\n200"), "\(streams.output)")
        #expect(streams.output.contains(#""streams":"#))
        let processes = try Self.curl(["-k", "-b", session.jar, Self.url("/api/v1/processes")])
        #expect(processes.output.contains(#""name":"sessmgrd""#))
        let system = try Self.curl(["-k", "-b", session.jar, Self.url("/api/v1/system")])
        #expect(system.output.contains(#""hostname":"appliance""#), "\(system.output)")
        #expect(system.output.contains(#""memoryTotalBytes":"#) && system.output.contains(#""uptimeSeconds":"#))
        let running = try Self.curl(["-k", "-b", session.jar, "-D", "-", Self.url("/api/v1/config/running")])
        #expect(running.output.lowercased().contains("content-type: text/plain"))
        #expect(running.output.contains("account admin role admin"), "\(running.output)")
        #expect(!running.output.contains("password-hash"), "a hash left configd")
        let dashboard = try Self.curl(["-k", "-b", session.jar, Self.url("/")])
        #expect(dashboard.output.contains("<meta name=\"csrf-token\" content=\"\(session.csrf)\">"))
        harness.waitUntil("configd's login-success audit event from the web") {
            harness.audit.events(kind: "login-success").contains { $0.contains("channel=\"web\"") && $0.contains("peer=\"127.0.0.1:") }
        }
        let bad = try Self.curl(["-k", "-w", "\n%{http_code}", "-H", "Content-Type: application/json",
                                 "--data", #"{"account":"admin","password":"wrong"}"#, Self.url("/api/v1/session")])
        #expect(bad.output.hasSuffix("\n401"))
        #expect(bad.output.contains(#"{"error":"#))
        let out = try Self.curl(["-k", "-b", session.jar, "-X", "DELETE", "-H", "X-CSRF-Token: \(session.csrf)", "-w", "\n%{http_code}", Self.url("/api/v1/session")])
        #expect(out.output.hasSuffix("\n200"), "\(out.output)")
        let after = try Self.curl(["-k", "-b", session.jar, "-o", "/dev/null", "-w", "%{http_code}", Self.url("/api/v1/streams")])
        #expect(after.output == "401")
        harness.waitUntil("webd's web-logout audit event with the client's address") {
            harness.audit.events(kind: "web-logout").contains { $0.contains("peer=\"127.0.0.1:") }
        }
    }

    /// A state-changing request without the CSRF header is 403 and audited,
    /// even with a valid session; with it, sessmgrd and configd answer.
    @Test func stateChangingRequestsWithoutTheCSRFHeaderAreRefused() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let session = try Self.signIn(harness)
        let forged = try Self.curl(["-k", "-b", session.jar, "-X", "POST", "-w", "\n%{http_code}", Self.url("/api/v1/config/save")])
        #expect(forged.output.hasSuffix("\n403"), "\(forged.output)")
        #expect(forged.output.contains("X-CSRF-Token"))
        let start = try Self.curl(["-k", "-b", session.jar, "-X", "POST", "-w", "\n%{http_code}", Self.url("/api/v1/streams/nosuch/start")])
        #expect(start.output.hasSuffix("\n403"))
        harness.waitUntil("web-request-refused audit event") {
            harness.audit.events(kind: "web-request-refused").contains { $0.contains("peer=\"127.0.0.1:") }
        }
        // Counted, and visible on webd's control socket.
        let status = try ControlClient(paths: harness.paths, daemon: "webd", timeout: .seconds(5)).callBlocking(WebdStatusMethod.self, NoValue())
        #expect(status.counters["csrfRefusals"] == 2)
        #expect(status.counters["signInsSucceeded"] == 1)
        #expect(status.httpsPort == Self.httpsPort)
        let saved = try Self.curl(["-k", "-b", session.jar, "-X", "POST", "-H", "X-CSRF-Token: \(session.csrf)", "-w", "\n%{http_code}",
                                   Self.url("/api/v1/config/save")])
        #expect(saved.output.hasSuffix("\n200"), "\(saved.output)")
        #expect(saved.output.contains(#""revision":"#))
        let unknown = try Self.curl(["-k", "-b", session.jar, "-X", "POST", "-H", "X-CSRF-Token: \(session.csrf)", "-w", "\n%{http_code}",
                                     Self.url("/api/v1/streams/nosuch/start")])
        // sessmgrd itself answers for the unknown stream (not webd's 403).
        #expect(!unknown.output.hasSuffix("\n403") && !unknown.output.hasSuffix("\n200"), "\(unknown.output)")
        #expect(unknown.output.contains("nosuch"), "\(unknown.output)")
    }

    /// With sessmgrd stopped, the streams API answers 503 naming it, within
    /// webd's deadline, and the rest of the interface keeps working.
    @Test func aStoppedDaemonIsA503NamingIt() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let session = try Self.signIn(harness)
        _ = try harness.client.callBlocking(ProcmonMethod.Stop.self, .init("sessmgrd"))
        harness.waitUntil("sessmgrd stopped") { harness.status("sessmgrd")?.state == "stopped" }
        let began = ContinuousClock.now
        let streams = try Self.curl(["-k", "-b", session.jar, "-w", "\n%{http_code}", Self.url("/api/v1/streams")])
        #expect(ContinuousClock.now - began < .seconds(5))
        #expect(streams.output.hasSuffix("\n503"), "\(streams.output)")
        #expect(streams.output.contains("sessmgrd is not answering"))
        let processes = try Self.curl(["-k", "-b", session.jar, "-o", "/dev/null", "-w", "%{http_code}", Self.url("/api/v1/processes")])
        #expect(processes.output == "200")
    }

    /// Roles are enforced by the daemons behind webd, from the session token
    /// webd passes on: a viewer's start is refused by sessmgrd and its save
    /// by configd; an operator starts and stops a stream, and webd audits
    /// both with the account and the client's address.
    @Test func rolesAreEnforcedBehindWebdAndChangesAreAuditedWithTheClient() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(30))
        _ = try await configd.call(ConfigdMethod.Apply.self, .init(commands: [
            "account watcher role viewer", "account runner role operator",
            "stream cam1 source udp://127.0.0.1:\(Self.portBase + 5100) destination udp://127.0.0.1:\(Self.portBase + 5102)",
        ]))
        for account in ["watcher", "runner"] {
            _ = try await configd.call(ConfigdMethod.SetPassword.self, .init(account: account, newPassword: "Role-Test-Password-77"))
        }
        let viewer = try Self.signIn(harness, account: "watcher", password: "Role-Test-Password-77")
        let refused = try Self.curl(["-k", "-b", viewer.jar, "-X", "POST", "-H", "X-CSRF-Token: \(viewer.csrf)", "-w", "\n%{http_code}",
                                     Self.url("/api/v1/streams/cam1/start")])
        #expect(refused.output.hasSuffix("\n403"), "\(refused.output)")
        #expect(refused.output.contains("operator"), "\(refused.output)")
        let save = try Self.curl(["-k", "-b", viewer.jar, "-X", "POST", "-H", "X-CSRF-Token: \(viewer.csrf)", "-w", "\n%{http_code}",
                                  Self.url("/api/v1/config/save")])
        #expect(save.output.hasSuffix("\n403"), "\(save.output)")
        let reads = try Self.curl(["-k", "-b", viewer.jar, "-o", "/dev/null", "-w", "%{http_code}", Self.url("/api/v1/streams")])
        #expect(reads.output == "200")

        let operatorSession = try Self.signIn(harness, account: "runner", password: "Role-Test-Password-77")
        for action in ["start", "stop"] {
            let result = try Self.curl(["-k", "-b", operatorSession.jar, "-X", "POST", "-H", "X-CSRF-Token: \(operatorSession.csrf)", "-w", "\n%{http_code}",
                                        Self.url("/api/v1/streams/cam1/\(action)")])
            #expect(result.output.hasSuffix("\n200"), "\(action): \(result.output)")
            #expect(result.output.contains(#""name":"cam1""#))
            harness.waitUntil("web-stream-\(action) audit event") {
                harness.audit.events(kind: "web-stream-\(action)").contains { $0.contains("account=\"runner\"") && $0.contains("peer=\"127.0.0.1:") }
            }
        }
        harness.waitUntil("the refused start audited by webd") {
            harness.audit.events(kind: "web-stream-start-failed").contains { $0.contains("account=\"watcher\"") }
        }
    }

    /// A client that connects and sends nothing, or stops halfway through
    /// the TLS handshake, is disconnected after --client-timeout.
    @Test func aSilentOrStalledClientIsDisconnected() throws {
        let harness = try Self.start(webdArguments: "--client-timeout 2")
        defer { harness.stop() }
        for partial in [[UInt8](), [0x16, 0x03, 0x01, 0x02, 0x00, 0x01]] {
            let fd = try tcpConnect(port: UInt16(Self.httpsPort))
            defer { close(fd) }
            _ = partial.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            let began = ContinuousClock.now
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            var buffer = [UInt8](repeating: 0, count: 64)
            var closed = false
            while ContinuousClock.now - began < .seconds(15), !closed {
                guard poll(&poller, 1, 1000) > 0 else { continue }
                closed = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } <= 0
            }
            let waited = ContinuousClock.now - began
            #expect(closed, "still open after \(waited)")
            #expect(waited >= .milliseconds(1500) && waited < .seconds(8), "closed after \(waited) (partial: \(partial.count) bytes)")
        }
    }

    /// A signed-in user changes their own password through the API: the
    /// wrong current password is refused by configd; after the change the
    /// old password no longer signs in and the new one does; audited.
    @Test func aUserChangesTheirPasswordThroughTheAPI() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let session = try Self.signIn(harness)
        func change(_ current: String, _ new: String) throws -> String {
            try Self.curl(["-k", "-b", session.jar, "-H", "Content-Type: application/json", "-H", "X-CSRF-Token: \(session.csrf)", "-w", "\n%{http_code}",
                           "--data", #"{"currentPassword":"\#(current)","newPassword":"\#(new)"}"#, Self.url("/api/v1/password")]).output
        }
        let wrong = try change("not-the-password", "New-Web-Password-31")
        #expect(wrong.hasSuffix("\n403"), "\(wrong)")
        #expect(wrong.contains("current password is wrong"))
        let weak = try change(Self.password, "short")
        #expect(weak.hasSuffix("\n400"), "\(weak)")
        let changed = try change(Self.password, "New-Web-Password-31")
        #expect(changed.hasSuffix("\n200"), "\(changed)")
        let old = try Self.curl(["-k", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json",
                                 "--data", #"{"account":"admin","password":"\#(Self.password)"}"#, Self.url("/api/v1/session")])
        #expect(old.output == "401")
        _ = try Self.signIn(harness, password: "New-Web-Password-31")
        harness.waitUntil("web-password-change audit event") {
            harness.audit.events(kind: "web-password-change").contains { $0.contains("account=\"admin\"") && $0.contains("peer=\"127.0.0.1:") }
        }
    }

    /// Requests HTTP parsing refuses (a header over the limit, a request
    /// line that is not HTTP) get a 400 with a JSON error and the security
    /// headers; webd keeps serving everyone else.
    @Test func malformedHTTPGetsAJSON400AndWebdKeepsServing() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let big = try Self.curl(["-k", "-D", "-", "-H", "X-Big: " + String(repeating: "a", count: 9000), Self.url("/login")])
        #expect(big.output.hasPrefix("HTTP/1.1 400"), "\(big.output)")
        #expect(big.output.contains(#"{"error":"#))
        #expect(big.output.lowercased().contains("x-content-type-options: nosniff"))
        let garbage = try run("/bin/sh", ["-c", "printf 'NOT A REQUEST\\r\\n\\r\\n' | timeout 10 openssl s_client -connect 127.0.0.1:\(Self.httpsPort) -quiet 2>/dev/null"])
        #expect(garbage.output.hasPrefix("HTTP/1.1 400"), "\(garbage.output)")
        #expect(garbage.output.contains(#"{"error":"#))
        let fine = try Self.curl(["-k", "-o", "/dev/null", "-w", "%{http_code}", Self.url("/login")])
        #expect(fine.output == "200")
        #expect(harness.status("webd")?.startCount == 1)
    }
}
