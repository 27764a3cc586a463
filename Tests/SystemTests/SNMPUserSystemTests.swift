import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Audit
import Configuration
import Foundation
import Glibc
import SNMPAgent
import Testing

/// An SNMPv3 user made from two pass phrases (as net-snmp's
/// `net-snmp-create-v3-user` makes one) by the CLI's `snmp user NAME role R
/// auth A priv P` and by webd's `POST /api/v1/snmp/users`, then used by
/// net-snmp's own snmpget with the same pass phrases: the keys the appliance
/// derived in Swift are the ones net-snmp derives. A wrong pass phrase fails.
@Suite(.serialized) struct SNMPUserSystemTests {
    static let portBase = 27300
    static var httpsPort: Int { portBase + 443 }
    static var cli: String { ProcmonHarness.binDirectory + "/cli" }
    static let webd = """

    [service webd]
    exec = {bin}/webd --foreground --root {root}
    user = appliance-web
    listen = https tcp 443
    listen = http tcp 80
    listen = control unix webd.sock
    after = configd
    ready = notify
    """

    /// snmpget of sysName.0 as `user` with these pass phrases (net-snmp derives its own keys from them).
    static func sysName(_ setup: SnmpdSystemTests.Setup, user: String, auth: String, authPassphrase: String, priv: String,
                        privPassphrase: String) throws -> (code: Int32, output: String, error: String) {
        try run("/usr/bin/snmpget", ["-m", "", "-On", "-v3", "-l", "authPriv", "-u", user, "-a", auth, "-A", authPassphrase, "-x", priv,
                                     "-X", privPassphrase, "-t", "1", "-r", "0", "udp:127.0.0.1:\(setup.port)", ".1.3.6.1.2.1.1.5.0"])
    }

    static func answersSysName(_ result: (code: Int32, output: String, error: String)) -> Bool {
        result.code == 0 && result.output.contains(".1.3.6.1.2.1.1.5.0 = STRING:")
    }

    /// Every audit record's text, to look for a pass phrase in.
    static func auditText(_ harness: ProcmonHarness) throws -> String {
        try ControlClient(paths: harness.paths, daemon: "auditd", timeout: .seconds(10))
            .callBlocking(AuditdMethod.Query.self, .init(limit: 1000)).entries.map(\.text).joined(separator: "\n")
    }

