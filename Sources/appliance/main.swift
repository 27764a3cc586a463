import ApplianceCore
import ArgumentParser
import Glibc

// The firmware's one executable, busybox style: every program of the set is
// this file, run through a link named after the program (procmon, configd,
// …, beside it: `make links`, `make install`), or as `appliance PROGRAM …`.
// One file mapped by every process: the code pages are shared, counted once.

/// One program of the set: its name (the link's), what it is, and its entry.
struct Program {
    let name: String
    let abstract: String
    let main: ([String]) -> Never
}

/// A ParsableCommand as an entry: parse `arguments`, run, exit with its status.
func entry<Command: ParsableCommand>(_ command: Command.Type) -> ([String]) -> Never {
    { arguments in
        command.main(arguments)
        exit(ExitCodes.success)
    }
}

let programs: [Program] = [
    Program(name: "procmon", abstract: ProcmonCommand.configuration.abstract, main: entry(ProcmonCommand.self)),
    Program(name: "configd", abstract: ConfigdCommand.configuration.abstract, main: entry(ConfigdCommand.self)),
    Program(name: "auditd", abstract: AuditdCommand.configuration.abstract, main: entry(AuditdCommand.self)),
    Program(name: "sessmgrd", abstract: SessmgrdCommand.configuration.abstract, main: entry(SessmgrdCommand.self)),
    Program(name: "snmpd", abstract: SnmpdCommand.configuration.abstract, main: entry(SnmpdCommand.self)),
    Program(name: "webd", abstract: WebdCommand.configuration.abstract, main: entry(WebdCommand.self)),
    Program(name: "cli", abstract: CLIArguments.configuration.abstract, main: CLIEntry.main),
    Program(name: "appliance-sshd", abstract: SSHDArguments.configuration.abstract, main: SSHDEntry.main),
]

func say(_ text: String, to fd: Int32) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
}

let usage = """
    usage: appliance PROGRAM [ARGUMENTS…]   (or run through a link named PROGRAM)
           appliance --list                 the programs, one per line (the links to make)
    """ + "\n\n" + programs.map { "  " + $0.name + String(repeating: " ", count: max(1, 16 - $0.name.count)) + $0.abstract }.joined(separator: "\n")

let commandLine = CommandLine.arguments
// The name it was run by: a link's basename; a login shell's "-cli" is cli.
var invoked = String(commandLine.first?.split(separator: "/").last ?? "appliance")
if invoked.hasPrefix("-") { invoked.removeFirst() }
var arguments = Array(commandLine.dropFirst())

if invoked == "appliance" {
    switch arguments.first {
    case nil:
        say(usage, to: 2)
        exit(ExitCodes.usage)
    case "--help", "-h":
        say(usage, to: 1)
        exit(ExitCodes.success)
    case "--list":
        say(programs.map(\.name).joined(separator: "\n"), to: 1)
        exit(ExitCodes.success)
    case let name?:
        invoked = name
        arguments.removeFirst()
    }
}
guard let program = programs.first(where: { $0.name == invoked }) else {
    say("appliance: no program named \(invoked)\n" + usage, to: 2)
    exit(ExitCodes.usage)
}
program.main(arguments)
