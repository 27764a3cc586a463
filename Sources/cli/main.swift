import ApplianceProtocol
import ApplianceCore
import CLIShell
import Configuration
import Glibc

// The engineer's command line (cli(1)). Also the login shell of the OS users
// of appliance accounts, so sshd starts it as `cli -c COMMAND` or as `-cli`.

// First, before any thread: a hang-up, SIGTERM or SIGINT logs the session out.
SignalExit.install()

let usage = """
usage: cli [--root DIR] [-c COMMAND] [--account NAME]
       cli [--root DIR] --authorized-keys USER KEYTYPE KEY

  --root DIR         the appliance root (default: $APPLIANCE_ROOT, else /)
  -c COMMAND         run one command and exit: status 0 when it worked, 1 when not
  --account NAME     act as this account (root and the owner of a development
                     root only: sshd's forced command in development mode)
  --authorized-keys  sshd's AuthorizedKeysCommand: print the line admitting the key
  -h, --help         this text

Without -c the CLI is interactive on a terminal (? for help, Tab completes), or
reads one command per line from a pipe. Commands: cli(1), or ? at the prompt.
"""

func fail(_ message: String, status: Int32 = 2) -> Never {
    let text = "cli: " + message + "\n"
    _ = Array(text.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(status)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var root = getenv("APPLIANCE_ROOT").map { String(cString: $0) } ?? "/"
var command: String?
var account: String?
var keyLookup: [String]?
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--root":
        guard !arguments.isEmpty else { fail("--root needs a folder") }
        root = arguments.removeFirst()
    case "-c":
        guard !arguments.isEmpty else { fail("-c needs a command") }
        command = arguments.removeFirst()
    case "--account":
        guard !arguments.isEmpty else { fail("--account needs a name") }
        account = arguments.removeFirst()
    case "--authorized-keys":
        guard arguments.count >= 3 else { fail("--authorized-keys needs USER KEYTYPE KEY") }
        keyLookup = Array(arguments.prefix(3))
        arguments.removeFirst(3)
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        fail("unknown argument \"\(argument.prefix(64))\"\n" + usage)
    }
}

let paths = AppliancePaths(root: root)
var selfPath = [CChar](repeating: 0, count: 4096)
let selfLength = readlink("/proc/self/exe", &selfPath, selfPath.count - 1)
let cliPath = selfLength > 0 ? String(decoding: selfPath[0..<selfLength].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "cli"

if let keyLookup {
    if let line = AuthorizedKeys.line(paths: paths, user: keyLookup[0], keyType: keyLookup[1], key: keyLookup[2], cliPath: cliPath) {
        print(line)
    }
    exit(0)
}

// An ssh login's own command arrives in SSH_ORIGINAL_COMMAND when the key's
// forced command started us (development mode).
if command == nil, account != nil, let original = getenv("SSH_ORIGINAL_COMMAND") {
    command = String(cString: original)
}

let identity: CLIIdentity
do {
    identity = try Shell.identify(paths: paths, account: account)
} catch {
    // configd's refusal may quote a name: the same escaping as every result.
    fail(TerminalText.escaped(error.message, keepingLineBreaks: true), status: 1)
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
