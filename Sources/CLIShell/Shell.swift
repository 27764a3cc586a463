import ApplianceProtocol
import ApplianceCore
import Configuration
import Glibc

/// The CLI's sessions: interactive on a terminal, one command (`-c`, or the
/// command of `ssh host 'show streams'`), or lines from a pipe.
public enum Shell {
    /// Who is calling and from where; opens the configd session an ssh login needs.
    public static func identify(paths: AppliancePaths, account: String?) throws(CommandError) -> CLIIdentity {
        let origin = Self.origin()
        let client = ControlClient(paths: paths, daemon: "configd", timeout: .seconds(5))
        let uid = getuid()
        var rootOwner: UInt32 = 0
        var info = stat()
        if stat(paths.root.isEmpty ? "/" : paths.root, &info) == 0 { rootOwner = info.st_uid }
        if account == nil && (uid == 0 || uid == rootOwner) {
            let name = getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(uid)"
            return CLIIdentity(account: "console:\(name)", role: .admin, session: nil, origin: origin)
        }
        let login: ConfigdMethod.Login
        do {
            login = try client.callBlocking(ConfigdMethod.OpenSession.self, .init(account: account, origin: origin))
        } catch {
            throw CommandError(column: -1, CommandRunner.explain(error, daemon: "configd"))
        }
        guard login.outcome == "success", let session = login.session, let role = login.role else {
            throw CommandError(column: -1, login.message)
        }
        let name = account ?? getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "?"
        return CLIIdentity(account: name, role: role, session: session, origin: origin)
    }

    static func origin() -> RequestOrigin {
        if let connection = getenv("SSH_CONNECTION").map({ String(cString: $0) }) {
            let parts = connection.split(separator: " ")
            if parts.count >= 2 { return RequestOrigin(channel: "ssh", peer: "\(parts[0]):\(parts[1])") }
        }
        let terminal = isatty(0) != 0 ? ttyname(0).map { String(cString: $0) } ?? "tty" : "local"
        return RequestOrigin(channel: "cli", peer: terminal)
    }

    /// Ends the configd session (when there is one).
    public static func close(_ runner: CommandRunner) {
        guard let session = runner.identity.session else { return }
        _ = try? runner.client("configd").callBlocking(ConfigdMethod.Logout.self, .init(session: session))
    }

    static func writeOut(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
        bytes.removeAll()
    }

    /// A secret read as one line (`-c passwd`, a pipe), the prompt on
    /// standard error. On a terminal, echo is off while it is typed and back
    /// on afterwards, also when a signal ends the CLI meanwhile (SignalExit).
    public static func readSecretLine(prompt: String) -> String? {
        _ = Array(prompt.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        guard isatty(0) != 0 else { return readLine(strippingNewline: true) }
        // Enter still moves to the next line.
        guard let saved = echoOff(keepingNewline: true) else { return nil }
        defer { restoreEcho(saved) }
        return readLine(strippingNewline: true)
    }

    /// Turns echo off on standard input (a terminal) and returns the settings
    /// to restore, nil when they could not be changed; SignalExit restores
    /// them if a signal ends the CLI meanwhile.
    static func echoOff(keepingNewline: Bool) -> termios? {
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { return nil }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO | ECHOE | ECHOK | ECHONL)
        if keepingNewline { quiet.c_lflag |= tcflag_t(ECHONL) }
        SignalExit.terminalChanged(from: saved)
        guard tcsetattr(0, TCSAFLUSH, &quiet) == 0 else {
            SignalExit.terminalRestored()
            return nil
        }
        return saved
    }

    /// Puts back what `echoOff` returned.
    static func restoreEcho(_ saved: termios) {
        var saved = saved
        tcsetattr(0, TCSANOW, &saved)
        SignalExit.terminalRestored()
    }

