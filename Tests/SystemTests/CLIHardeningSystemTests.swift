import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Audit
import Configuration
import Foundation
import Glibc
import Testing

/// The CLI against the real configd and auditd under procmon: what it audits,
/// what it prints from data, and how it leaves on a hang-up, on a terminal
/// in tmux (`cli --account NAME`, as sshd's forced command runs it).
@Suite(.serialized) struct CLIHardeningSystemTests {
    static let portBase = 23400
    static let adminPassword = "Cli-Hardening-Password-7"
    static var cli: String { ProcmonHarness.binDirectory + "/cli" }

    static func start() throws -> ProcmonHarness {
        let harness = try ProcmonHarness(manifest: AuditdSystemTests.manifest, portBase: portBase,
                                         environment: ["APPLIANCE_ADMIN_PASSWORD": adminPassword], auditStandIn: false)
        harness.waitUntil("configd and auditd running", timeout: .seconds(60)) {
            harness.running("configd") != nil && harness.running("auditd") != nil
        }
        return harness
    }

    static func cli(_ harness: ProcmonHarness, _ command: String) throws -> (code: Int32, output: String, error: String) {
        try run(cli, ["--root", harness.root, "-c", command])
    }

    static func sessions(_ harness: ProcmonHarness) throws -> Int {
        try ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(10)).callBlocking(ConfigdMethod.Status.self, NoValue()).sessions
    }

    /// A terminal in tmux running `command` (through sh), closed at the end.
    final class Terminal {
        let name: String
        init(_ command: String) throws {
            name = "cli-hardening-" + String(UInt32.random(in: 0...0xfffff), radix: 16)
            // tmux forks its server, which keeps the pipes of `run` open: run
            // reads only until tmux itself has ended (ChildProcess.run).
            _ = try run("/usr/bin/tmux", ["new-session", "-d", "-s", name, "-x", "160", "-y", "40", command])
        }
        deinit { _ = try? run("/usr/bin/tmux", ["kill-session", "-t", name]) }
        var screen: String { (try? run("/usr/bin/tmux", ["capture-pane", "-p", "-t", name]).output) ?? "" }
        func type(_ keys: String...) { _ = try? run("/usr/bin/tmux", ["send-keys", "-t", name] + keys) }
        /// The pane's first process (the command, when it was exec'd).
        var panePID: pid_t? { (try? run("/usr/bin/tmux", ["display-message", "-p", "-t", name, "#{pane_pid}"]).output).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) } }
    }

    /// #8: a configuration line with SNMP keys typed at the CLI is audited
    /// (`cli-command`) with the keys replaced; no event in the journal holds them.
    @Test func cliCommandAuditsWithholdTheSNMPKeys() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let authKey = String(repeating: "5a", count: 32), privKey = String(repeating: "c3", count: 16)
        let added = try Self.cli(harness, "snmp user nms role viewer auth sha-256 auth-key \(authKey) priv aes-128 priv-key \(privKey)")
        #expect(added.code == 0, "\(added.error)")
        // A refused line (a key of the wrong length) is audited too, and redacted.
        let refused = try Self.cli(harness, "snmp user nms2 role viewer auth sha-256 auth-key \(privKey) priv aes-128 priv-key \(privKey)")
        #expect(refused.code == 1)
        var commands: [ReceivedSyslogMessage] = []
        harness.waitUntil("both cli-command events journaled") {
            commands = try AuditdSystemTests.query(harness, .init(appName: "cli", text: "snmp user", limit: 100)).filter { $0.messageID == "cli-command" }
            return commands.count >= 2
        }
        #expect(commands.contains { $0.message == "snmp user nms role viewer auth sha-256 auth-key <redacted> priv aes-128 priv-key <redacted>" },
                "\(commands.map(\.message))")
        let everything = try ControlClient(paths: harness.paths, daemon: "auditd", timeout: .seconds(10))
            .callBlocking(AuditdMethod.Query.self, .init(limit: 1000)).entries.map(\.text)
        #expect(!everything.isEmpty)
        for text in everything {
            #expect(!text.contains(authKey) && !text.contains(privKey), "a key in the audit trail: \(text)")
        }
    }

    /// #6: an audit event from a local sender whose text holds a screen
    /// clear (ESC [ 2 J), BEL, a C1 CSI (U+009B), DEL and a newline: `show
    /// audit` prints them as visible escapes, on the event's own line.
    @Test func showAuditPrintsControlCharactersFromDataVisibly() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let payload = "<109>1 - - intruder 1 forged - marker-6 \u{1B}[2J\u{07}bell \u{9B}31m\u{7F}del\nfake-line root logged in\rcr\tend"
        _ = try AuditdSystemTests.send(harness, payload)
        harness.waitUntil("the event journaled") { try !AuditdSystemTests.query(harness, .init(text: "marker-6")).isEmpty }
        for command in ["show audit text=marker-6", "show audit text=marker-6 | json"] {
            let shown = try Self.cli(harness, command)
            #expect(shown.code == 0, "\(shown.error)")
            let bytes = Array(shown.output.utf8)
            let raw = bytes.enumerated().filter { offset, byte in
                (byte < 0x20 && byte != 0x0A) || byte == 0x7F || (byte == 0xC2 && offset + 1 < bytes.count && (0x80...0x9F).contains(bytes[offset + 1]))
            }
            #expect(raw.isEmpty, "\(command): raw control bytes \(raw.map { String($0.element, radix: 16) }) in \(shown.output.debugDescription)")
            #expect(shown.output.contains("\\u001b[2J") && shown.output.contains("\\u009b31m") && shown.output.contains("\\u007fdel"),
                    "\(command): \(shown.output.debugDescription)")
            if !command.contains("json") {
                #expect(shown.output.split(separator: "\n").contains { $0.contains("marker-6") && $0.contains("fake-line root logged in") && $0.contains("\\rcr\\tend") },
                        "the newline and CR are escaped on the event's line: \(shown.output.debugDescription)")
                #expect(!shown.output.split(separator: "\n").contains { $0.hasPrefix("fake-line") })
            } else {
                // Still JSON, which reads back to the original text.
                let decoded = try JSONDecoder().decode(AuditdMethod.QueryResult.self, from: Data(shown.output.utf8))
                #expect(decoded.entries.contains { $0.text.contains("\u{1B}[2J\u{07}bell \u{9B}31m\u{7F}del") }, "\(shown.output)")
            }
        }
    }

    /// #10: a hang-up (SIGHUP, as when the ssh connection drops; 0 here:
    /// the terminal itself closed, the kernel's hang-up), SIGTERM or SIGINT
    /// ends the interactive CLI's configd session; the account is not locked
    /// out by sessions left behind.
    @Test(arguments: [SIGHUP, SIGTERM, SIGINT, 0])
    func aHangUpOrTermLogsTheInteractiveSessionOut(_ signal: Int32) throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let before = try Self.sessions(harness)
        let terminal = try Terminal("exec \(Self.cli) --root \(harness.root) --account admin")
        harness.waitUntil("the prompt", timeout: .seconds(20)) { terminal.screen.contains("appliance#") }
        #expect(try Self.sessions(harness) == before + 1)
        let pid = try #require(terminal.panePID)
        if signal == 0 {
            _ = try run("/usr/bin/tmux", ["kill-session", "-t", terminal.name])
        } else {
            kill(pid, signal)
        }
        harness.waitUntil("the CLI ended") { kill(pid, 0) != 0 }
        #expect(harness.waitUntil("configd's session count back to \(before)") { try Self.sessions(harness) == before })
        #expect(harness.waitUntil("session-close audited") { try !AuditdSystemTests.query(harness, .init(appName: "configd", text: "session-close")).isEmpty })
    }

    /// #16: `cli -c passwd` on a terminal does not echo the password typed,
    /// and the terminal echoes again afterwards, also when the CLI is
    /// ended by a signal while asking (#10: its session is closed then too).
    @Test func passwdOnATerminalDoesNotEchoAndRestoresEcho() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let before = try Self.sessions(harness)
        let echo = "stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo | sed 's/^/after: /'"
        let typed = "Typed-Secret-41"
        do {
            let terminal = try Terminal("\(Self.cli) --root \(harness.root) --account admin -c passwd; \(echo); sleep 600")
            harness.waitUntil("the password prompt") { terminal.screen.contains("Current password:") }
            terminal.type(typed)
            // Typed before the probe: when the terminal echoes, it shows by now.
            terminal.type("Enter")
            harness.waitUntil("the next prompt") { terminal.screen.contains("New password:") }
            #expect(!terminal.screen.contains(typed), "the password is on the screen:\n\(terminal.screen)")
            terminal.type("One-New-Password-1", "Enter")
            harness.waitUntil("the third prompt") { terminal.screen.contains("New password again:") }
            terminal.type("Another-Password-2", "Enter")
            harness.waitUntil("the CLI ended and stty ran") { terminal.screen.contains("after: ") }
            #expect(terminal.screen.contains("the two new passwords differ"), "\(terminal.screen)")
            #expect(terminal.screen.contains("after: echo"), "echo restored:\n\(terminal.screen)")
            #expect(!terminal.screen.contains("One-New-Password-1") && !terminal.screen.contains(typed), "\(terminal.screen)")
        }
        harness.waitUntil("the one-shot session closed") { try Self.sessions(harness) == before }
        // A SIGTERM while the password is asked for: echo back, session closed.
        let terminal = try Terminal("\(Self.cli) --root \(harness.root) --account admin -c passwd; \(echo); sleep 600")
        harness.waitUntil("the password prompt") { terminal.screen.contains("Current password:") }
        #expect(try Self.sessions(harness) == before + 1)
        let pids = pids(ofProgram: "cli").filter { pid in
            ((try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? "").contains(harness.root)
        }
        #expect(pids.count == 1, "\(pids)")
        for pid in pids { kill(pid, SIGTERM) }
        harness.waitUntil("the CLI ended and stty ran") { terminal.screen.contains("after: ") }
        #expect(terminal.screen.contains("after: echo"), "echo restored after SIGTERM:\n\(terminal.screen)")
        #expect(harness.waitUntil("configd's session count back to \(before)") { try Self.sessions(harness) == before })
    }
}
