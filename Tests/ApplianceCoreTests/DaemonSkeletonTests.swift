import ArgumentParser
import Glibc
import Testing
@testable import ApplianceCore

/// A daemon's command line as the executables declare theirs: the common
/// options and one of its own.
private struct SampleDaemon: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sampled", usage: "sampled [--root DIR] [--threads N]")
    @OptionGroup var daemon: DaemonOptions
    @Option var threads = 2
    @Option(parsing: .unconditional) var command: String?

    func validate() throws {
        guard (1...16).contains(threads) else { throw ValidationError("--threads must be 1-16") }
    }
}

@Suite struct DaemonSkeletonTests {
    @Test func exitCodesKeepTheNumbersProcmonTheTestsAndTheManPagesRead() {
        #expect(ExitCodes.success == 0)
        #expect(ExitCodes.failure == 1)
        #expect(ExitCodes.shellUsage == 2)
        #expect(ExitCodes.usage == ExitCode.validationFailure.rawValue)
        #expect(ExitCodes.usage == 64)
        #expect(ExitCodes.unavailable == 69)
        #expect(ExitCodes.systemError == 71)
        #expect(ExitCodes.configError == 78)
    }

    @Test func aDaemonThatIsDownOrSilentIs69AndARefusalIs1() {
        #expect(ExitCodes.of(ControlError(.unavailable, "no such socket")) == 69)
        #expect(ExitCodes.of(ControlError(.timeout, "no answer in 5 s")) == 69)
        #expect(ExitCodes.of(ControlError(.permissionDenied, "root only")) == 1)
        #expect(ExitCodes.of(ControlError(.invalidParameters, "no service named \"x\"")) == 1)
        #expect(ExitCodes.of(ControlError(.failed, "cannot start")) == 1)
        #expect(ExitCodes.of(ValidationError("not a control error")) == 1)
    }

    @Test func theCommonOptionsDefaultToTheApplianceRootInTheBackground() throws {
        let options = try DaemonOptions.parse([])
        #expect(options.root == "/")
        #expect(!options.foreground)
        #expect(options.config == nil)
        #expect(options.paths.isApplianceRoot)
        #expect(options.paths.logFile("configd") == "/var/log/configd.log")
    }

    @Test func theCommonOptionsParseBesideADaemonsOwnInEitherSpelling() throws {
        let short = try SampleDaemon.parse(["-d", "--threads", "4", "--root", "/tmp/dev", "--config", "/tmp/dev/x.conf"])
        #expect(short.daemon.foreground)
        #expect(short.threads == 4)
        #expect(short.daemon.config == "/tmp/dev/x.conf")
        #expect(short.daemon.paths.root == "/tmp/dev")
        #expect(short.daemon.paths.controlSocket("sampled") == "/tmp/dev/run/appliance/sampled.sock")
        let long = try SampleDaemon.parse(["--foreground", "--root", "/tmp/dev/"])
        #expect(long.daemon.foreground)
        #expect(long.daemon.paths.root == "/tmp/dev")
    }

    @Test func aRelativeRootIsTakenFromTheWorkingFolder() throws {
        let options = try DaemonOptions.parse(["--root", "dev-root"])
        #expect(options.paths.root == AppliancePaths.currentDirectory() + "/dev-root")
    }

    @Test func everyDaemonWatchesTermIntAndHup() {
        #expect(DaemonOptions.standardSignals == [SIGTERM, SIGINT, SIGHUP])
    }

    @Test func aStartThatCannotMakeItsLogFolderThrowsBeforeTouchingSignals() throws {
        // A root below a regular file: mkdir fails with ENOTDIR before detaching,
        // the signal mask or logging happen, so the test process is left as it was.
        let options = try DaemonOptions.parse(["--root", "/dev/null/root", "-d"])
        #expect(throws: AtomicFile.WriteError.self) {
            try options.run("sampled") { _ in ExitCodes.success }
        }
    }

    @Test func helpIsPrintedOnStandardOutputWithStatus0() {
        guard case .exit(let status, let text, let toStandardError) = SampleDaemon.outcome(of: ["--help"], name: "sampled", refusedStatus: 2) else {
            Issue.record("--help parsed as a command line")
            return
        }
        #expect(status == 0)
        #expect(!toStandardError)
        #expect(text.contains("USAGE: sampled [--root DIR] [--threads N]"))
        #expect(text.contains("--root <dir>"))
        #expect(text.contains("-d, --foreground"))
    }

    @Test func aRefusedCommandLineExitsWithTheCallersStatusAndNamesTheProgram() {
        for (arguments, problem) in [(["--bogus"], "Unknown option '--bogus'"), (["--threads", "40"], "--threads must be 1-16"),
                                     (["--threads"], "Missing value for '--threads <threads>'")] {
            guard case .exit(let status, let text, let toStandardError) = SampleDaemon.outcome(of: arguments, name: "sampled", refusedStatus: 71) else {
                Issue.record("\(arguments) parsed")
                continue
            }
            #expect(status == 71)
            #expect(toStandardError)
            #expect(text.hasPrefix("sampled: \(problem)\n"), "\(text)")
            #expect(text.contains("Usage: sampled [--root DIR] [--threads N]"))
        }
    }

    @Test func anUnconditionalValueMayStartWithADash() {
        guard case .parsed(let parsed) = SampleDaemon.outcome(of: ["--command", "-x", "--threads", "3"], name: "sampled", refusedStatus: 2) else {
            Issue.record("refused")
            return
        }
        #expect(parsed.command == "-x")
        #expect(parsed.threads == 3)
    }
}