    /// From a pipe (one pass phrase a line) and on a terminal (echo off, each
    /// typed twice), as an admin's session: net-snmp's snmpget then reads
    /// sysName with the same pass phrases, not with a wrong one; the pass
    /// phrases are in no audit record, and the command line is audited as typed.
    @Test func theCLIMakesAUserFromPassphrasesThatNetSNMPsSnmpgetUses() throws {
        let setup = try SnmpdSystemTests.Setup(portBase: Self.portBase)
        defer { setup.stop() }
        let harness = setup.harness
        let authPassphrase = "Cli-Auth-Phrase-31", privPassphrase = "Cli-Priv-Phrase-47"
        // From a pipe: one line each (a file, so no pass phrase is in any argv).
        let input = harness.root + "/passphrases"
        try "\(authPassphrase)\n\(privPassphrase)\n".write(toFile: input, atomically: true, encoding: .utf8)
        let piped = try run("/bin/sh", ["-c", "exec \"$0\" --root \"$1\" --account admin -c 'snmp user clinms role viewer auth sha-256 priv aes-128' < \"$2\"",
                                        Self.cli, harness.root, input])
        #expect(piped.code == 0, "\(piped.output) \(piped.error)")
        #expect(piped.output.contains("SNMP user clinms (viewer, sha-256/aes-128): keys localized to engine ID 0x"), "\(piped.output)")
        #expect(!piped.output.contains(authPassphrase) && !piped.error.contains(authPassphrase))
        harness.waitUntil("snmpd has clinms") { try setup.status().users.contains { $0.name == "clinms" } }
        #expect(Self.answersSysName(try Self.sysName(setup, user: "clinms", auth: "SHA-256", authPassphrase: authPassphrase, priv: "AES",
                                                     privPassphrase: privPassphrase)))
        let wrongAuth = try Self.sysName(setup, user: "clinms", auth: "SHA-256", authPassphrase: "Not-The-Phrase-1", priv: "AES", privPassphrase: privPassphrase)
        #expect(!Self.answersSysName(wrongAuth), "a wrong authentication pass phrase was accepted: \(wrongAuth.output)")
        let wrongPriv = try Self.sysName(setup, user: "clinms", auth: "SHA-256", authPassphrase: authPassphrase, priv: "AES", privPassphrase: "Not-The-Phrase-2")
        #expect(!Self.answersSysName(wrongPriv), "a wrong privacy pass phrase was accepted: \(wrongPriv.output)")

        // A pass phrase under 8 octets is refused, and nothing changes.
        try "short\n\(privPassphrase)\n".write(toFile: input, atomically: true, encoding: .utf8)
        let short = try run("/bin/sh", ["-c", "exec \"$0\" --root \"$1\" -c 'snmp user tiny role viewer auth sha-1 priv aes-128' < \"$2\"",
                                        Self.cli, harness.root, input])
        #expect(short.code == 1 && short.error.contains("at least 8 octets"), "\(short.output) \(short.error)")
        #expect(try !setup.status().users.contains { $0.name == "tiny" })

        // On a terminal: no echo, each asked twice, SHA-512 with AES-256 (net-snmp's key extension).
        let terminalAuth = "Tty-Auth-Phrase-58", terminalPriv = "Tty-Priv-Phrase-69"
        let terminal = try CLIHardeningSystemTests.Terminal(
            "\(Self.cli) --root \(harness.root) --account admin -c 'snmp user ttynms role operator auth sha-512 priv aes-256'; sleep 600")
        for (prompt, typed) in [("SNMP authentication pass phrase:", terminalAuth), ("SNMP authentication pass phrase again:", terminalAuth),
                                ("SNMP privacy pass phrase:", terminalPriv), ("SNMP privacy pass phrase again:", terminalPriv)] {
            #expect(harness.waitUntil("the prompt \(prompt)") { terminal.screen.contains(prompt) }, "\(terminal.screen)")
            terminal.type(typed, "Enter")
        }
        #expect(harness.waitUntil("the user made") { terminal.screen.contains("SNMP user ttynms (operator, sha-512/aes-256)") }, "\(terminal.screen)")
        #expect(!terminal.screen.contains(terminalAuth) && !terminal.screen.contains(terminalPriv), "a pass phrase is on the screen:\n\(terminal.screen)")
        harness.waitUntil("snmpd has ttynms") { try setup.status().users.contains { $0.name == "ttynms" } }
        let tty = try Self.sysName(setup, user: "ttynms", auth: "SHA-512", authPassphrase: terminalAuth, priv: "AES256", privPassphrase: terminalPriv)
        #expect(Self.answersSysName(tty), "\(tty.output) \(tty.error)")

        // The audit trail has the commands as typed, and no pass phrase.
        #expect(harness.waitUntil("the cli-command events") {
            let text = try Self.auditText(harness)
            return text.contains("snmp user clinms role viewer auth sha-256 priv aes-128") && text.contains("snmp user ttynms role operator auth sha-512 priv aes-256")
        })
        let audit = try Self.auditText(harness)
        for secret in [authPassphrase, privPassphrase, terminalAuth, terminalPriv] { #expect(!audit.contains(secret), "\(secret) in the audit trail") }
    }

    /// webd's API with pass phrases (the /snmp form posts the same fields):
    /// webd asks snmpd for its engine ID and localizes the keys; snmpget then
    /// works with those pass phrases, and not with a wrong one.
    @Test func theWebAPIMakesAUserFromPassphrasesThatNetSNMPsSnmpgetUses() throws {
        let setup = try SnmpdSystemTests.Setup(portBase: Self.portBase + 100, extraServices: Self.webd)
        defer { setup.stop() }
        let harness = setup.harness
        let https = Self.portBase + 100 + 443
        harness.waitUntil("webd running", timeout: .seconds(60)) { harness.running("webd") != nil }
        func url(_ path: String) -> String { "https://127.0.0.1:\(https)\(path)" }
        let jar = harness.root + "/cookies"
        let signIn = try WebdSystemTests.curl(["-k", "-c", jar, "-H", "Content-Type: application/json",
                                               "--data", #"{"account":"admin","password":"Snmp-Agent-Password-7"}"#, url("/api/v1/session")])
        let session = try #require(try JSONSerialization.jsonObject(with: Data(signIn.output.utf8)) as? [String: Any], "\(signIn.output) \(signIn.error)")
        let csrf = try #require(session["csrfToken"] as? String)
        let authPassphrase = "Web-Auth-Phrase-83", privPassphrase = "Web-Priv-Phrase-92"
        func post(_ body: String, to path: String = "/api/v1/snmp/users") throws -> (code: String, body: String) {
            let file = harness.root + "/body.json"
            try body.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try WebdSystemTests.curl(["-k", "-b", jar, "-H", "X-CSRF-Token: \(csrf)", "-H", "Content-Type: application/json",
                                                   "--data-binary", "@" + file, "-w", "\n%{http_code}", url(path)])
            let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
            return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
        }
        let created = try post(#"{"name": "webnms", "role": "viewer", "authProtocol": "sha-224", "privProtocol": "aes-192", "authPassphrase": "\#(authPassphrase)", "privPassphrase": "\#(privPassphrase)"}"#)
        #expect(created.code == "201", "\(created.body)")
        #expect(!created.body.contains(authPassphrase) && !created.body.contains("auth-key 0x"), "\(created.body)")
        harness.waitUntil("snmpd has webnms") { try setup.status().users.contains { $0.name == "webnms" } }
        let answer = try Self.sysName(setup, user: "webnms", auth: "SHA-224", authPassphrase: authPassphrase, priv: "AES192", privPassphrase: privPassphrase)
        #expect(Self.answersSysName(answer), "\(answer.output) \(answer.error)")
        let wrong = try Self.sysName(setup, user: "webnms", auth: "SHA-224", authPassphrase: "Not-The-Phrase-3", priv: "AES192", privPassphrase: privPassphrase)
        #expect(!Self.answersSysName(wrong), "a wrong pass phrase was accepted: \(wrong.output)")

        // Refusals name the field and never quote the pass phrase.
        let short = try post(#"{"name": "webtiny", "role": "viewer", "authProtocol": "sha-1", "privProtocol": "aes-128", "authPassphrase": "\#(authPassphrase)", "privPassphrase": "tiny"}"#)
        #expect(short.code == "400" && short.body.contains("privPassphrase: the pass phrase must have at least 8 octets"), "\(short.body)")
        let both = try post(#"{"name": "webboth", "role": "viewer", "authProtocol": "sha-1", "privProtocol": "aes-128", "authKey": "\#(String(repeating: "ab", count: 20))", "privKey": "\#(String(repeating: "cd", count: 16))", "authPassphrase": "\#(authPassphrase)", "privPassphrase": "\#(privPassphrase)"}"#)
        #expect(both.code == "400" && !both.body.contains(authPassphrase), "\(both.body)")

        // The /snmp form: the same fields, with the page's CSRF token.
        let form = try WebdSystemTests.curl(["-k", "-b", jar, "-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode", "csrf=\(csrf)",
                                             "--data-urlencode", "name=formnms", "--data-urlencode", "role=admin",
                                             "--data-urlencode", "authProtocol=sha-1", "--data-urlencode", "privProtocol=aes-256",
                                             "--data-urlencode", "authPassphrase=\(authPassphrase)", "--data-urlencode", "privPassphrase=\(privPassphrase)",
                                             url("/snmp/users")])
        #expect(form.output == "303", "\(form.output) \(form.error)")
        harness.waitUntil("snmpd has formnms") { try setup.status().users.contains { $0.name == "formnms" } }
        let formAnswer = try Self.sysName(setup, user: "formnms", auth: "SHA", authPassphrase: authPassphrase, priv: "AES256", privPassphrase: privPassphrase)
        #expect(Self.answersSysName(formAnswer), "\(formAnswer.output) \(formAnswer.error)")

        let audit = try Self.auditText(harness)
        #expect(audit.contains("web-snmp-user-add"), "\(audit.suffix(2000))")
        #expect(!audit.contains(authPassphrase) && !audit.contains(privPassphrase), "a pass phrase in the audit trail")
    }
}
