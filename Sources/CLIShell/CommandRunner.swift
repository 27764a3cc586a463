#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ApplianceCore
import ApplianceProtocol
import Configuration
import Glibc

/// Who the CLI acts for: a configd session (an account signed in over ssh),
/// or the local console administrator (root, or the user owning a
/// development root), who needs none.
public struct CLIIdentity: Sendable {
    public var account: String
    public var role: Role
    /// nil for the console administrator.
    public var session: String?
    public var origin: RequestOrigin

    public init(account: String, role: Role, session: String?, origin: RequestOrigin) {
        self.account = account
        self.role = role
        self.session = session
        self.origin = origin
    }
}

/// Runs parsed commands against the daemons. Every call has a deadline, and
/// an error names the daemon that did not answer. The daemons decide what a
/// role may do; the CLI only says what they answered.
public final class CommandRunner {
    public let paths: AppliancePaths
    public var identity: CLIIdentity
    /// Where results go (standard output), made safe for a terminal first
    /// (`write(_:)`).
    public var output: (String) -> Void
    /// Asks for a secret without echo; nil when cancelled or no terminal.
    public var readSecret: (String) -> String?
    /// Where `certificate install` reads a pasted pair.
    public var paste: any PasteSource = StandardInputPaste()
    /// Whether this session changed the running configuration.
    public internal(set) var changedConfiguration = false
    let audit: AuditClient
    let timeout: Duration

    public init(paths: AppliancePaths, identity: CLIIdentity, timeout: Duration = .seconds(5),
                write: @escaping (String) -> Void, readSecret: @escaping (String) -> String?) {
        self.paths = paths
        self.identity = identity
        self.timeout = timeout
        output = write
        self.readSecret = readSecret
        audit = AuditClient(socketPath: paths.auditSocket, appName: "cli") { _ in }
    }

    /// Every result goes out through here: control characters from data are
    /// escaped (TerminalText), only the CLI's own line breaks stay.
    func write(_ text: String) { output(TerminalText.escaped(text, keepingLineBreaks: true)) }

    func client(_ daemon: String) -> ControlClient { ControlClient(paths: paths, daemon: daemon, timeout: timeout) }

    func call<M: ControlMethod>(_ daemon: String, _ method: M.Type, _ parameters: M.Parameters) throws(CommandError) -> M.Result {
        do {
            return try client(daemon).callBlocking(method, parameters)
        } catch {
            throw CommandError(column: -1, Self.explain(error, daemon: daemon))
        }
    }

    static func explain(_ error: ControlError, daemon: String) -> String {
        switch error.code {
        case .unavailable, .timeout: "\(daemon) is not answering (\(error.message)); the rest of the appliance still works"
        case .permissionDenied: error.message.hasPrefix("not permitted") ? error.message : "not permitted: \(error.message)"
        default: error.message
        }
    }

    /// Runs one line; returns false after printing an error pointing at the
    /// offending word. Every command is audited with its outcome.
    @discardableResult
    public func run(_ line: String, prompt: Int = 0, errors print: (String) -> Void) -> Bool {
        // Error messages quote names and texts from the daemons: the same boundary as results.
        func errors(_ text: String) { print(TerminalText.escaped(text, keepingLineBreaks: true)) }
        let parsed: ParsedCommand
        do {
            parsed = try CommandTree.grammar.parse(line)
        } catch {
            errors(Self.pointer(at: error.column, promptWidth: prompt, line: line) + "% " + error.message)
            return false
        }
        do {
            try execute(parsed, line: line)
            record(line, outcome: "ok")
            return true
        } catch {
            if error.column >= 0 {
                errors(Self.pointer(at: error.column, promptWidth: prompt, line: line) + "% " + error.message)
            } else {
                errors("% " + error.message)
            }
            record(line, outcome: "error")
            return false
        }
    }

    /// A `^` under the column, when the line is on screen (interactive), or
    /// the line and the `^` (one-shot).
    static func pointer(at column: Int, promptWidth: Int, line: String) -> String {
        let column = max(0, min(column, line.count))
        if promptWidth > 0 { return String(repeating: " ", count: promptWidth + column) + "^\n" }
        return "  " + line + "\n" + String(repeating: " ", count: 2 + column) + "^\n"
    }

    func record(_ line: String, outcome: String) {
        // Passwords are asked for, never on a command line; the secrets a
        // configuration line may hold (SNMP keys, password hashes) are
        // redacted by the configuration language's own rule (as webd does).
        // The line is cut to keep events bounded.
        audit.record(AuditEvent("cli-command", facts: [("account", identity.account), ("role", identity.role.rawValue),
                                                       ("channel", identity.origin.channel), ("peer", identity.origin.peer),
                                                       ("outcome", outcome)],
                                message: String(ConfigRedaction.redacted(line: line).prefix(512))))
    }

    // MARK: Commands

    func execute(_ parsed: ParsedCommand, line: String) throws(CommandError) {
        try parsed.command.run(self, parsed, line)
    }

