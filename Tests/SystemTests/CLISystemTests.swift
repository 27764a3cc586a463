import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Audit
import Configuration
import Foundation
import Glibc
import Testing

/// The CLI against the real daemons under procmon: locally (`cli -c`), and
/// over OpenSSH's sshd with Debian's ssh client, where each session's CLI
/// runs as the account's own OS user; interactively through tmux.
@Suite(.serialized) struct CLISystemTests {
    static let portBase = 23000
    static let manifest = AuditdSystemTests.manifest + """

    [service sessmgrd]
    exec = {bin}/sessmgrd --foreground --root {root}
    user = appliance-sessmgr
    listen = control unix sessmgrd.sock
    after = configd

    [service sshd]
    exec = {bin}/appliance-sshd --root {root} --port-base {port-base} --listen {listen-address}
    after = configd
    ready = none
    """

    static var cli: String { ProcmonHarness.binDirectory + "/cli" }

    static func start() throws -> ProcmonHarness {
        let harness = try ProcmonHarness(manifest: manifest, portBase: portBase, environment: ["APPLIANCE_ADMIN_PASSWORD": "Cli-Test-Password-9"],
                                         auditStandIn: false)
        // The account users' CLI must reach the sockets under the root.
        chmod(harness.root, 0o755)
        harness.waitUntil("configd, auditd, sessmgrd and sshd running", timeout: .seconds(60)) {
            ["configd", "auditd", "sessmgrd", "sshd"].allSatisfy { harness.running($0) != nil }
        }
        return harness
    }

    static func cli(_ harness: ProcmonHarness, _ command: String) throws -> (code: Int32, output: String, error: String) {
        try run(cli, ["--root", harness.root, "-c", command])
    }

