import ApplianceCore
import Configuration
import ApplianceProtocol

/// One CLI command: its name and what it does. Its words, their help and
/// their completion are in the `CommandEntry` values that run it.
public struct CLICommand: Sendable, Equatable {
    public typealias Handler = @Sendable (_ runner: CommandRunner, _ parsed: ParsedCommand, _ line: String) throws(CommandError) -> Void

    /// The command's keywords, arguments left out (`show stream`): how
    /// tests and the shell name it.
    public let name: String
    let run: Handler

    public init(_ name: String, run: @escaping Handler) {
        self.name = name
        self.run = run
    }

    public static func == (lhs: CLICommand, rhs: CLICommand) -> Bool { lhs.name == rhs.name }

    /// What an unfinished parse holds before it reaches a command.
    static let unset = CLICommand("") { _, _, _ in }
}

/// One line of the command table: the words that run a command (keywords
/// with their help, arguments with their kind and help) and the command.
public struct CommandEntry: Sendable {
    public struct Word: Sendable {
        var kind: GrammarNode.Kind
        /// Empty when another entry gives it (`show` is described once).
        var help: String
        /// The command is whole before this word too (`show audit [FILTER]`).
        var isOptional = false

        public static func k(_ word: String, _ help: String = "") -> Word { Word(kind: .keyword(word), help: help) }
        public static func a(_ name: String, _ kind: ArgumentKind, _ help: String) -> Word { Word(kind: .argument(name: name, kind: kind), help: help) }
        /// This word and the ones after it may be left out.
        public var optional: Word {
            var word = self
            word.isOptional = true
            return word
        }
    }

    public let words: [Word]
    public let command: CLICommand

    /// A command of its own, named by its keywords unless `name` is given.
    public init(_ words: [Word], name: String? = nil, run: @escaping CLICommand.Handler) {
        self.words = words
        let keywords = words.prefix { !$0.isOptional }.compactMap { word -> String? in
            if case .keyword(let text) = word.kind { return text }
            return nil
        }
        command = CLICommand(name ?? keywords.joined(separator: " "), run: run)
    }

    /// Other words for a command another entry defines (`config save`).
    public init(_ words: [Word], runs command: CLICommand) {
        self.words = words
        self.command = command
    }
}

/// The CLI's commands, in the device's own words where it has them: each
/// is one entry here, read by parsing, `?` help, Tab completion and dispatch
/// alike. Entries sharing leading words share them in the tree, in the
/// order they first appear here.
public enum CommandTree {
    /// The keys of `stream create` / `stream set`.
    public static let streamKeys = ["name", "source", "dest", "encapsulation", "ttl", "tos", "mtu", "interface", "shaping", "ceiling", "autostart"]
    /// The filters of `show audit`.
    public static let auditKeys = ["service", "account", "text", "severity", "last"]

    public static let grammar = Grammar(entries)

    /// A line of the configuration language, applied as it is (`stream NAME
    /// ...`, `snmp engine-id ...`, `no ...`).
    public static let configLine = CLICommand("configuration") { runner, parsed, line throws(CommandError) in
        // The configuration language as typed, its first keyword written out.
        let words = (try? CommandWords.split(line).words) ?? []
        guard let first = words.first, let keyword = parsed.keywords.first else { return }
        let tail = String(Array(line)[first.end...])
        try runner.apply([keyword + tail], from: line, offset: first.end - keyword.count)
    }
    public static let noConfigLine = CLICommand("no") { runner, parsed, line throws(CommandError) in try configLine.run(runner, parsed, line) }
    public static let exit = CLICommand("exit") { _, _, _ in }
    public static let save = CLICommand("copy running-config startup-config") { runner, _, _ throws(CommandError) in
        let saved = try runner.call("configd", ConfigdMethod.Save.self, .init(session: runner.identity.session, origin: runner.identity.origin))
        runner.changedConfiguration = false
        runner.write("Saved: the startup configuration is revision \(saved.revision).\n")
    }
    public static let showStream = CLICommand("show stream") { runner, parsed, _ throws(CommandError) in
        let name = parsed.arguments["NAME"] ?? ""
        let status = try runner.call("sessmgrd", SessmgrdMethod.Status.self, .init(name: name, session: runner.identity.session))
        guard let stream = status.streams.first(where: { $0.name == name }) else { throw CommandError(column: -1, "no stream named \"\(name)\"") }
        if parsed.json { return runner.emit(json: stream) }
        runner.write(Render.stream(stream))
    }

