import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Testing

/// webd's credentials against the real daemons, with curl and openssl as
/// the clients: an admin installs a certificate and new connections present
/// it without a restart; API tokens work as bearer credentials until revoked.
@Suite(.serialized) struct WebdCredentialsSystemTests {
    typealias Web = WebdSystemTests

    /// The SHA-256 fingerprint of the certificate a new TLS connection presents.
    static func presentedFingerprint() throws -> String {
        let shown = try run("/bin/sh", ["-c", "openssl s_client -connect 127.0.0.1:\(Web.httpsPort) -servername appliance </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"])
        return shown.output.components(separatedBy: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// A P-256 certificate and key made by openssl in `folder`.
    static func makePair(_ folder: String, _ name: String, keyType: String = "ec -pkeyopt ec_paramgen_curve:P-256") throws -> (certificate: String, key: String) {
        let made = try run("/bin/sh", ["-c", "openssl req -x509 -newkey \(keyType) -nodes -keyout \(folder)/\(name).key -out \(folder)/\(name).crt -days 30 -subj /CN=\(name) -addext subjectAltName=DNS:\(name),IP:127.0.0.1 2>&1"])
        #expect(made.code == 0, "\(made.output)")
        return (try String(contentsOfFile: "\(folder)/\(name).crt", encoding: .utf8), try String(contentsOfFile: "\(folder)/\(name).key", encoding: .utf8))
    }

    static func upload(_ session: (jar: String, csrf: String, headers: String), certificate: String, key: String) throws -> (status: String, body: String) {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["certificate": certificate, "key": key]), as: UTF8.self)
        let result = try Web.curl(["-k", "-b", session.jar, "-X", "PUT", "-H", "Content-Type: application/json", "-H", "X-CSRF-Token: \(session.csrf)",
                                   "--data-binary", body, "-w", "\n%{http_code}", Web.url("/api/v1/certificate")])
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
    }

    /// An admin's upload replaces the self-signed certificate for new
    /// connections at once (no restart: same pid); a key of another
    /// certificate and an RSA key are refused with 422 and change nothing;
    /// an operator may not upload; the install is audited.
    @Test func anAdminsCertificateIsServedWithoutARestart() throws {
        let harness = try Web.start()
        defer { harness.stop() }
        let before = try Self.presentedFingerprint()
        #expect(!before.isEmpty)
        let pid = try #require(harness.running("webd")?.pid)
        let admin = try Web.signIn(harness)
        let good = try Self.makePair(harness.root, "camera-encoder")
        let other = try Self.makePair(harness.root, "someone-else")
        let rsa = try Self.makePair(harness.root, "rsa-one", keyType: "rsa:2048")

        let mismatched = try Self.upload(admin, certificate: good.certificate, key: other.key)
        #expect(mismatched.status == "422" && mismatched.body.contains("does not belong"), "\(mismatched)")
        let rsaRefused = try Self.upload(admin, certificate: rsa.certificate, key: rsa.key)
        #expect(rsaRefused.status == "422" && rsaRefused.body.contains("ECDSA"), "\(rsaRefused)")
        #expect(try Self.presentedFingerprint() == before, "a refused upload changes nothing")

        let installed = try Self.upload(admin, certificate: good.certificate, key: good.key)
        #expect(installed.status == "200", "\(installed)")
        let expected = try run("/usr/bin/openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", harness.root + "/camera-encoder.crt"])
            .output.components(separatedBy: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Self.presentedFingerprint() == expected)
        #expect(installed.body.contains(expected ?? "-"), "the answer names the fingerprint: \(installed.body)")
        #expect(harness.running("webd")?.pid == pid, "no restart")
        var info = stat()
        #expect(stat(harness.paths.stateDirectory("webd") + "/key.pem", &info) == 0 && info.st_mode & 0o777 == 0o600)
        harness.waitUntil("install audited") { harness.audit.events(kind: "web-certificate-installed").contains { $0.contains("camera-encoder") } }

