import ArgumentParser
import Glibc

/// What a command line comes to: the parsed command, or the text to print
/// and the status to exit with (help, or a refusal).
public enum CommandLineOutcome<Command: ParsableArguments> {
    case parsed(Command)
    case exit(status: Int32, text: String, toStandardError: Bool)
}

extension ParsableArguments {
    /// Parses as ArgumentParser does, but a refused command line exits with
    /// `refusedStatus` and `name: problem` then the usage: the CLI keeps its
    /// 2 and appliance-sshd its 71 rather than ArgumentParser's 64.
    public static func outcome(of arguments: [String], name: String, refusedStatus: Int32) -> CommandLineOutcome<Self> {
        do {
            return .parsed(try parse(arguments))
        } catch {
            let code = exitCode(for: error)
            if code == .success { return .exit(status: ExitCodes.success, text: fullMessage(for: error), toStandardError: false) }
            // ArgumentParser's text (the problem, the usage, where help is), in the appliance's "name: problem" form.
            var text = fullMessage(for: error)
            if text.hasPrefix("Error: ") { text = "\(name): " + text.dropFirst("Error: ".count) }
            return .exit(status: refusedStatus, text: text, toStandardError: true)
        }
    }

    /// `outcome(of:)` for `arguments` (the words after the command's name);
    /// prints and exits unless parsed.
    public static func parseOrExit(_ arguments: [String], name: String, refusedStatus: Int32) -> Self {
        switch outcome(of: arguments, name: name, refusedStatus: refusedStatus) {
        case .parsed(let command):
            return command
        case .exit(let status, let text, let toStandardError):
            let bytes = Array((text + "\n").utf8)
            _ = bytes.withUnsafeBytes { write(toStandardError ? 2 : 1, $0.baseAddress, $0.count) }
            Glibc.exit(status)
        }
    }
}