    static func form(_ help: String) -> CommandEntry.Word { .a("SETTINGS", .configuration, help) }

    public static let entries: [CommandEntry] = show + copy + stream + account + settings + snmp + audit + [certificateInstall] + configurationForms + ending

    static let show: [CommandEntry] = [
        .init([.k("show", "show the system's state or configuration"), .k("system", "identity, uptime, CPU and memory, configuration state")]) { runner, parsed, _ throws(CommandError) in
            try runner.showSystem(json: parsed.json)
        },
        .init([.k("show"), .k("processes", "every service: PID, state, start count, uptime, RSS")]) { runner, parsed, _ throws(CommandError) in
            let processes = try runner.call("procmon", ProcmonMethod.Processes.self, NoValue())
            if parsed.json { return runner.emit(json: processes) }
            runner.write(Render.processes(processes))
        },
        .init([.k("show"), .k("network-processes", "every process with an Internet socket or a listening Unix socket")]) { runner, parsed, _ throws(CommandError) in
            let sockets = try runner.call("procmon", ProcmonMethod.NetworkProcesses.self, .init(session: runner.identity.session))
            if parsed.json { return runner.emit(json: sockets) }
            runner.write(Render.sockets(sockets))
        },
        .init([.k("show"), .k("running-config", "the configuration in effect, as commands")]) { runner, parsed, _ throws(CommandError) in
            try runner.showConfiguration(startup: false, json: parsed.json)
        },
        .init([.k("show"), .k("running-config"), .k("diff", "what differs from the startup configuration")]) { runner, parsed, _ throws(CommandError) in
            let diff = try runner.call("configd", ConfigdMethod.Diff.self, .init(session: runner.identity.session, origin: runner.identity.origin))
            if parsed.json { return runner.emit(json: diff) }
            runner.write(diff.lines.isEmpty ? "No differences: the running configuration is saved.\n" : diff.lines.map(TerminalText.field).joined(separator: "\n") + "\n")
        },
        .init([.k("show"), .k("startup-config", "the configuration loaded at the next start")]) { runner, parsed, _ throws(CommandError) in
            try runner.showConfiguration(startup: true, json: parsed.json)
        },
        .init([.k("show"), .k("streams", "every stream with its state and live rates")]) { runner, parsed, _ throws(CommandError) in
            let status = try runner.call("sessmgrd", SessmgrdMethod.Status.self, .init(session: runner.identity.session))
            if parsed.json { return runner.emit(json: status) }
            runner.write(Render.streams(status))
        },
        .init([.k("show"), .k("api-tokens", "API tokens: id, account, label, created")]) { runner, parsed, _ throws(CommandError) in
            let tokens = try runner.call("configd", ConfigdMethod.APITokenList.self, .init(session: runner.identity.session))
            if parsed.json { return runner.emit(json: tokens) }
            runner.write(tokens.isEmpty ? "(no API tokens)\n" : Render.apiTokens(tokens))
        },
        .init([.k("show"), .k("stream", "one stream in detail"), .a("NAME", .stream, "the stream's name")], runs: showStream),
        .init([.k("show"), .k("accounts", "accounts, roles, keys and lock state")]) { runner, parsed, _ throws(CommandError) in
            let snapshot = try runner.call("configd", ConfigdMethod.Get.self, .init(sections: [.accounts], session: runner.identity.session))
            if parsed.json { return runner.emit(json: snapshot.config.accounts.map(AccountView.init)) }
            runner.write(Render.accounts(snapshot.config.accounts))
        },
        .init([.k("show"), .k("audit", "the local audit log, newest last"),
               .a("FILTER", .keyValues(auditKeys), "service=NAME account=NAME text=WORDS severity=0-7 last=N").optional]) { runner, parsed, _ throws(CommandError) in
            try runner.showAudit(parsed)
        },
        .init([.k("show"), .k("logging", "a service's own log"), .a("SERVICE", .service, "the service"),
               .a("LINES", .number(1...1000), "how many of the last lines (default 40)").optional]) { runner, parsed, _ throws(CommandError) in
            let service = parsed.arguments["SERVICE"] ?? ""
            let lines = parsed.arguments["LINES"].flatMap(Int.init)
            let log = try runner.call("procmon", ProcmonMethod.Log.self, .init(service: service, lines: lines, session: runner.identity.session))
            if parsed.json { return runner.emit(json: log) }
            runner.write(log.lines.isEmpty ? "(the log of \(service) is empty)\n" : log.lines.map(TerminalText.field).joined(separator: "\n") + "\n")
        },
        .init([.k("show"), .k("session", "who you are signed in as, and your role")]) { runner, parsed, _ throws(CommandError) in
            let identity = runner.identity
            let view = SessionView(account: identity.account, role: identity.role.rawValue, channel: identity.origin.channel, peer: identity.origin.peer)
            if parsed.json { return runner.emit(json: view) }
            runner.write("account  \(TerminalText.field(view.account))\nrole     \(view.role)\nchannel  \(view.channel) from \(TerminalText.field(view.peer))\n")
        },
        .init([.k("show"), .k("certificate", "the web interface's certificate: subject, names, issuer, validity, SHA-256")]) { runner, parsed, _ throws(CommandError) in
            try runner.showCertificate(parsed)
        },
    ]