        // The system page shows it, and its form installs another pair.
        let page = try Web.curl(["-k", "-b", admin.jar, Web.url("/system")])
        #expect(page.output.contains("id=\"certificate-fingerprint\">\(expected ?? "-")<"), "the system page names the certificate in service")
        let form = try Web.curl(["-k", "-b", admin.jar, "-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode", "csrf=\(admin.csrf)",
                                 "--data-urlencode", "certificate@\(harness.root)/someone-else.crt", "--data-urlencode", "key@\(harness.root)/someone-else.key",
                                 Web.url("/system/certificate")])
        #expect(form.output == "200", "\(form)")
        let otherFingerprint = try run("/usr/bin/openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", harness.root + "/someone-else.crt"])
            .output.components(separatedBy: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Self.presentedFingerprint() == otherFingerprint, "the form's pair is served")
        #expect(try Self.upload(admin, certificate: good.certificate, key: good.key).status == "200")

        // A restarted webd serves the installed pair.
        kill(pid, SIGKILL)
        harness.waitUntil("webd back") { (harness.running("webd")?.pid).map { $0 != pid } ?? false }
        harness.waitUntil("the installed certificate after a restart") { (try? Self.presentedFingerprint()) == expected }

        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(10))
        _ = try configd.callBlocking(ConfigdMethod.Apply.self, .init(commands: ["account otto role operator"]))
        _ = try configd.callBlocking(ConfigdMethod.SetPassword.self, .init(account: "otto", newPassword: "Green-Harbour-17"))
        let operatorSession = try Web.signIn(harness, account: "otto", password: "Green-Harbour-17")
        #expect(try Self.upload(operatorSession, certificate: good.certificate, key: good.key).status == "403")
    }

    /// An admin creates an API token through the API; with it as a bearer
    /// credential (no cookie, no CSRF header) a script reads streams and
    /// its operator account may start one, but not install a certificate;
    /// once revoked, it is refused.
    @Test func apiTokensAreBearerCredentialsUntilRevoked() throws {
        let harness = try Web.start()
        defer { harness.stop() }
        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(10))
        _ = try configd.callBlocking(ConfigdMethod.Apply.self, .init(commands: ["account otto role operator"]))
        let admin = try Web.signIn(harness)
        let created = try Web.curl(["-k", "-b", admin.jar, "-H", "Content-Type: application/json", "-H", "X-CSRF-Token: \(admin.csrf)",
                                    "--data", #"{"account":"otto","label":"nms-poller"}"#, "-w", "\n%{http_code}", Web.url("/api/v1/tokens")])
        #expect(created.output.hasSuffix("\n201"), "\(created.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(created.output.split(separator: "\n").first!.utf8)) as? [String: Any])
        let secret = try #require(json["secret"] as? String)
        let id = try #require((json["token"] as? [String: Any])?["id"] as? String)

        func bearer(_ extra: [String], _ path: String) throws -> String {
            try Web.curl(["-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer \(secret)"] + extra + [Web.url(path)]).output
        }
        #expect(try bearer([], "/api/v1/streams") == "200")
        #expect(try bearer(["-X", "PUT", "-H", "Content-Type: application/json", "--data", #"{"certificate":"x","key":"y"}"#], "/api/v1/certificate") == "403")
        #expect(try Web.curl(["-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Authorization: Bearer not-a-token", Web.url("/api/v1/streams")]).output == "401")

        // The accounts page lists it (never its secret) and makes one with its form, showing that secret once.
        let accounts = try Web.curl(["-k", "-b", admin.jar, Web.url("/accounts")]).output
        #expect(accounts.contains("data-id=\"\(id)\"") && !accounts.contains(secret), "the token is listed without its secret")
        let made = try Web.curl(["-k", "-b", admin.jar, "--data-urlencode", "csrf=\(admin.csrf)", "--data-urlencode", "account=otto",
                                 "--data-urlencode", "label=from-the-page", Web.url("/accounts/tokens")]).output
        #expect(made.contains("id=\"token-secret\"") && made.contains("apt_") && made.contains("from-the-page"), "\(made.suffix(600))")

        let revoked = try Web.curl(["-k", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-b", admin.jar, "-X", "DELETE", "-H", "X-CSRF-Token: \(admin.csrf)",
                                    Web.url("/api/v1/tokens/\(id)")])
        #expect(revoked.output == "200")
        let after = try bearer([], "/api/v1/streams")
        #expect(after == "401" || after == "403", "a revoked token is refused: \(after)")
        harness.waitUntil("creation and revocation audited") {
            !harness.audit.events(kind: "api-token-created").isEmpty && !harness.audit.events(kind: "api-token-revoked").isEmpty
        }
    }
}