    static func keyPair(_ folder: String, _ name: String) throws -> (path: String, publicKey: String) {
        let path = folder + "/" + name
        _ = try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "\(name)@test", "-f", path])
        return (path, try String(contentsOfFile: path + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func ssh(_ harness: ProcmonHarness, key: String, user: String, _ extra: [String] = [], command: String?) throws -> (code: Int32, output: String, error: String) {
        try run("/usr/bin/ssh", ["-i", key, "-p", String(portBase + 22), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                                 "-o", "BatchMode=yes", "-o", "ConnectTimeout=10"] + extra + ["\(user)@127.0.0.1"] + (command.map { [$0] } ?? []))
    }

    /// One-shot commands: tables, `| json`, errors pointing at the word with a
    /// non-zero status, configuration changes shown as a diff and saved.
    @Test func oneShotCommandsWorkAndErrorsPointAtTheWord() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let processes = try Self.cli(harness, "sh proc")
        #expect(processes.code == 0, "\(processes.error)")
        #expect(processes.output.contains("configd") && processes.output.contains("running") && processes.output.contains("Starts"))
        #expect(processes.output.split(separator: "\n").allSatisfy { $0.count <= 80 }, "fits 80 columns:\n\(processes.output)")

        let json = try Self.cli(harness, "show processes | json")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
        #expect(decoded?.contains { $0["name"] as? String == "sessmgrd" } == true, "\(json.output)")

        let wrong = try Self.cli(harness, "show procesx")
        #expect(wrong.code == 1)
        #expect(wrong.error.contains("show procesx\n       ^"), "\(wrong.error)")
        #expect(wrong.error.contains("unknown word \"procesx\""))

        let badValue = try Self.cli(harness, "stream create name=cam1 source=file:/srv/a.ts dest=rtp://239.1.1.1:5000 ttl=999")
        #expect(badValue.code == 1)
        #expect(badValue.error.contains("ttl"), "\(badValue.error)")

        let created = try Self.cli(harness, "stream create name=cam1 source=file:/srv/a.ts dest=rtp://127.0.0.1:5000 ttl=32 shaping=no")
        #expect(created.code == 0, "\(created.error)")
        #expect(created.output.contains("+ stream cam1"), "\(created.output)")
        #expect(created.error.contains("not saved"))
        let streams = try Self.cli(harness, "show streams")
        #expect(streams.output.contains("cam1"), "\(streams.output) \(streams.error)")
        #expect(try Self.cli(harness, "show running-config diff").output.contains("+ stream cam1"))
        #expect(try Self.cli(harness, "copy running-config startup-config").code == 0)
        #expect(try Self.cli(harness, "show running-config diff").output.contains("No differences"))
        #expect(try Self.cli(harness, "show startup-config").output.contains("stream cam1"))
        let log = try Self.cli(harness, "show logging configd 5")
        #expect(log.code == 0 && !log.output.isEmpty, "\(log.error)")
        let exposure = try Self.cli(harness, "show network-processes")
        #expect(exposure.output.contains("sshd") && exposure.output.contains(":\(Self.portBase + 22)"), "\(exposure.output)")
        // The listening Unix sockets too: configd's control socket held by
        // configd (as its own user), auditd's datagram intake by auditd.
        let configdSocket = exposure.output.split(separator: "\n").first { $0.contains(harness.paths.controlSocket("configd") + " ") && $0.contains(" configd") }
        #expect(configdSocket?.hasPrefix("stream ") == true, "\(exposure.output)")
        if getuid() == 0 { #expect(configdSocket?.hasSuffix("appliance-config") == true, "\(exposure.output)") }
        let intake = exposure.output.split(separator: "\n").first { $0.contains(harness.paths.auditSocket + " ") && $0.contains(" auditd") }
        #expect(intake?.hasPrefix("dgram ") == true, "\(exposure.output)")
        let exposureText = try Self.cli(harness, "show network-processes | json").output
        let exposureJSON = try JSONSerialization.jsonObject(with: Data(exposureText.utf8)) as? [[String: Any]]
        #expect(exposureJSON?.contains { $0["proto"] as? String == "unix-stream" && $0["local"] as? String == harness.paths.controlSocket("configd")
            && $0["process"] as? String == "configd" && $0["state"] as? String == "LISTEN" } == true, "\(exposureText)")

        // A daemon that is down: the CLI says which, within its deadline, and fails.
        _ = try run(ProcmonHarness.binDirectory + "/procmon", ["--root", harness.root, "stop", "sessmgrd"])
        let down = try Self.cli(harness, "show streams")
        #expect(down.code == 1)
        #expect(down.error.contains("sessmgrd is not answering"), "\(down.error)")
        #expect(try Self.cli(harness, "show processes").code == 0, "the rest still answers")

        // API tokens: made, listed and revoked from the CLI; the secret works
        // as the account's credential with configd until revoked.
        #expect(try Self.cli(harness, "account poller create role viewer").code == 0)
        let issued = try Self.cli(harness, "account poller api-token create nms")
        #expect(issued.code == 0, "\(issued.error)")
        let secret = try #require(issued.output.split(separator: "\n").last.map(String.init))
        let id = try #require(issued.output.split(separator: " ").dropFirst(2).first.map(String.init))
        #expect(secret.hasPrefix("apt_\(id)_"), "\(issued.output)")
        let configd = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(10))
        #expect(try configd.callBlocking(ConfigdMethod.SessionCheck.self, .init(session: secret)).account == "poller")
        let listed = try Self.cli(harness, "show api-tokens")
        #expect(listed.output.contains(id) && listed.output.contains("poller") && !listed.output.contains(secret), "\(listed.output)")
        #expect(try Self.cli(harness, "account poller api-token revoke \(id)").code == 0)
        #expect(try Self.cli(harness, "show api-tokens").output.contains("(no API tokens)"))
        #expect(throws: ControlError.self) { _ = try configd.callBlocking(ConfigdMethod.SessionCheck.self, .init(session: secret)) }
    }

    /// Over ssh: the banner shows, the CLI runs as the account's own OS user
    /// (read from /proc), a viewer cannot start a stream (sessmgrd refuses),
    /// a password login is refused, and the commands are audited.
    @Test(.enabled(if: getuid() == 0, "OS users per account need root"))
    func sshRunsTheCLIAsTheAccountsOwnUser() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let keys = harness.root + "/keys"
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        let suffix = String(UInt32.random(in: 0...0xfffff), radix: 16)
        let operatorName = "op" + suffix, viewerName = "view" + suffix
        let operatorKey = try Self.keyPair(keys, "operator")
        let viewerKey = try Self.keyPair(keys, "viewer")
        for command in ["account \(operatorName) create role operator", "account \(operatorName) pubkey add \(operatorKey.publicKey)",
                        "account \(viewerName) create role viewer", "account \(viewerName) pubkey add \(viewerKey.publicKey)",
                        "banner \"Authorised use only.\\nEvery command is audited.\"",
                        "stream create name=cam1 source=file:/srv/a.ts dest=rtp://127.0.0.1:5000"] {
            let result = try Self.cli(harness, command)
            #expect(result.code == 0, "\(command): \(result.error)")
        }
        harness.waitUntil("procmon made the OS users") { getpwnam(operatorName) != nil && getpwnam(viewerName) != nil }
        let operatorUID = try #require(getpwnam(operatorName)?.pointee.pw_uid)

        let processes = try Self.ssh(harness, key: operatorKey.path, user: operatorName, command: "show processes")
        #expect(processes.code == 0 && processes.output.contains("sessmgrd"), "\(processes.error)")
        let session = try Self.ssh(harness, key: operatorKey.path, user: operatorName, command: "show session")
        #expect(session.code == 0, "\(session.error) sshd: \(harness.serviceLog("sshd"))")
        #expect(session.output.contains("account  \(operatorName)") && session.output.contains("operator") && session.output.contains("ssh from 127.0.0.1"))
        #expect(session.error.contains("Authorised use only."), "the banner shows: \(session.error)")

        // An interactive session in tmux: find its CLI process and read its uid.
        let tmux = "cli-test-\(suffix)"
        // tmux forks its server, which keeps the pipes of `run` open: run
        // reads only until tmux itself has ended (ChildProcess.run).
        _ = try run("/usr/bin/tmux", ["new-session", "-d", "-s", tmux, "-x", "120", "-y", "40",
                                      "/usr/bin/ssh -tt -i \(operatorKey.path) -p \(Self.portBase + 22) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \(operatorName)@127.0.0.1"])
        defer { _ = try? run("/usr/bin/tmux", ["kill-session", "-t", tmux]) }
        func screen() -> String { (try? run("/usr/bin/tmux", ["capture-pane", "-p", "-t", tmux]).output) ?? "" }
        func type(_ words: String...) { _ = try? run("/usr/bin/tmux", ["send-keys", "-t", tmux] + words) }
        harness.waitUntil("the prompt", timeout: .seconds(20)) { screen().contains("appliance>") }
        let cliProcesses = pids(ofProgram: "cli")
        let owners = cliProcesses.map { procStatus($0)["Uid"]?.split(separator: "\t").map(String.init) ?? [] }
        #expect(owners.contains { $0.count >= 2 && $0[0] == String(operatorUID) && $0[1] == String(operatorUID) },
                "a CLI process runs as uid \(operatorUID): \(owners)")
        #expect(owners.allSatisfy { !$0.isEmpty && $0[0] != "0" }, "no CLI of an ssh session runs as root: \(owners)")

        // `?` help, Tab completion, history.
        type("show ", "?")
        harness.waitUntil("help for show") { screen().contains("processes") && screen().contains("running-config") }
        type("C-u", "show proc", "Tab")
        harness.waitUntil("Tab completed processes") { screen().contains("appliance> show processes") }
        type("Enter")
        harness.waitUntil("the process table") { screen().contains("Process") && screen().contains("sshd") }
        type("C-l", "Up")
        harness.waitUntil("history recalled the last command") { screen().contains("appliance> show processes") }
        type("C-c", "stream star cam1", "Enter")
        harness.waitUntil("an operator starts a stream") { screen().contains("cam1: ") }
        // Leaving with unsaved changes (the accounts made above) warns once.
        type("exit", "Enter")
        harness.waitUntil("the unsaved-changes warning") { screen().contains("unsaved changes") }
        type("exit", "Enter")

        // A viewer is refused by sessmgrd, with a non-zero status.
        let refused = try Self.ssh(harness, key: viewerKey.path, user: viewerName, command: "stream start cam1")
        #expect(refused.code != 0)
        #expect(refused.error.contains("not permitted"), "\(refused.error)")
        #expect(try Self.ssh(harness, key: viewerKey.path, user: viewerName, command: "show streams").code == 0)
        // A viewer reads no account (issue 13 #4): show accounts is refused, show running-config leaves them out.
        let accounts = try Self.ssh(harness, key: viewerKey.path, user: viewerName, command: "show accounts")
        #expect(accounts.code != 0 && accounts.error.contains("not permitted") && !accounts.output.contains(operatorName), "\(accounts)")
        let running = try Self.ssh(harness, key: viewerKey.path, user: viewerName, command: "show running-config")
        #expect(running.code == 0 && !running.output.split(separator: "\n").contains { $0.hasPrefix("account ") }, "\(running.output)")

        // Passwords are never accepted; a key of another account is not either.
        let password = try Self.ssh(harness, key: "/dev/null", user: operatorName, ["-o", "PreferredAuthentications=password,keyboard-interactive", "-o", "PubkeyAuthentication=no"], command: "show session")
        #expect(password.code == 255 && password.error.contains("Permission denied (publickey)"), "\(password.error)")
        let crossed = try Self.ssh(harness, key: viewerKey.path, user: operatorName, command: "show session")
        #expect(crossed.code == 255, "\(crossed.output)")

        // Every command is audited with the account and the channel.
        let audited = try AuditdSystemTests.query(harness, .init(appName: "cli", limit: 100)).map(\.message)
        #expect(audited.contains { $0.contains("show session") }, "\(audited)")
        let locked = try Self.cli(harness, "account \(viewerName) lock")
        #expect(locked.code == 0)
        #expect(try Self.ssh(harness, key: viewerKey.path, user: viewerName, command: "show session").code == 255, "a locked account's key no longer logs in")

        // Deleting the accounts removes their OS users.
        _ = try Self.cli(harness, "account \(operatorName) delete")
        _ = try Self.cli(harness, "account \(viewerName) delete")
        harness.waitUntil("procmon removed the OS users") { getpwnam(operatorName) == nil && getpwnam(viewerName) == nil }
        #expect(getpwnam(operatorName) == nil)
    }
}