    static let copy: [CommandEntry] = [
        .init([.k("copy", "copy a configuration"), .k("running-config", "the configuration in effect"),
               .k("startup-config", "save it: it is loaded at the next start")], runs: save),
        .init([.k("copy"), .k("startup-config", "the saved configuration"), .k("running-config", "discard unsaved changes")]) { runner, _, _ throws(CommandError) in
            let reverted = try runner.call("configd", ConfigdMethod.Revert.self, .init(session: runner.identity.session, origin: runner.identity.origin))
            runner.write("Reverted: the running configuration is the startup one again (revision \(reverted.revision)).\n")
        },
        .init([.k("config", "configuration shortcuts"), .k("save", "copy running-config startup-config")], runs: save),
    ]

    static let stream: [CommandEntry] = [
        .init([.k("stream", "create, change, start, stop or delete a stream"), .k("create", "a new stream"),
               .a("FIELDS", .keyValues(streamKeys), "name= source=file:/PATH|udp://HOST:PORT dest=rtp://HOST:PORT [ttl= tos= shaping=yes|no ceiling=% ...]")]) { runner, parsed, _ throws(CommandError) in
            try runner.streamFields(parsed, creating: true)
        },
        .init([.k("stream"), .k("set", "change a stream's fields"), .a("FIELDS", .keyValues(streamKeys), "name=NAME and the fields to change")]) { runner, parsed, _ throws(CommandError) in
            try runner.streamFields(parsed, creating: false)
        },
        .init([.k("stream"), .k("start", "start streaming"), .a("NAME", .stream, "the stream's name")]) { runner, parsed, _ throws(CommandError) in
            let result = try runner.call("sessmgrd", SessmgrdMethod.Start.self, .init(name: parsed.arguments["NAME"] ?? "", session: runner.identity.session))
            runner.write("\(result.name): \(result.state)\n")
        },
        .init([.k("stream"), .k("stop", "stop streaming"), .a("NAME", .stream, "the stream's name")]) { runner, parsed, _ throws(CommandError) in
            let result = try runner.call("sessmgrd", SessmgrdMethod.Stop.self, .init(name: parsed.arguments["NAME"] ?? "", session: runner.identity.session))
            runner.write("\(result.name): \(result.state)\n")
        },
        .init([.k("stream"), .k("delete", "remove a stream"), .a("NAME", .stream, "the stream's name")]) { runner, parsed, line throws(CommandError) in
            try runner.apply([ConfigLine.noStream(parsed.arguments["NAME"] ?? "")], from: line)
        },
        .init([.k("stream"), .k("show", "one stream in detail"), .a("NAME", .stream, "the stream's name")], runs: showStream),
        .init([.k("stream"), .a("NAME", .stream, "configuration form: stream NAME source ... (docs/CONFIGURATION.md)"),
               form("source SOURCE | destination DEST | ttl N | tos N | shaping ... | autostart")], runs: configLine),
    ]