    func showConfiguration(startup: Bool, json: Bool) throws(CommandError) {
        let snapshot = try call("configd", ConfigdMethod.Get.self, .init(session: identity.session, startup: startup))
        if json { return emit(json: snapshot.config) }
        write(snapshot.text.hasSuffix("\n") || snapshot.text.isEmpty ? snapshot.text : snapshot.text + "\n")
    }

    /// Several words typed bare (`banner Authorised use only`) or one quoted word.
    static func oneText(_ rest: String) throws(CommandError) -> String {
        let words = try CommandWords.split(rest).words
        return words.count == 1 ? words[0].text : words.map(\.text).joined(separator: " ")
    }

    /// Sends configuration commands to configd, checked first by the same
    /// parser so an error points at the word typed (`offset` maps a column of
    /// the configuration line back to the line typed; nil: no mapping).
    func apply(_ commands: [String], from line: String, offset: Int? = nil) throws(CommandError) {
        // Checked against the running configuration: `no account X` needs X.
        var scratch = try call("configd", ConfigdMethod.Get.self, .init(session: identity.session)).config
        for command in commands {
            do {
                try ConfigParser.apply(line: command, to: &scratch)
            } catch {
                if let offset { throw CommandError(column: max(0, offset + error.column - 1), "expected \(error.expected)" + (error.found.map { ", found \"\($0)\"" } ?? "")) }
                throw CommandError(column: -1, "\(error.expected)" + (error.found.map { ", not \"\($0)\"" } ?? "") + " (in: \(command))")
            }
        }
        let applied = try call("configd", ConfigdMethod.Apply.self, .init(session: identity.session, commands: commands, origin: identity.origin))
        changedConfiguration = changedConfiguration || !applied.diff.isEmpty
        write(applied.diff.isEmpty ? "No change.\n" : applied.diff.map(TerminalText.field).joined(separator: "\n") + "\n")
    }

    func streamFields(_ parsed: ParsedCommand, creating: Bool) throws(CommandError) {
        guard let nameOption = parsed.options.last(where: { $0.key == "name" }) else {
            throw CommandError(column: -1, "name=NAME is required")
        }
        let name = nameOption.value
        let snapshot = try call("configd", ConfigdMethod.Get.self, .init(sections: [.streams], session: identity.session))
        let exists = snapshot.config.streams.contains { $0.name == name }
        if creating {
            guard !exists else { throw CommandError(column: nameOption.column, "stream \(name) exists (stream set name=\(name) ... changes it)") }
            guard parsed.option("source") != nil, parsed.option("dest") != nil else {
                throw CommandError(column: -1, "a new stream needs source= and dest=")
            }
        } else {
            guard exists else { throw CommandError(column: nameOption.column, "no stream named \(name) (stream create makes one)") }
        }
        var settings: [(keyword: String, value: String?)] = []
        var extra: [String] = []
        for option in parsed.options where option.key != "name" {
            switch option.key {
            case "dest": settings.append(("destination", option.value))
            case "shaping":
                guard let on = Self.yesNo(option.value) else { throw CommandError(column: option.column, "shaping= takes yes or no") }
                settings.append(("shaping", on ? "on" : "off"))
            case "ceiling": settings += [("shaping", nil), ("ceiling", option.value)]
            case "autostart":
                guard let on = Self.yesNo(option.value) else { throw CommandError(column: option.column, "autostart= takes yes or no") }
                if on { settings.append(("autostart", nil)) } else { extra.append(ConfigLine.noStreamSetting(name, "autostart")) }
            default: settings.append((option.key, option.value))
            }
        }
        var commands = settings.isEmpty ? [] : [ConfigLine.stream(name, settings)]
        commands += extra
        guard !commands.isEmpty else { throw CommandError(column: -1, "name a field to change (source= dest= ttl= ...)") }
        do {
            var scratch = snapshot.config
            for command in commands { try ConfigParser.apply(line: command, to: &scratch) }
        } catch {
            // Point at the key=value word whose value the parser refused.
            let refused = Self.optionAt(error.column, in: commands[0], options: parsed.options)
            throw CommandError(column: refused ?? -1, "expected \(error.expected)" + (error.found.map { ", found \"\($0)\"" } ?? ""))
        }
        try apply(commands, from: "")
    }

    /// The column of the option whose value sits at `column` of `command`.
    static func optionAt(_ column: Int, in command: String, options: [ParsedCommand.KeyValue]) -> Int? {
        let words = (try? CommandWords.split(command).words) ?? []
        guard let index = words.firstIndex(where: { $0.start <= column - 1 && column - 1 <= $0.end }), index >= 2 else { return nil }
        let keyword = words[index - 1].text
        let key = keyword == "destination" ? "dest" : keyword
        return options.first { $0.key == key || ($0.key == "ceiling" && keyword == "ceiling") }?.column
    }