    static func writeError(_ text: String) {
        let bytes = Array((text.hasSuffix("\n") ? text : text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// One command; exit status 0 when it worked, 1 when it did not.
    public static func oneShot(_ runner: CommandRunner, line: String) -> Int32 {
        let ok = runner.run(line) { writeError($0) }
        if ok, runner.changedConfiguration {
            writeError("Note: the change is in effect but not saved (copy running-config startup-config keeps it).")
        }
        return ok ? 0 : 1
    }

    /// Lines from a pipe, one command each; stops at `exit`.
    public static func script(_ runner: CommandRunner) -> Int32 {
        var failed = false
        while let line = readLine(strippingNewline: true) {
            let trimmed = line.trimmingBlanks()
            if trimmed.isEmpty || trimmed.hasPrefix("!") { continue }
            if let parsed = try? CommandTree.grammar.parse(trimmed), parsed.command == CommandTree.exit { break }
            if !runner.run(trimmed, errors: { writeError($0) }) { failed = true }
        }
        return failed ? 1 : 0
    }

    /// The interactive CLI on a terminal: line editing, history, `?`, Tab.
    public static func interactive(_ runner: CommandRunner, idleTimeoutSeconds: Int) -> Int32 {
        let terminal = RawTerminal()
        defer { terminal.restore() }
        let hostname = (try? runner.client("configd").callBlocking(ConfigdMethod.Get.self, .init(sections: [.system], session: runner.identity.session)))?.config.system.hostname ?? "appliance"
        let prompt = hostname + (runner.identity.role == .admin ? "# " : "> ")
        var editor = LineEditor(prompt: prompt)
        var warnedUnsaved = false
        runner.output = { writeOut($0.replacingNewlines()) }
        runner.readSecret = { terminal.readSecret(prompt: $0) }
        runner.paste = TerminalPaste(terminal)
        writeOut("Signed in as \(runner.identity.account) (\(runner.identity.role.rawValue)). Type ? for help.\r\n")
        editor.newLine()
        while true {
            flush(&editor)
            guard let bytes = terminal.read(timeoutSeconds: idleTimeoutSeconds) else {
                writeOut("\r\nIdle for \(idleTimeoutSeconds) s: the session ended.\r\n")
                return 0
            }
            if bytes.isEmpty { return 0 }
            for event in editor.feed(bytes) {
                flush(&editor)
                switch event {
                case .submit(let line):
                    // What came after the line (a paste, lines typed ahead) is
                    // read by the command, or else as the next keys.
                    terminal.unread(editor.takePending())
                    let trimmed = line.trimmingBlanks()
                    if trimmed.isEmpty { editor.newLine(); continue }
                    editor.addHistory(trimmed)
                    if let parsed = try? CommandTree.grammar.parse(trimmed), parsed.command == CommandTree.exit {
                        if !warnedUnsaved, runner.unsavedChanges() == true {
                            warnedUnsaved = true
                            writeOut("Warning: the running configuration has unsaved changes; copy running-config startup-config keeps them. Exit again to leave anyway.\r\n")
                            editor.newLine()
                            continue
                        }
                        return 0
                    }
                    _ = runner.run(trimmed, prompt: prompt.count) { writeOut($0.replacingNewlines() + "\r\n") }
                    editor.newLine()
                case .help:
                    let (_, candidates) = CommandTree.grammar.completions(for: editor.text, values: runner.names)
                    writeOut("?\r\n" + describe(candidates))
                    editor.redraw()
                case .complete:
                    complete(&editor, runner)
                case .cancel:
                    editor.newLine()
                case .endOfInput:
                    if !warnedUnsaved, runner.unsavedChanges() == true {
                        warnedUnsaved = true
                        writeOut("\r\nWarning: unsaved changes; copy running-config startup-config keeps them. Ctrl-D again to leave anyway.\r\n")
                        editor.newLine()
                        continue
                    }
                    writeOut("\r\n")
                    return 0
                case .refused(let why):
                    writeOut("% " + why + "\r\n")
                    editor.newLine()
                }
            }
        }
    }

    static func flush(_ editor: inout LineEditor) {
        if !editor.output.isEmpty {
            writeOut(String(decoding: editor.output, as: UTF8.self))
            editor.output = []
        }
    }

    static func describe(_ candidates: [Completion]) -> String {
        if candidates.isEmpty { return "  % nothing matches here\r\n" }
        let width = min(24, candidates.map(\.label.count).max() ?? 0)
        return candidates.map { "  " + $0.label + String(repeating: " ", count: max(1, width - $0.label.count + 2)) + $0.help }
            .joined(separator: "\r\n") + "\r\n"
    }

    static func complete(_ editor: inout LineEditor, _ runner: CommandRunner) {
        let (start, candidates) = CommandTree.grammar.completions(for: editor.text, values: runner.names)
        let words = candidates.compactMap(\.insert)
        let partial = String(editor.line[min(start, editor.line.count)...])
        if words.count == 1 {
            editor.replace(from: start, with: words[0] + (words[0].hasSuffix("=") || words[0] == "|" ? "" : " "))
            return
        }
        if words.count > 1 {
            var common = words[0]
            for word in words.dropFirst() { while !word.hasPrefix(common) { common.removeLast() } }
            if common.count > partial.count {
                editor.replace(from: start, with: common)
            } else {
                writeOut("\r\n" + describe(candidates.filter { $0.insert != nil }))
                editor.redraw()
            }
            return
        }
        writeOut("\u{07}")
    }
}

/// The terminal in raw mode (no echo, no line discipline, Ctrl-C as a
/// byte), restored on exit.
final class RawTerminal {
    private var saved = termios()
    private var active = false

    init() {
        guard tcgetattr(0, &saved) == 0 else { return }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL | BRKINT | INPCK | ISTRIP)
        raw.c_cc.6 = 1  // VMIN
        raw.c_cc.5 = 0  // VTIME
        // Noted first, so a signal ending the CLI in between still restores it.
        SignalExit.terminalChanged(from: saved)
        active = tcsetattr(0, TCSANOW, &raw) == 0
        if !active { SignalExit.terminalRestored() }
    }

    func restore() {
        if active {
            tcsetattr(0, TCSANOW, &saved)
            active = false
            SignalExit.terminalRestored()
        }
    }

    /// Bytes given back (after a submitted line), read before the terminal.
    private var unreadBytes: [UInt8] = []

    func unread(_ bytes: [UInt8]) { unreadBytes = bytes + unreadBytes }

    /// Bytes typed; empty at end of input; nil after `timeoutSeconds` idle.
    func read(timeoutSeconds: Int) -> [UInt8]? {
        if !unreadBytes.isEmpty {
            defer { unreadBytes = [] }
            return unreadBytes
        }
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&descriptor, 1, Int32(clamping: timeoutSeconds * 1000))
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { return nil }
            break
        }
        var buffer = [UInt8](repeating: 0, count: 512)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            return n <= 0 ? [] : Array(buffer[0..<n])
        }
    }

    /// One line of a paste, shown as it comes unless `secret`; Backspace
    /// edits, Ctrl-C and Ctrl-D cancel (nil), as does the idle time.
    func readLine(secret: Bool, timeoutSeconds: Int = 120) -> String? {
        var typed: [UInt8] = []
        while let bytes = read(timeoutSeconds: timeoutSeconds), !bytes.isEmpty {
            for (index, byte) in bytes.enumerated() {
                switch byte {
                case 0x0d, 0x0a:
                    if byte == 0x0a, typed.isEmpty, lastEnded == 0x0d { lastEnded = 0; continue }  // CR LF: one line break
                    lastEnded = byte
                    unread(Array(bytes[(index + 1)...]))
                    if !secret { Shell.writeOut("\r\n") }
                    return String(decoding: typed, as: UTF8.self)
                case 0x03, 0x04:
                    Shell.writeOut("^C\r\n")
                    return nil
                case 0x7f, 0x08:
                    if !typed.isEmpty {
                        typed.removeLast()
                        if !secret { Shell.writeOut("\u{8} \u{8}") }
                    }
                default:
                    guard byte >= 0x20, typed.count < LineEditor.maximumLength else { continue }
                    typed.append(byte)
                    if !secret { Shell.writeOut(String(decoding: [byte], as: UTF8.self)) }
                }
            }
        }
        return nil
    }

    private var lastEnded: UInt8 = 0

    /// A secret typed without echo; nil on Ctrl-C or end of input.
    func readSecret(prompt: String) -> String? {
        Shell.writeOut(prompt)
        var typed: [UInt8] = []
        while let bytes = read(timeoutSeconds: 120), !bytes.isEmpty {
            for byte in bytes {
                switch byte {
                case 0x0d, 0x0a:
                    Shell.writeOut("\r\n")
                    return String(decoding: typed, as: UTF8.self)
                case 0x03, 0x04:
                    Shell.writeOut("^C\r\n")
                    return nil
                case 0x7f, 0x08:
                    if !typed.isEmpty { typed.removeLast() }
                default:
                    if byte >= 0x20 && typed.count < 1024 { typed.append(byte) }
                }
            }
        }
        return nil
    }
}

extension String {
    func trimmingBlanks() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\r" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }

    /// LF → CRLF for a terminal in raw mode.
    func replacingNewlines() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for character in self {
            if character == "\n" { out += "\r\n" } else { out.append(character) }
        }
        return out
    }
}

/// A paste on the interactive terminal (raw mode): the certificate's lines
/// are shown as they arrive, the key's are not.
final class TerminalPaste: PasteSource {
    let terminal: RawTerminal
    var hidden = 0

    init(_ terminal: RawTerminal) { self.terminal = terminal }

    func begin(_ instructions: String) {
        hidden = 0
        Shell.writeOut(instructions.replacingNewlines())
    }

    func line(secret: Bool) -> String? {
        if secret { hidden += 1 }
        return terminal.readLine(secret: secret)
    }

    func end() {
        if hidden > 0 { Shell.writeOut("(the key's \(hidden) lines are not shown)\r\n") }
    }
}
