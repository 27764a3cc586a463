import ApplianceCore
import Testing

/// The front ends' command lines as sshd and procmon use them: help on
/// standard output with status 0, a refusal with the program's own status
/// (the CLI's 2, appliance-sshd's 71, a daemon's 64) and its reason. No
/// daemon runs and no port is bound.
@Suite struct CommandLineSystemTests {
    static func binary(_ name: String) -> String { ProcmonHarness.binDirectory + "/" + name }

    @Test func cliHelpNamesBothUsagesAndEveryOption() throws {
        let result = try run(Self.binary("cli"), ["--help"])
        #expect(result.code == ExitCodes.success)
        #expect(result.output.contains("USAGE: cli [--root DIR] [-c COMMAND] [--account NAME]\n       cli [--root DIR] --authorized-keys USER KEYTYPE KEY"))
        for option in ["--root <DIR>", "-c <COMMAND>", "--account <NAME>", "--authorized-keys <USER KEYTYPE KEY>", "-h, --help"] {
            #expect(result.output.contains(option), "\(option)")
        }
    }

    @Test func cliRefusesABadCommandLineWithStatus2AndTheReason() throws {
        for (arguments, reason) in [(["--bogus"], "cli: Unknown option '--bogus'"),
                                    (["--authorized-keys", "alice", "ssh-ed25519"], "cli: --authorized-keys needs USER KEYTYPE KEY"),
                                    (["--root"], "cli: Missing value for '--root <DIR>'")] {
            let result = try run(Self.binary("cli"), arguments)
            #expect(result.code == ExitCodes.shellUsage, "\(arguments)")
            #expect(result.error.hasPrefix(reason + "\n"), "\(result.error)")
            #expect(result.output.isEmpty)
        }
    }

    @Test func applianceSSHDRefusesABadCommandLineWith71() throws {
        let help = try run(Self.binary("appliance-sshd"), ["-h"])
        #expect(help.code == ExitCodes.success)
        #expect(help.output.contains("USAGE: appliance-sshd [--root DIR] [--port-base N] [--listen ADDRESS]"))
        for (arguments, reason) in [(["--port-base", "70000"], "appliance-sshd: --port-base takes 0 to 65000"),
                                    (["--port-base", "x"], "appliance-sshd: The value 'x' is invalid for '--port-base <N>'"),
                                    (["--listen"], "appliance-sshd: Missing value for '--listen <ADDRESS>'")] {
            let result = try run(Self.binary("appliance-sshd"), arguments)
            #expect(result.code == ExitCodes.systemError, "\(arguments)")
            #expect(result.error.hasPrefix(reason + "\n"), "\(result.error)")
        }
    }

    @Test(arguments: ["procmon", "configd", "auditd", "sessmgrd", "snmpd", "webd"])
    func aDaemonsHelpShowsTheCommonOptionsAndABadFlagIs64(_ daemon: String) throws {
        let help = try run(Self.binary(daemon), ["--help"])
        #expect(help.code == ExitCodes.success)
        for option in ["--root <dir>", "-d, --foreground", "--config <file>"] {
            #expect(help.output.contains(option), "\(daemon): \(option)")
        }
        let refused = try run(Self.binary(daemon), ["--no-such-flag"])
        #expect(refused.code == ExitCodes.usage)
        #expect(refused.error.contains("Unknown option '--no-such-flag'"))
    }
}