    static func yesNo(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "yes", "on", "true": true
        case "no", "off", "false": false
        default: nil
        }
    }

    func setPassword(account: String?) throws(CommandError) {
        let own = account == nil || account == identity.account
        if own && identity.session == nil {
            throw CommandError(column: -1, "the console has no account of its own: use account NAME passwd")
        }
        var current: String?
        if own {
            guard let typed = readSecret("Current password: ") else { throw CommandError(column: -1, "cancelled") }
            current = typed
        }
        guard let new = readSecret("New password: "), let again = readSecret("New password again: ") else {
            throw CommandError(column: -1, "cancelled")
        }
        guard new == again else { throw CommandError(column: -1, "the two new passwords differ; nothing changed") }
        _ = try call("configd", ConfigdMethod.SetPassword.self,
                     .init(session: identity.session, account: own ? nil : account, currentPassword: current, newPassword: new, origin: identity.origin))
        write("Password changed.\n")
    }

    func showSystem(json: Bool) throws(CommandError) {
        let snapshot = try call("configd", ConfigdMethod.Get.self, .init(sections: [.system], session: identity.session))
        let status = try call("configd", ConfigdMethod.Status.self, NoValue())
        let view = SystemView(hostname: snapshot.config.system.hostname, location: snapshot.config.system.location,
                              contact: snapshot.config.system.contact, uptimeSeconds: HostFacts.uptime(),
                              load: HostFacts.load(), memoryTotalBytes: HostFacts.memory().total, memoryAvailableBytes: HostFacts.memory().available,
                              configurationRevision: status.revision, savedRevision: status.savedRevision, unsavedChanges: status.unsavedChanges,
                              sessions: status.sessions)
        if json { return emit(json: view) }
        write(Render.system(view))
    }

    func showAudit(_ parsed: ParsedCommand) throws(CommandError) {
        var query = AuditdMethod.QueryParameters(limit: 40)
        for option in parsed.options {
            switch option.key {
            case "service": query.appName = option.value
            case "account": query.account = option.value
            case "text": query.text = option.value
            case "severity":
                guard let level = Int(option.value), (0...7).contains(level) else { throw CommandError(column: option.column, "severity= takes 0 (emergency) to 7 (debug)") }
                query.maximumSeverity = level
            case "last":
                guard let count = Int(option.value), (1...1000).contains(count) else { throw CommandError(column: option.column, "last= takes 1 to 1000") }
                query.limit = count
            default: break
            }
        }
        query.session = identity.session
        let result = try call("auditd", AuditdMethod.Query.self, query)
        if parsed.json { return emit(json: result) }
        write(Render.audit(result))
    }

    func emit<T: Encodable>(json value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if let data = try? encoder.encode(value) { write(String(decoding: data, as: UTF8.self) + "\n") }
    }

    /// Whether the running configuration differs from the startup one.
    public func unsavedChanges() -> Bool? {
        (try? client("configd").callBlocking(ConfigdMethod.Status.self, NoValue()))?.unsavedChanges
    }

    /// Names for completion; empty when the daemon is down.
    public func names(_ kind: ArgumentKind) -> [String] {
        switch kind {
        case .stream:
            return (try? client("configd").callBlocking(ConfigdMethod.Get.self, .init(sections: [.streams], session: identity.session)))?.config.streams.map(\.name) ?? []
        case .account:
            return (try? client("configd").callBlocking(ConfigdMethod.Get.self, .init(sections: [.accounts], session: identity.session)))?.config.accounts.map(\.name) ?? []
        case .service:
            return (try? client("procmon").callBlocking(ProcmonMethod.Processes.self, NoValue()))?.map(\.name) ?? []
        default:
            return []
        }
    }
}

struct SessionView: Codable {
    var account: String
    var role: String
    var channel: String
    var peer: String
}

struct AccountView: Codable {
    var name: String
    var role: String
    var locked: Bool
    var passwordChangedAt: Int64?
    var sshKeys: [String]
    init(_ account: Account) {
        name = account.name
        role = account.role.rawValue
        locked = account.locked
        passwordChangedAt = account.passwordChangedAt
        sshKeys = account.sshKeys.map(\.description)
    }
}

struct SystemView: Codable {
    var hostname: String
    var location: String?
    var contact: String?
    var uptimeSeconds: Double
    var load: [Double]
    var memoryTotalBytes: Int
    var memoryAvailableBytes: Int
    var configurationRevision: UInt64
    var savedRevision: UInt64
    var unsavedChanges: Bool
    var sessions: Int
}

/// The host's uptime, load and memory, from /proc.
enum HostFacts {
    static func read(_ path: String) -> String { (try? AtomicFile.read(path)).map { String(decoding: $0, as: UTF8.self) } ?? "" }
    static func uptime() -> Double { Double(read("/proc/uptime").split(separator: " ").first ?? "") ?? 0 }
    static func load() -> [Double] { read("/proc/loadavg").split(separator: " ").prefix(3).compactMap { Double($0) } }
    static func memory() -> (total: Int, available: Int) {
        var values: [String: Int] = [:]
        for line in read("/proc/meminfo").split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count >= 2, let kib = Int(parts[1]) { values[String(parts[0].dropLast())] = kib * 1024 }
        }
        return (values["MemTotal"] ?? 0, values["MemAvailable"] ?? 0)
    }
}
