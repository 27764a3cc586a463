import ApplianceCore
import Testing
@testable import Supervisor

@Suite struct ProcmonFrontTests {
    @Test func procmonsCommandsTakeAServiceNameExactlyWhenTheyActOnOne() {
        #expect(ProcmonCommands.problem(command: nil, service: nil) == nil)
        #expect(ProcmonCommands.problem(command: "status", service: nil) == nil)
        #expect(ProcmonCommands.problem(command: "restart", service: "webd") == nil)
        #expect(ProcmonCommands.problem(command: "status", service: "webd") == "status takes no service name")
        #expect(ProcmonCommands.problem(command: nil, service: "webd") == "run takes no service name")
        #expect(ProcmonCommands.problem(command: "stop", service: nil) == "stop needs a service name")
        #expect(ProcmonCommands.problem(command: "reload", service: nil) == "unknown command \"reload\"; expected status, start, stop or restart")
    }

    @Test func aCommandWithNoProcmonToAnswerExitsWith69() {
        // No socket at all under this root (ENOENT): "procmon is not running".
        #expect(ProcmonCommands.run("status", service: nil, json: false, paths: AppliancePaths(root: "/nonexistent-appliance-root")) == ExitCodes.unavailable)
    }

    @Test func theRunBannerSaysWhereEachServiceListensAndHowToReachTheAppliance() throws {
        let manifest = try ManifestParser.parse("""
        [service webd]
        exec = webd
        listen = https tcp 443 ::
        listen = http tcp 80
        listen = control unix webd.sock

        [service sshd]
        exec = appliance-sshd
        """, file: "services.conf")
        let settings = SupervisorSettings(paths: AppliancePaths(root: "/tmp/dev"), binDirectory: "/opt/bin", portBase: 10000,
                                          listenAddress: "127.0.0.1", dropsPrivileges: false)
        let text = RunBanner.text([], settings: settings, services: manifest.services, adminPassword: "s3cret\n", binFolder: "/opt/bin", sshUser: "alice")
        #expect(text == """

            appliance running (root /tmp/dev, port base 10000)

            \(ProcessTable.render([]))
            listening:
              webd https: tcp :::10443
              webd http: tcp 127.0.0.1:10080
              webd control: /tmp/dev/run/appliance/webd.sock

            browser:    https://[::]:10443/

            admin password: s3cret (from /tmp/dev/var/lib/appliance/configd/initial-admin-password)

            cli:        /opt/bin/cli --root /tmp/dev    (? for help)
            ssh:        ssh -p 10022 alice@127.0.0.1   (after: cli --root /tmp/dev -c 'account NAME pubkey add "KEY"')

            logs:       /tmp/dev/var/log/<service>.log
            status:     /opt/bin/procmon --root /tmp/dev status
            stop:       Ctrl-C

            """)
    }

    @Test func theRunBannerLeavesOutWhatTheApplianceDoesNotHave() {
        let settings = SupervisorSettings(paths: AppliancePaths(root: "/"), binDirectory: "/usr/bin", portBase: 0,
                                          listenAddress: "::", dropsPrivileges: true)
        let text = RunBanner.text([], settings: settings, services: [], adminPassword: nil, binFolder: "/usr/bin", sshUser: "ACCOUNT")
        #expect(text.hasPrefix("\nappliance running (root /, port base 0)\n"))
        #expect(text.contains("cli:        /usr/bin/cli --root /    (? for help)\n"))
        #expect(text.contains("status:     /usr/bin/procmon --root / status\n"))
        for absent in ["listening:", "browser:", "admin password:", "ssh:"] {
            #expect(!text.contains(absent), "\(absent)")
        }
    }
}
