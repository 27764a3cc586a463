/// Every command the CLI runs.
public enum CommandID: String, Sendable, CaseIterable {
    case showSystem = "show system"
    case showProcesses = "show processes"
    case showNetworkProcesses = "show network-processes"
    case showRunning = "show running-config"
    case showRunningDiff = "show running-config diff"
    case showStartup = "show startup-config"
    case showStreams = "show streams"
    case showStream = "show stream"
    case showAccounts = "show accounts"
    case showAudit = "show audit"
    case showLogging = "show logging"
    case showSession = "show session"
    case save = "copy running-config startup-config"
    case revert = "copy startup-config running-config"
    case streamCreate = "stream create"
    case streamSet = "stream set"
    case streamStart = "stream start"
    case streamStop = "stream stop"
    case streamDelete = "stream delete"
    case accountCreate = "account create"
    case accountPassword = "account passwd"
    case accountLock = "account lock"
    case accountUnlock = "account unlock"
    case accountDelete = "account delete"
    case accountKeyAdd = "account pubkey add"
    case accountKeyDelete = "account pubkey delete"
    case accountRole = "account role"
    case accountTokenCreate = "account api-token create"
    case accountTokenRevoke = "account api-token revoke"
    case showTokens = "show api-tokens"
    case password = "passwd"
    case policy = "policy"
    case banner = "banner"
    case hostname = "hostname"
    case ntpServer = "ntp server"
    case snmpTrap = "snmp trap"
    case snmpUser = "snmp user"
    case auditDestination = "audit destination"
    case certificateInstall = "certificate install"
    case showCertificate = "show certificate"
    /// A line of the configuration language, applied as it is.
    case configLine = "configuration"
    case noConfigLine = "no"
    case exit = "exit"
}

/// The CLI's commands, in the device's own words where it has them.
public enum CommandTree {
    /// The keys of `stream create` / `stream set`.
    public static let streamKeys = ["name", "source", "dest", "encapsulation", "ttl", "tos", "mtu", "interface", "shaping", "ceiling", "autostart"]
    /// The filters of `show audit`.
    public static let auditKeys = ["service", "account", "text", "severity", "last"]

