import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Testing

/// `certificate install` and `show certificate` in the CLI against the real
/// configd and webd under procmon: the pair goes through webd's control
/// socket, which checks it as the web upload does; openssl's s_client sees
/// the new certificate without a webd restart.
@Suite(.serialized) struct CLICertificateSystemTests {
    typealias Web = WebdSystemTests
    typealias Credentials = WebdCredentialsSystemTests

    static func cli(_ harness: ProcmonHarness, _ arguments: [String]) throws -> (code: Int32, output: String, error: String) {
        try run(ProcmonHarness.binDirectory + "/cli", ["--root", harness.root] + arguments)
    }

    /// The CLI with a file on its standard input (a paste from a pipe, as `ssh host 'certificate install' < pair.pem`).
    static func cli(_ harness: ProcmonHarness, _ arguments: [String], input: String) throws -> (code: Int32, output: String, error: String) {
        let quoted = ([ProcmonHarness.binDirectory + "/cli", "--root", harness.root] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try run("/bin/sh", ["-c", quoted.joined(separator: " ") + " < '\(input)'"])
    }

    static func fingerprint(_ path: String) throws -> String {
        try run("/usr/bin/openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", path])
            .output.components(separatedBy: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// Installed from two files by an admin's session, then pasted by the
    /// console: each served at once (same webd pid), shown by `show
    /// certificate`, audited without the key. A key of another certificate
    /// is refused with the web upload's message and the certificate in
    /// service stays; so is a chain out of order; an operator is refused by
    /// webd itself.
    @Test func anAdminInstallsACertificateFromTheCLIAndWebdServesItWithoutARestart() throws {
        let harness = try Web.start()
        defer { harness.stop() }
        let pid = try #require(harness.running("webd")?.pid)
        let before = try Credentials.presentedFingerprint()
        #expect(!before.isEmpty)
        let good = try Credentials.makePair(harness.root, "cli-encoder")
        _ = try Credentials.makePair(harness.root, "someone-else")
        let goodFingerprint = try Self.fingerprint(harness.root + "/cli-encoder.crt")

        // A mismatched key: refused with the web upload's message; nothing changes.
        let mismatched = try Self.cli(harness, ["--account", "admin", "-c", "certificate install \(harness.root)/cli-encoder.crt \(harness.root)/someone-else.key"])
        #expect(mismatched.code == 1)
        #expect(mismatched.error.contains("the key does not belong to the certificate (their public keys differ)"), "\(mismatched.error)")
        #expect(try Credentials.presentedFingerprint() == before, "the old certificate stays")

        let shown = try Self.cli(harness, ["-c", "show certificate"])
        #expect(shown.code == 0 && shown.output.contains(before), "\(shown)")

        let installed = try Self.cli(harness, ["--account", "admin", "-c", "certificate install \(harness.root)/cli-encoder.crt \(harness.root)/cli-encoder.key"])
        #expect(installed.code == 0, "\(installed.error)")
        #expect(installed.output.contains(goodFingerprint) && installed.output.contains("CN=cli-encoder"), "\(installed.output)")
        #expect(try Credentials.presentedFingerprint() == goodFingerprint, "new connections present it")
        #expect(harness.running("webd")?.pid == pid, "no restart")
        let afterShow = try Self.cli(harness, ["--account", "admin", "-c", "show certificate | json"])
        let summary = try JSONSerialization.jsonObject(with: Data(afterShow.output.utf8)) as? [String: Any]
        #expect(summary?["sha256Fingerprint"] as? String == goodFingerprint, "\(afterShow)")
        #expect((summary?["subjectAlternativeNames"] as? [String])?.contains("DNS:cli-encoder") == true)
        harness.waitUntil("the install audited with the account") {
            harness.audit.events(kind: "web-certificate-installed").contains { $0.contains("cli-encoder") && $0.contains("account=\"admin\"") }
        }
        harness.waitUntil("the refusal audited") { harness.audit.events(kind: "web-certificate-refused").contains { $0.contains("does not belong") } }
        let keyBody = good.key.split(separator: "\n").dropFirst().first.map(String.init) ?? "-"
        #expect(!harness.audit.events().contains { $0.contains(keyBody) }, "no audit event holds the key")
        #expect(!(try String(contentsOfFile: harness.paths.logFile("webd"), encoding: .utf8)).contains(keyBody), "webd's log holds no key")

        // Pasted on standard input, openssl's own output around the blocks:
        // the console (root) installs the other pair; the line after the key is not read as a command.
        let pasteFile = harness.root + "/paste.txt"
        let otherCertificate = try String(contentsOfFile: harness.root + "/someone-else.crt", encoding: .utf8)
        let otherKey = try String(contentsOfFile: harness.root + "/someone-else.key", encoding: .utf8)
        try ("subject=CN = someone-else\n" + otherCertificate + "\n" + otherKey + "show processes\n").write(toFile: pasteFile, atomically: true, encoding: .utf8)
        let pasted = try Self.cli(harness, ["-c", "certificate install"], input: pasteFile)
        #expect(pasted.code == 0, "\(pasted.error)")
        let otherFingerprint = try Self.fingerprint(harness.root + "/someone-else.crt")
        #expect(try Credentials.presentedFingerprint() == otherFingerprint)

        // A chain out of order (the issuer first) is refused, as on the web.
        let ca = try run("/bin/sh", ["-c", """
            cd \(harness.root) && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days 30 -subj /CN=test-ca 2>&1 && \
            openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr -subj /CN=leaf 2>&1 && \
            openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 20 -out leaf.crt 2>&1 && \
            cat ca.crt leaf.crt > issuer-first.crt && cat leaf.crt someone-else.crt > wrong-issuer.crt && cat leaf.crt ca.crt > chain.crt
            """])
        #expect(ca.code == 0, "\(ca.output)")
        let issuerFirst = try Self.cli(harness, ["-c", "certificate install \(harness.root)/issuer-first.crt \(harness.root)/leaf.key"])
        #expect(issuerFirst.code == 1 && issuerFirst.error.contains("the key does not belong"), "the leaf must come first: \(issuerFirst.error)")
        let wrongIssuer = try Self.cli(harness, ["-c", "certificate install \(harness.root)/wrong-issuer.crt \(harness.root)/leaf.key"])
        #expect(wrongIssuer.code == 1 && wrongIssuer.error.contains("the chain is out of order: certificate 2 (CN=someone-else) did not issue certificate 1 (CN=leaf)"),
                "\(wrongIssuer.error)")
        #expect(try Credentials.presentedFingerprint() == otherFingerprint)
        let chained = try Self.cli(harness, ["-c", "certificate install \(harness.root)/chain.crt \(harness.root)/leaf.key"])
        #expect(chained.code == 0, "a chain in order is installed: \(chained.error)")
        #expect(try Credentials.presentedFingerprint() == (try Self.fingerprint(harness.root + "/leaf.crt")))

        // An operator: the CLI says so, and webd refuses the operator's session itself.
        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(10))
        _ = try configd.callBlocking(ConfigdMethod.Apply.self, .init(commands: ["account otto role operator"]))
        let refused = try Self.cli(harness, ["--account", "otto", "-c", "certificate install \(harness.root)/cli-encoder.crt \(harness.root)/cli-encoder.key"])
        #expect(refused.code == 1 && refused.error.contains("not permitted"), "\(refused.error)")
        let session = try #require(try configd.callBlocking(ConfigdMethod.OpenSession.self, .init(account: "otto", origin: RequestOrigin(channel: "cli", peer: "test"))).session)
        let webd = ControlClient(paths: harness.paths, daemon: "webd", timeout: .seconds(10))
        #expect {
            _ = try webd.callBlocking(WebdMethod.CertificateInstall.self, .init(session: session, certificate: good.certificate, key: good.key))
        } throws: { ($0 as? ControlError)?.code == .permissionDenied }
        #expect(try webd.callBlocking(WebdMethod.CurrentCertificate.self, .init(session: session)).subject.contains("leaf"), "an operator reads it")
        #expect(try Credentials.presentedFingerprint() == (try Self.fingerprint(harness.root + "/leaf.crt")))
    }

    /// On the interactive terminal (tmux): the command and the pair pasted
    /// at once, as a terminal sends a paste; the certificate's lines are
    /// shown, the key's are not; webd serves the pair; the CLI goes on.
    @Test func aPairPastedOnTheInteractiveTerminalIsInstalledWithTheKeyNotShown() throws {
        let harness = try Web.start()
        defer { harness.stop() }
        let pair = try Credentials.makePair(harness.root, "pasted-encoder")
        let session = "cli-certificate-\(UInt32.random(in: 0...UInt32.max))"
        _ = try run("/usr/bin/tmux", ["new-session", "-d", "-s", session, "-x", "160", "-y", "60",
                                      "\(ProcmonHarness.binDirectory)/cli --root \(harness.root) --account admin"])
        defer { _ = try? run("/usr/bin/tmux", ["kill-session", "-t", session]) }
        func screen() -> String { (try? run("/usr/bin/tmux", ["capture-pane", "-p", "-S", "-300", "-t", session]).output) ?? "" }
        harness.waitUntil("the prompt", timeout: .seconds(20)) { screen().contains("Signed in as admin") }

        let pasteFile = harness.root + "/interactive-paste.txt"
        try ("certificate install\n" + pair.certificate + pair.key).write(toFile: pasteFile, atomically: true, encoding: .utf8)
        _ = try run("/usr/bin/tmux", ["load-buffer", "-b", session, pasteFile])
        _ = try run("/usr/bin/tmux", ["paste-buffer", "-b", session, "-t", session])
        harness.waitUntil("installed", timeout: .seconds(20)) { screen().contains("Installed: new connections") || screen().contains("% ") }
        let shown = screen()
        #expect(shown.contains("Installed: new connections"), "\(shown)")
        let keyLines = pair.key.split(separator: "\n").filter { !$0.hasPrefix("-----") }
        #expect(!keyLines.isEmpty && keyLines.allSatisfy { !shown.contains($0) }, "no line of the key is on the screen:\n\(shown)")
        #expect(shown.contains("(the key's \(keyLines.count + 1) lines are not shown)"), "\(shown)")
        let certificateLine = try #require(pair.certificate.split(separator: "\n").dropFirst().first)
        #expect(shown.contains(certificateLine), "the certificate's lines are shown")
        let expected = try Self.fingerprint(harness.root + "/pasted-encoder.crt")
        #expect(try Credentials.presentedFingerprint() == expected)

        _ = try run("/usr/bin/tmux", ["send-keys", "-t", session, "show certificate", "Enter"])
        harness.waitUntil("the CLI goes on after the paste") { screen().components(separatedBy: expected).count >= 3 }
    }
}