    static let account: [CommandEntry] = [
        .init([.k("account", "manage an account"), .a("NAME", .account, "the account's name"), .k("create", "a new account (role viewer unless given)"),
               .k("role", "its role").optional, .a("ROLE", .word, "admin, operator or viewer")]) { runner, parsed, line throws(CommandError) in
            let name = parsed.arguments["NAME"] ?? ""
            let role = parsed.arguments["ROLE"] ?? "viewer"
            let snapshot = try runner.call("configd", ConfigdMethod.Get.self, .init(sections: [.accounts], session: runner.identity.session))
            if snapshot.config.accounts.contains(where: { $0.name == name }) {
                throw CommandError(column: -1, "account \(name) exists (account \(name) role ROLE changes its role)")
            }
            try runner.apply([ConfigLine.accountRole(name, role)], from: line)
            runner.write("Account \(name) created (\(role)); give it a password (account \(name) passwd) or a key (account \(name) pubkey add ...).\n")
        },
        .init([.k("account"), .a("NAME", .account, ""), .k("role", "change its role"), .a("ROLE", .word, "admin, operator or viewer")]) { runner, parsed, line throws(CommandError) in
            try runner.apply([ConfigLine.accountRole(parsed.arguments["NAME"] ?? "", parsed.arguments["ROLE"] ?? "")], from: line)
        },
        .init([.k("account"), .a("NAME", .account, ""), .k("passwd", "set its password (asked twice)")]) { runner, parsed, _ throws(CommandError) in
            try runner.setPassword(account: parsed.arguments["NAME"])
        },
        .init([.k("account"), .a("NAME", .account, ""), .k("lock", "refuse its logins and end its sessions")]) { runner, parsed, line throws(CommandError) in
            try runner.apply([ConfigLine.accountLocked(parsed.arguments["NAME"] ?? "", true)], from: line)
        },
        .init([.k("account"), .a("NAME", .account, ""), .k("unlock", "allow its logins again")]) { runner, parsed, line throws(CommandError) in
            try runner.apply([ConfigLine.accountLocked(parsed.arguments["NAME"] ?? "", false)], from: line)
        },
        .init([.k("account"), .a("NAME", .account, ""), .k("delete", "remove it")]) { runner, parsed, line throws(CommandError) in
            try runner.apply([ConfigLine.noAccount(parsed.arguments["NAME"] ?? "")], from: line)
        },
        .init([.k("account"), .a("NAME", .account, ""), .k("api-token", "bearer tokens for scripts (admin)"),
               .k("create", "a new token; its secret is shown once"), .a("LABEL", .word, "what it is for, e.g. nms-poller")]) { runner, parsed, _ throws(CommandError) in
            let issued = try runner.call("configd", ConfigdMethod.APITokenCreate.self,
                                         .init(session: runner.identity.session, account: parsed.arguments["NAME"] ?? "", label: parsed.arguments["LABEL"] ?? "", origin: runner.identity.origin))
            if parsed.json { return runner.emit(json: issued) }
            runner.write("API token \(issued.token.id) for \(issued.token.account) (\(issued.token.label)); its secret, shown only now:\n\(issued.secret)\n")
        },
        .init([.k("account"), .a("NAME", .account, ""), .k("api-token"), .k("revoke", "stop a token at once"),
               .a("ID", .word, "the id shown by show api-tokens")]) { runner, parsed, _ throws(CommandError) in
            _ = try runner.call("configd", ConfigdMethod.APITokenRevoke.self, .init(session: runner.identity.session, id: parsed.arguments["ID"] ?? "", origin: runner.identity.origin))
            runner.write("API token \(parsed.arguments["ID"] ?? "") revoked.\n")
        },
        .init([.k("account"), .a("NAME", .account, ""), .k("pubkey", "its ssh public keys"), .k("add", "add a key"),
               .a("KEY", .rest, "\"TYPE BASE64 [COMMENT]\" as in authorized_keys")]) { runner, parsed, line throws(CommandError) in
            let key = try CommandRunner.oneText(parsed.rest ?? "")
            try runner.apply([ConfigLine.accountSSHKey(parsed.arguments["NAME"] ?? "", key)], from: line)
        },
        .init([.k("account"), .a("NAME", .account, ""), .k("pubkey"), .k("delete", "remove a key"),
               .a("KEY", .rest, "\"TYPE BASE64 [COMMENT]\" as shown by show accounts")]) { runner, parsed, line throws(CommandError) in
            let key = try CommandRunner.oneText(parsed.rest ?? "")
            try runner.apply([ConfigLine.accountSSHKey(parsed.arguments["NAME"] ?? "", key, present: false)], from: line)
        },
    ]