    public static let grammar = Grammar([
        .keyword("show", "show the system's state or configuration", [
            .keyword("system", "identity, uptime, CPU and memory, configuration state", command: .showSystem),
            .keyword("processes", "every service: PID, state, start count, uptime, RSS", command: .showProcesses),
            .keyword("network-processes", "every process with an Internet socket or a listening Unix socket", command: .showNetworkProcesses),
            .keyword("running-config", "the configuration in effect, as commands", command: .showRunning, [
                .keyword("diff", "what differs from the startup configuration", command: .showRunningDiff),
            ]),
            .keyword("startup-config", "the configuration loaded at the next start", command: .showStartup),
            .keyword("streams", "every stream with its state and live rates", command: .showStreams),
            .keyword("api-tokens", "API tokens: id, account, label, created", command: .showTokens),
            .keyword("stream", "one stream in detail", [
                .argument("NAME", .stream, "the stream's name", command: .showStream),
            ]),
            .keyword("accounts", "accounts, roles, keys and lock state", command: .showAccounts),
            .keyword("audit", "the local audit log, newest last", command: .showAudit, [
                .argument("FILTER", .keyValues(auditKeys), "service=NAME account=NAME text=WORDS severity=0-7 last=N", command: .showAudit),
            ]),
            .keyword("logging", "a service's own log", [
                .argument("SERVICE", .service, "the service", command: .showLogging, [
                    .argument("LINES", .number(1...1000), "how many of the last lines (default 40)", command: .showLogging),
                ]),
            ]),
            .keyword("session", "who you are signed in as, and your role", command: .showSession),
            .keyword("certificate", "the web interface's certificate: subject, names, issuer, validity, SHA-256", command: .showCertificate),
        ]),
        .keyword("copy", "copy a configuration", [
            .keyword("running-config", "the configuration in effect", [
                .keyword("startup-config", "save it: it is loaded at the next start", command: .save),
            ]),
            .keyword("startup-config", "the saved configuration", [
                .keyword("running-config", "discard unsaved changes", command: .revert),
            ]),
        ]),
        .keyword("config", "configuration shortcuts", [
            .keyword("save", "copy running-config startup-config", command: .save),
        ]),
        .keyword("stream", "create, change, start, stop or delete a stream", [
            .keyword("create", "a new stream", [
                .argument("FIELDS", .keyValues(streamKeys), "name= source=file:/PATH|udp://HOST:PORT dest=rtp://HOST:PORT [ttl= tos= shaping=yes|no ceiling=% ...]", command: .streamCreate),
            ]),
            .keyword("set", "change a stream's fields", [
                .argument("FIELDS", .keyValues(streamKeys), "name=NAME and the fields to change", command: .streamSet),
            ]),
            .keyword("start", "start streaming", [.argument("NAME", .stream, "the stream's name", command: .streamStart)]),
            .keyword("stop", "stop streaming", [.argument("NAME", .stream, "the stream's name", command: .streamStop)]),
            .keyword("delete", "remove a stream", [.argument("NAME", .stream, "the stream's name", command: .streamDelete)]),
            .keyword("show", "one stream in detail", [.argument("NAME", .stream, "the stream's name", command: .showStream)]),
            .argument("NAME", .stream, "configuration form: stream NAME source ... (docs/CONFIGURATION.md)", [
                .argument("SETTINGS", .rest, "source SOURCE | destination DEST | ttl N | tos N | shaping ... | autostart", command: .configLine),
            ]),
        ]),
        .keyword("account", "manage an account", [
            .argument("NAME", .account, "the account's name", [
                .keyword("create", "a new account (role viewer unless given)", command: .accountCreate, [
                    .keyword("role", "its role", [.argument("ROLE", .word, "admin, operator or viewer", command: .accountCreate)]),
                ]),
                .keyword("role", "change its role", [.argument("ROLE", .word, "admin, operator or viewer", command: .accountRole)]),
                .keyword("passwd", "set its password (asked twice)", command: .accountPassword),
                .keyword("lock", "refuse its logins and end its sessions", command: .accountLock),
                .keyword("unlock", "allow its logins again", command: .accountUnlock),
                .keyword("delete", "remove it", command: .accountDelete),
                .keyword("api-token", "bearer tokens for scripts (admin)", [
                    .keyword("create", "a new token; its secret is shown once", [.argument("LABEL", .word, "what it is for, e.g. nms-poller", command: .accountTokenCreate)]),
                    .keyword("revoke", "stop a token at once", [.argument("ID", .word, "the id shown by show api-tokens", command: .accountTokenRevoke)]),
                ]),
                .keyword("pubkey", "its ssh public keys", [
                    .keyword("add", "add a key", [.argument("KEY", .rest, "\"TYPE BASE64 [COMMENT]\" as in authorized_keys", command: .accountKeyAdd)]),
                    .keyword("delete", "remove a key", [.argument("KEY", .rest, "\"TYPE BASE64 [COMMENT]\" as shown by show accounts", command: .accountKeyDelete)]),
                ]),
            ]),
        ]),
        .keyword("passwd", "change your own password", command: .password),
        .keyword("policy", "the security policy (docs/CONFIGURATION.md: security ...)", [
            .argument("SETTINGS", .rest, "password|login|session SETTING VALUE ...", command: .policy),
        ]),
        .keyword("banner", "the text shown before sign-in", [
            .argument("TEXT", .rest, "the banner, in quotes (\\n for a new line)", command: .banner),
        ]),
        .keyword("hostname", "the appliance's name", [.argument("NAME", .word, "a host name", command: .hostname)]),
        .keyword("ntp", "time servers", [
            .keyword("server", "add a time server", [.argument("HOST", .word, "address or name", command: .ntpServer)]),
        ]),
        .keyword("snmp", "SNMP users and trap receivers", [
            .keyword("trap", "a trap receiver", [.argument("SETTINGS", .rest, "HOST [port N] user NAME [trap|inform]", command: .snmpTrap)]),
            snmpUser,
            .argument("SETTINGS", .rest, "trap-receiver HOST ... | engine-id HEX (the configuration form)", command: .configLine),
        ]),
        .keyword("audit", "remote audit destinations", [
            .keyword("destination", "a syslog-over-TLS collector", [
                .argument("SETTINGS", .rest, "HOST [port N] trust {ca-signed ca-bundle PATH | fingerprint sha256:HEX}", command: .auditDestination),
            ]),
        ]),
        certificate,
        .keyword("system", "system location / contact (configuration form)", [
            .argument("SETTINGS", .rest, "location TEXT | contact TEXT", command: .configLine),
        ]),
        .keyword("security", "the security policy (configuration form)", [
            .argument("SETTINGS", .rest, "password|login|session SETTING VALUE ...", command: .configLine),
        ]),
        .keyword("interface", "network interfaces (configuration form)", [
            .argument("SETTINGS", .rest, "IFNAME dhcp | IFNAME address ADDRESS/PREFIX ...", command: .configLine),
        ]),
        .keyword("logging", "remote audit logging and retention (configuration form)", [
            .argument("SETTINGS", .rest, "remote HOST ... | retention ...", command: .configLine),
        ]),
        .keyword("no", "remove an object or reset a setting", [
            .argument("COMMAND", .rest, "a configuration command: no stream NAME, no ntp server HOST, ...", command: .noConfigLine),
        ]),
        .keyword("exit", "end the session", command: .exit),
        .keyword("quit", "end the session", command: .exit),
        .keyword("logout", "end the session", command: .exit),
    ])
}
