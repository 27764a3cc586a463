import ApplianceProtocol
import ApplianceCore
import ArgumentParser
import CLIShell
import Configuration
import Glibc

// The engineer's command line (cli(1)). Also the login shell of the OS users
// of appliance accounts, so sshd starts it as `cli -c COMMAND` or as `-cli`.

struct CLIArguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cli",
        abstract: "The appliance's command line.",
        usage: """
        cli [--root DIR] [-c COMMAND] [--account NAME]
        cli [--root DIR] --authorized-keys USER KEYTYPE KEY
        """,
        discussion: """
        Without -c the CLI is interactive on a terminal (? for help, Tab completes), or \
        reads one command per line from a pipe. Commands: cli(1), or ? at the prompt.
        """
    )

    // Every value is taken as it comes, even one starting with "-": sshd
    // passes a login's own command and the key lookup's words unquoted.
    @Option(parsing: .unconditional, help: ArgumentHelp("The appliance root (default: $APPLIANCE_ROOT, else /).", valueName: "DIR"))
    var root: String?

    @Option(name: .customShort("c"), parsing: .unconditional,
            help: ArgumentHelp("Run one command and exit: status 0 when it worked, 1 when not.", valueName: "COMMAND"))
    var command: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("""
        Act as this account (root and the owner of a development root only: sshd's forced command in development mode).
        """, valueName: "NAME"))
    var account: String?

    @Option(parsing: .upToNextOption, help: ArgumentHelp("sshd's AuthorizedKeysCommand: print the line admitting the key.", valueName: "USER KEYTYPE KEY"))
    var authorizedKeys: [String] = []

    func validate() throws {
        guard authorizedKeys.isEmpty || authorizedKeys.count == 3 else { throw ValidationError("--authorized-keys needs USER KEYTYPE KEY") }
    }
}

/// cli's entry in the multicall table: sshd starts it as `cli -c COMMAND`,
/// as the login shell `-cli`, or as `cli --authorized-keys …`.
enum CLIEntry {
    static func fail(_ message: String, status: Int32) -> Never {
        let text = "cli: " + message + "\n"
        _ = Array(text.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(status)
    }

    static func main(_ commandLine: [String]) -> Never {
        // First, before any thread: a hang-up, SIGTERM or SIGINT logs the session out.
        SignalExit.install()

        let arguments = CLIArguments.parseOrExit(commandLine, name: "cli", refusedStatus: ExitCodes.shellUsage)
        let paths = AppliancePaths(root: arguments.root ?? getenv("APPLIANCE_ROOT").map { String(cString: $0) } ?? "/")
        var command = arguments.command

        if arguments.authorizedKeys.count == 3 {
            let words = arguments.authorizedKeys
            let cliPath = OwnExecutable.sibling("cli") ?? "cli"
            if let line = AuthorizedKeys.line(paths: paths, user: words[0], keyType: words[1], key: words[2], cliPath: cliPath) {
                print(line)
            }
            exit(ExitCodes.success)
        }

        // An ssh login's own command arrives in SSH_ORIGINAL_COMMAND when the key's
        // forced command started us (development mode).
        if command == nil, arguments.account != nil, let original = getenv("SSH_ORIGINAL_COMMAND") {
            command = String(cString: original)
        }

        let identity: CLIIdentity
        do {
            identity = try Shell.identify(paths: paths, account: arguments.account)
        } catch {
            // configd's refusal may quote a name: the same escaping as every result.
            fail(TerminalText.escaped(error.message, keepingLineBreaks: true), status: ExitCodes.failure)
        }
        SignalExit.logOut(identity.session, paths: paths)
        let runner = CommandRunner(paths: paths, identity: identity, write: { text in
            _ = Array(text.utf8).withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        }, readSecret: Shell.readSecretLine)
        let status: Int32
        if let command {
            status = Shell.oneShot(runner, line: command)
        } else if isatty(0) != 0 {
            let idle = (try? ControlClient(paths: paths, daemon: "configd").callBlocking(ConfigdMethod.Get.self, .init(sections: [.policy], session: identity.session)))?
                .config.policy.sessionIdleTimeoutSeconds ?? 900
            status = Shell.interactive(runner, idleTimeoutSeconds: max(30, idle))
        } else {
            status = Shell.script(runner)
        }
        Shell.close(runner)
        exit(status)
    }
}