    static let settings: [CommandEntry] = [
        .init([.k("passwd", "change your own password")]) { runner, _, _ throws(CommandError) in try runner.setPassword(account: nil) },
        .init([.k("policy", "the security policy (docs/CONFIGURATION.md: security ...)"),
               .a("SETTINGS", .rest, "password|login|session SETTING VALUE ...")]) { runner, parsed, line throws(CommandError) in
            try runner.apply(["security " + (parsed.rest ?? "")], from: line)
        },
        .init([.k("banner", "the text shown before sign-in"), .a("TEXT", .rest, "the banner, in quotes (\\n for a new line)")]) { runner, parsed, line throws(CommandError) in
            try runner.apply([ConfigLine.loginBanner(try CommandRunner.oneText(parsed.rest ?? ""))], from: line)
        },
        .init([.k("hostname", "the appliance's name"), .a("NAME", .word, "a host name")]) { runner, parsed, line throws(CommandError) in
            try runner.apply([ConfigLine.hostname(parsed.arguments["NAME"] ?? "")], from: line)
        },
        .init([.k("ntp", "time servers"), .k("server", "add a time server"), .a("HOST", .word, "address or name")]) { runner, parsed, line throws(CommandError) in
            try runner.apply([ConfigLine.ntpServer(parsed.arguments["HOST"] ?? "")], from: line)
        },
    ]

    static let snmp: [CommandEntry] = {
        let snmp = CommandEntry.Word.k("snmp", "SNMP users and trap receivers")
        var entries: [CommandEntry] = [
            .init([snmp, .k("trap", "a trap receiver"), .a("SETTINGS", .rest, "HOST [port N] user NAME [trap|inform]")]) { runner, parsed, line throws(CommandError) in
                try runner.apply(["snmp trap-receiver " + (parsed.rest ?? "")], from: line)
            },
        ]
        entries += snmpUser
        entries.append(.init([snmp, form("trap-receiver HOST ... | engine-id HEX (the configuration form)")], runs: configLine))
        return entries
    }()

    static let audit: [CommandEntry] = [
        .init([.k("audit", "remote audit destinations"), .k("destination", "a syslog-over-TLS collector"),
               .a("SETTINGS", .rest, "HOST [port N] trust {ca-signed ca-bundle PATH | fingerprint sha256:HEX}")]) { runner, parsed, line throws(CommandError) in
            try runner.apply(["logging remote " + (parsed.rest ?? "")], from: line)
        },
    ]

    static let configurationForms: [CommandEntry] = [
        .init([.k("system", "system location / contact (configuration form)"), form("location TEXT | contact TEXT")], runs: configLine),
        .init([.k("security", "the security policy (configuration form)"), form("password|login|session SETTING VALUE ...")], runs: configLine),
        .init([.k("interface", "network interfaces (configuration form)"), form("IFNAME dhcp | IFNAME address ADDRESS/PREFIX ...")], runs: configLine),
        .init([.k("logging", "remote audit logging and retention (configuration form)"), form("remote HOST ... | retention ...")], runs: configLine),
        .init([.k("no", "remove an object or reset a setting"),
               .a("COMMAND", .configuration, "a configuration command: no stream NAME, no ntp server HOST, ...")], runs: noConfigLine),
    ]

    static let ending: [CommandEntry] = [
        .init([.k("exit", "end the session")], runs: exit),
        .init([.k("quit", "end the session")], runs: exit),
        .init([.k("logout", "end the session")], runs: exit),
    ]
}

extension CommandTree {
    /// `snmp user NAME role ROLE auth AUTH priv PRIV` asks for the pass
    /// phrases (SNMPUserCommand). The words in this order do; any other
    /// order, or `auth-key` / `priv-key`, is the configuration form with
    /// localized keys, applied as typed.
    static let snmpUser: [CommandEntry] = {
        typealias Word = CommandEntry.Word
        let command = CLICommand("snmp user") { runner, parsed, line throws(CommandError) in try runner.snmpUser(parsed, line: line) }
        let user: [Word] = [.k("snmp"), .k("user", "an SNMPv3 user: asks for its pass phrases and derives its keys"),
                            .a("NAME", .word, "the user's name (\(ConfigName.rule))")]
        var asking: [CommandEntry] = []
        var forms: [CommandEntry] = []
        for role in Role.allCases {
            let roleWords = user + [.k("role", "its role"), .k(role.rawValue, "what the user may read and set, as an account of this role")]
            for auth in SNMPAuthProtocol.allCases {
                let authWords = roleWords + [.k("auth", "the authentication protocol"), .k(auth.rawValue, "HMAC-\(auth.rawValue.uppercased())")]
                for priv in SNMPPrivProtocol.allCases {
                    let privWords = authWords + [.k("priv", "the privacy protocol"),
                                                 .k(priv.rawValue, "AES-\(priv.keyLength * 8) CFB; then asks for the two pass phrases")]
                    asking.append(.init(privWords, runs: command))
                    forms.append(.init(privWords + [form("auth-key HEX priv-key HEX (the configuration form, localized keys)")], runs: configLine))
                }
                forms.append(.init(authWords + [form("auth-key HEX priv PRIV priv-key HEX (the configuration form, localized keys)")], runs: configLine))
            }
            forms.append(.init(roleWords + [form("auth AUTH auth-key HEX priv PRIV priv-key HEX (the configuration form)")], runs: configLine))
        }
        forms.append(.init(user + [form("role ROLE auth AUTH auth-key HEX priv PRIV priv-key HEX (the configuration form)")], runs: configLine))
        return asking + forms
    }()

    /// `certificate install [CERT KEY]` (CertificateCommand).
    static let certificateInstall = CommandEntry([
        .k("certificate", "the web interface's TLS certificate (admin)"),
        .k("install", "install a PEM chain and its key: two files, or <cr> to paste them"),
        .a("CERT", .word, "the chain's PEM file, the server's certificate first").optional,
        .a("KEY", .word, "the private key's PEM file (ECDSA P-256 or P-384, unencrypted)"),
    ]) { runner, parsed, _ throws(CommandError) in try runner.installCertificate(parsed) }
}
