/// Reads the configuration language: the text `show running-config` prints
/// and the CLI accepts, one command per line, in the manner of a network
/// device's configuration (NX-OS, IOS).
///
/// ## Lexical rules
///
/// - One command per line. LF or CRLF line ends. At most 16384 characters a
///   line and 1 MiB a file.
/// - Words are separated by spaces or tabs. A word is either bare (any
///   printable characters but blanks and `"`) or double-quoted, with the
///   escapes `\"`, `\\` and `\n` (newline) and nothing else.
/// - A line whose first non-blank character is `!` is a comment; blank lines
///   are ignored. Control and Unicode format characters are refused anywhere.
/// - Numbers are decimal or `0x` hex (`tos 0xb8`).
/// - `no COMMAND` removes an object or resets a setting to its default.
/// - Applying a command to an object that exists changes only what the
///   command names (`stream cam1 ttl 32`); `stream`, `account` and
///   `interface` lines create the object when it does not exist.
///
/// ## Commands
///
/// `ConfigGrammar.statements` lists every command with its forms (the
/// reference in docs/CONFIGURATION.md is rendered from it); the parser
/// dispatches on its first keywords.
///
/// - ROLE: `admin`, `operator`, `viewer` (`guest` is read as `viewer`).
/// - HOST: an IPv4 address, an IPv6 address (no brackets) or a DNS name.
/// - SOURCE: `file:/PATH`, `udp://[SOURCE@]HOST:PORT`, `rtp://[SOURCE@]HOST:PORT`;
///   DEST: `udp://HOST:PORT` or `rtp://HOST:PORT`; IPv6 in brackets.
/// - HASH: a `PasswordHasher` string, `$scrypt$ln=N,r=N,p=N$SALT$HASH`.
/// - KEY: an `authorized_keys` line in quotes, `"ssh-ed25519 AAAA... comment"`.
/// - ID: 16 lowercase hex digits. configd gives every account a random id
///   when it is created (and, once, to accounts of an older startup-config
///   that have none) and never reuses one; API tokens are bound to it, so a
///   token dies with its account even if the name is made again. Written in
///   the configuration so that it survives a restart; not meant to be typed.
/// - AUTH: `sha-1`, `sha-224`, `sha-256`, `sha-384`, `sha-512`;
///   PRIV: `aes-128`, `aes-192`, `aes-256`; keys are localized (RFC 3414 §2.6), in hex.
/// - An `account` line may name `password-history` and `ssh-key` several
///   times; each adds one entry. A `snmp user`, `snmp trap-receiver`,
///   `logging remote` or `interface` line replaces the whole object.
/// - A new stream needs `source` and `destination` on its first line.
///
/// The parser checks words, types and ranges; rules across objects (unique
/// destinations, references, one admin left) are `ConfigValidator`'s.
public enum ConfigParser {
    /// The largest configuration text read.
    public static let maximumTextSize = 1 << 20

    /// The command words, for dispatch and error messages.
    static let commands = ConfigGrammar.statements.map(\.keyword)

    /// Reads a whole configuration, starting from the factory defaults.
    public static func parse(_ text: String) throws(ConfigSyntaxError) -> ApplianceConfig {
        var config = ApplianceConfig()
        try apply(text: text, to: &config)
        return config
    }

    /// Applies every line of `text` to `config` in order. On an error,
    /// `config` is left as it was.
    public static func apply(text: String, to config: inout ApplianceConfig) throws(ConfigSyntaxError) {
        guard text.utf8.count <= maximumTextSize else {
            throw ConfigSyntaxError(line: 1, column: 1, expected: "a configuration of at most 1 MiB",
                                    found: "\(text.utf8.count) bytes")
        }
        var working = config
        for (index, line) in lines(of: text).enumerated() {
            try applyLine(line, lineNumber: index + 1, to: &working)
        }
        config = working
    }

    /// Applies one command line (as typed at the CLI) to `config`. On an
    /// error, `config` is left as it was; `lineNumber` is what the error names.
    public static func apply(line: String, to config: inout ApplianceConfig, lineNumber: Int = 1) throws(ConfigSyntaxError) {
        var working = config
        var scalars = Array(line.unicodeScalars)
        if scalars.last == "\r" { scalars.removeLast() }
        try applyLine(scalars[...], lineNumber: lineNumber, to: &working)
        config = working
    }

    /// The section a command line changes, or nil for a blank or comment
    /// line. Throws when the line does not start with a known command.
    public static func section(ofLine line: String, lineNumber: Int = 1) throws(ConfigSyntaxError) -> Section? {
        let scalars = Array(line.unicodeScalars)
        let tokens = try ConfigLexer.tokens(of: scalars[...], lineNumber: lineNumber)
        var cursor = LineCursor(tokens: tokens, line: lineNumber, endColumn: scalars.count + 1)
        if cursor.isAtEnd { return nil }
        _ = cursor.take("no")
        let command = try cursor.keyword(commands, expectedCommand)
        return Section(commandWord: command.text)
    }

    static let expectedCommand = "a command (" + commands.joined(separator: ", ") + ")"

    /// Splits on LF, dropping one CR before it.
    package static func lines(of text: String) -> [ArraySlice<Unicode.Scalar>] {
        let scalars = Array(text.unicodeScalars)
        var lines: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        for index in scalars.indices where scalars[index] == "\n" {
            lines.append(trimCR(scalars[start..<index]))
            start = index + 1
        }
        if start < scalars.count { lines.append(trimCR(scalars[start...])) }
        return lines
    }

    private static func trimCR(_ line: ArraySlice<Unicode.Scalar>) -> ArraySlice<Unicode.Scalar> {
        line.last == "\r" ? line.dropLast() : line
    }

    static func applyLine(_ line: ArraySlice<Unicode.Scalar>, lineNumber: Int, to config: inout ApplianceConfig) throws(ConfigSyntaxError) {
        let tokens = try ConfigLexer.tokens(of: line, lineNumber: lineNumber)
        guard !tokens.isEmpty else { return }
        var cursor = LineCursor(tokens: tokens, line: lineNumber, endColumn: line.count + 1)
        let negated = cursor.take("no")
        let command = try cursor.keyword(commands, negated ? "a command to undo (" + commands.joined(separator: ", ") + ")" : expectedCommand)
        switch command.text {
        case "hostname": try hostname(&cursor, negated, &config.system)
        case "system": try system(&cursor, negated, &config.system)
        case "banner": try banner(&cursor, negated, &config.system)
        case "security": try security(&cursor, negated, &config.policy)
        case "account": try account(&cursor, negated, &config.accounts)
        case "interface": try interface(&cursor, negated, &config.network)
        case "ntp": try ntp(&cursor, negated, &config.time)
        case "logging": try logging(&cursor, negated, &config.audit)
        case "snmp": try snmp(&cursor, negated, &config.snmp)
        default: try stream(&cursor, negated, &config.streams)
        }
    }

    // MARK: - System

    private static func hostname(_ c: inout LineCursor, _ negated: Bool, _ system: inout SystemSettings) throws(ConfigSyntaxError) {
        if negated {
            try c.end()
            system.hostname = SystemSettings.defaultHostname
            return
        }
        system.hostname = try c.value(SystemSettings.hostnameRule) { SystemSettings.isValidHostname($0) ? $0 : nil }
        try c.end()
    }

    private static func system(_ c: inout LineCursor, _ negated: Bool, _ system: inout SystemSettings) throws(ConfigSyntaxError) {
        let field = try c.keyword(["location", "contact"], "location or contact")
        var value: String? = nil
        if !negated {
            value = try c.value("one line of printable text of at most \(SystemSettings.maximumTextLength) characters for \(field.text)") {
                SystemSettings.isValidText($0) ? $0 : nil
            }
        }
        try c.end()
        if field.text == "location" { system.location = value } else { system.contact = value }
    }

    private static func banner(_ c: inout LineCursor, _ negated: Bool, _ system: inout SystemSettings) throws(ConfigSyntaxError) {
        _ = try c.keyword(["login"], "login")
        if negated {
            try c.end()
            system.loginBanner = nil
            return
        }
        system.loginBanner = try c.value("a quoted banner of printable ASCII and \\n, at most 4096 bytes") {
            SystemSettings.isValidBanner($0) ? $0 : nil
        }
        try c.end()
    }

    // MARK: - Security policy

    private static func security(_ c: inout LineCursor, _ negated: Bool, _ policy: inout SecurityPolicy) throws(ConfigSyntaxError) {
        let group = try c.keyword(SecurityPolicy.groups, SecurityPolicy.groups.joined(separator: ", ", lastSeparator: " or "))
        let settings = SecurityPolicy.settings.filter { $0.group == group.text }
        let keywords = settings.map(\.keyword)
        let expected = "a \(group.text) setting (" + keywords.joined(separator: ", ") + ")"
        let defaults = SecurityPolicy()
        var seen = Set<String>()
        if negated && c.isAtEnd {
            for setting in settings { policy[setting] = defaults[setting] }
            return
        }
        repeat {
            let word = try c.keyword(keywords, c.isAtEnd || seen.isEmpty ? expected : expected + " or end of line")
            try c.once(word, &seen)
            let setting = settings.first { $0.keyword == word.text }!
            if negated {
                policy[setting] = defaults[setting]
            } else {
                policy[setting] = try c.number(setting.range, for: "\(group.text) \(setting.keyword)")
            }
        } while !c.isAtEnd
    }

    // MARK: - Accounts

    private static let accountSettings = ["role", "password-hash", "changed", "locked", "password-history", "ssh-key", "id"]
    private static let hashRule = "a password hash \"$scrypt$ln=N,r=N,p=N$SALT$HASH\""

    private static func account(_ c: inout LineCursor, _ negated: Bool, _ accounts: inout [Account]) throws(ConfigSyntaxError) {
        let nameToken = try c.next("an account name (\(ConfigName.rule))")
        guard ConfigName.isValid(nameToken.text) else {
            throw c.failure(expected: "an account name (\(ConfigName.rule))", at: nameToken)
        }
        let name = nameToken.text
        let existing = accounts.firstIndex { $0.name == name }

        if negated {
            guard let index = existing else {
                throw c.failure(expected: "the name of an existing account", at: nameToken)
            }
            if c.isAtEnd {
                accounts.remove(at: index)
                return
            }
            let word = try c.keyword(["password-hash", "changed", "locked", "password-history", "ssh-key"],
                                     "password-hash, changed, locked, password-history, ssh-key or end of line")
            switch word.text {
            case "password-hash": accounts[index].passwordHash = nil
            case "changed": accounts[index].passwordChangedAt = nil
            case "locked": accounts[index].locked = false
            case "password-history": accounts[index].passwordHistory = []
            default:
                let keyToken = try c.next("the ssh key to remove")
                let key = try sshKey(keyToken, &c)
                guard let keyIndex = accounts[index].sshKeys.firstIndex(where: { $0.isSameKey(as: key) }) else {
                    throw c.failure(expected: "a key of account \"\(name)\"", at: keyToken)
                }
                accounts[index].sshKeys.remove(at: keyIndex)
            }
            try c.end()
            return
        }

        var account = existing.map { accounts[$0] } ?? Account(name: name)
        var seen = Set<String>()
        while !c.isAtEnd {
            let word = try c.keyword(accountSettings, "an account setting (" + accountSettings.joined(separator: ", ") + ")")
            switch word.text {
            case "role":
                try c.once(word, &seen)
                account.role = try c.value("a role (\(Role.rule))") { Role(word: $0) }
            case "password-hash":
                try c.once(word, &seen)
                account.passwordHash = try c.value(hashRule) { StoredPasswordHash($0) != nil ? $0 : nil }
            case "changed":
                try c.once(word, &seen)
                account.passwordChangedAt = Int64(try c.number(0...253_402_300_799, for: "changed (seconds since 1970)"))
            case "locked":
                try c.once(word, &seen)
                account.locked = true
            case "password-history":
                account.passwordHistory.append(try c.value(hashRule) { StoredPasswordHash($0) != nil ? $0 : nil })
            case "id":
                try c.once(word, &seen)
                account.id = try c.value("an account id (16 lowercase hex digits)") { Account.isValidID($0) ? $0 : nil }
            default:
                let keyToken = try c.next("an ssh public key in quotes, \"TYPE BASE64 [COMMENT]\"")
                let key = try sshKey(keyToken, &c)
                if let same = account.sshKeys.firstIndex(where: { $0.isSameKey(as: key) }) {
                    account.sshKeys[same] = key
                } else {
                    account.sshKeys.append(key)
                }
            }
        }
        if let index = existing { accounts[index] = account } else { accounts.append(account) }
    }

    private static func sshKey(_ token: ConfigToken, _ c: inout LineCursor) throws(ConfigSyntaxError) -> SSHPublicKey {
        do {
            return try SSHPublicKey(token.text)
        } catch {
            throw c.failure(expected: "an ssh public key (\(error.message))", at: token)
        }
    }

    // MARK: - Network

    private static func interface(_ c: inout LineCursor, _ negated: Bool, _ network: inout NetworkSettings) throws(ConfigSyntaxError) {
        let nameToken = try c.next(InterfaceConfig.nameRule)
        guard InterfaceConfig.isValidName(nameToken.text) else { throw c.failure(expected: InterfaceConfig.nameRule, at: nameToken) }
        let existing = network.interfaces.firstIndex { $0.name == nameToken.text }
        if negated {
            try c.end()
            guard let index = existing else { throw c.failure(expected: "the name of a configured interface", at: nameToken) }
            network.interfaces.remove(at: index)
            return
        }
        let mode = try c.keyword(["dhcp", "address"], "dhcp or address")
        let addressing: InterfaceAddressing
        if mode.text == "dhcp" {
            try c.end()
            addressing = .dhcp
        } else {
            let (address, prefix) = try c.value("an address with prefix length, like 192.0.2.5/24 or 2001:db8::5/64") { text -> (IPAddress, Int)? in
                let parts = text.split(separator: "/", omittingEmptySubsequences: false)
                guard parts.count == 2, let address = IPAddress(String(parts[0])),
                      let prefix = LineCursor.integer(String(parts[1])), prefix <= address.family.bitCount else { return nil }
                return (address, prefix)
            }
            var settings = StaticAddressing(address: address, prefixLength: prefix)
            var seen = Set<String>()
            while !c.isAtEnd {
                let word = try c.keyword(["gateway", "dns"], "gateway, dns or end of line")
                if word.text == "gateway" {
                    try c.once(word, &seen)
                    settings.gateway = try c.value("the gateway's IP address") { IPAddress($0) }
                } else {
                    settings.dnsServers.append(try c.value("a DNS server's IP address") { IPAddress($0) })
                }
            }
            addressing = .static(settings)
        }
        let interface = InterfaceConfig(name: nameToken.text, addressing: addressing)
        if let index = existing { network.interfaces[index] = interface } else { network.interfaces.append(interface) }
    }

    // MARK: - Time

    private static func ntp(_ c: inout LineCursor, _ negated: Bool, _ time: inout TimeSettings) throws(ConfigSyntaxError) {
        _ = try c.keyword(["server"], "server")
        let hostToken = try c.next(NetworkHost.rule)
        guard let host = NetworkHost(hostToken.text) else { throw c.failure(expected: NetworkHost.rule, at: hostToken) }
        try c.end()
        let existing = time.ntpServers.firstIndex(of: host)
        if negated {
            guard let index = existing else { throw c.failure(expected: "a configured NTP server", at: hostToken) }
            time.ntpServers.remove(at: index)
        } else if existing == nil {
            time.ntpServers.append(host)
        }
    }

    // MARK: - Audit

    private static func logging(_ c: inout LineCursor, _ negated: Bool, _ audit: inout AuditSettings) throws(ConfigSyntaxError) {
        let what = try c.keyword(["remote", "retention"], "remote or retention")
        if what.text == "retention" {
            try retention(&c, negated, &audit.retention)
            return
        }
        let hostToken = try c.next(NetworkHost.rule)
        guard let host = NetworkHost(hostToken.text) else { throw c.failure(expected: NetworkHost.rule, at: hostToken) }
        var port = SyslogDestination.defaultPort
        var seen = Set<String>()
        if negated {
            if c.take("port") { port = UInt16(try c.number(1...65535, for: "port")) }
            try c.end()
            guard let index = audit.remoteDestinations.firstIndex(where: { $0.host == host && $0.port == port }) else {
                throw c.failure(expected: "a configured remote destination", at: hostToken)
            }
            audit.remoteDestinations.remove(at: index)
            return
        }
        var trust: SyslogTrust? = nil
        var certificate: String? = nil, key: String? = nil, peer: NetworkHost? = nil
        let options = ["port", "trust", "client-certificate", "client-key"]
        while !c.isAtEnd {
            if case .caSigned = trust, peer == nil, c.take("permitted-peer") {
                peer = try c.value(NetworkHost.rule) { NetworkHost($0) }
                continue
            }
            let word = try c.keyword(options, "port, trust, client-certificate or client-key")
            try c.once(word, &seen)
            switch word.text {
            case "port":
                port = UInt16(try c.number(1...65535, for: "port"))
            case "trust":
                let mode = try c.keyword(["ca-signed", "fingerprint"], "ca-signed or fingerprint")
                if mode.text == "ca-signed" {
                    _ = try c.keyword(["ca-bundle"], "ca-bundle")
                    trust = .caSigned(bundlePath: try c.value("the CA bundle's path, " + FilePath.rule) { FilePath.isValid($0) ? $0 : nil })
                } else {
                    trust = .fingerprint(try c.value("a certificate fingerprint, " + CertificateFingerprint.rule) { CertificateFingerprint($0) })
                }
            case "client-certificate":
                certificate = try c.value("the client certificate's path, " + FilePath.rule) { FilePath.isValid($0) ? $0 : nil }
            default:
                key = try c.value("the client key's path, " + FilePath.rule) { FilePath.isValid($0) ? $0 : nil }
            }
        }
        guard let trust else {
            throw c.failure(expected: "trust ca-signed ca-bundle PATH or trust fingerprint sha256:HEX (how to check the collector's certificate)", at: nil)
        }
        let destination = SyslogDestination(host: host, port: port, trust: trust,
                                            clientCertificatePath: certificate, clientKeyPath: key, permittedPeer: peer)
        if let index = audit.remoteDestinations.firstIndex(where: { $0.host == host && $0.port == port }) {
            audit.remoteDestinations[index] = destination
        } else {
            audit.remoteDestinations.append(destination)
        }
    }

    private static func retention(_ c: inout LineCursor, _ negated: Bool, _ retention: inout LogRetention) throws(ConfigSyntaxError) {
        if negated && c.isAtEnd {
            retention = LogRetention()
            return
        }
        var seen = Set<String>()
        repeat {
            let word = try c.keyword(["days", "max-mib"], seen.isEmpty ? "days or max-mib" : "days, max-mib or end of line")
            try c.once(word, &seen)
            switch (word.text, negated) {
            case ("days", true): retention.days = nil
            case ("days", false): retention.days = try c.number(LogRetention.daysRange, for: "retention days")
            case (_, true): retention.maxMiB = nil
            case (_, false): retention.maxMiB = try c.number(LogRetention.maxMiBRange, for: "retention max-mib")
            }
        } while !c.isAtEnd
    }

    // MARK: - SNMP

    private static func snmp(_ c: inout LineCursor, _ negated: Bool, _ snmp: inout SNMPSettings) throws(ConfigSyntaxError) {
        let what = try c.keyword(["engine-id", "user", "trap-receiver"], "engine-id, user or trap-receiver")
        switch what.text {
        case "engine-id":
            if negated {
                try c.end()
                snmp.engineID = nil
                return
            }
            let token = try c.next("an engine ID in hex (RFC 3411: 5-32 octets)")
            guard let octets = Hex.decode(token.text) else {
                throw c.failure(expected: "an engine ID in hex (RFC 3411: 5-32 octets)", at: token)
            }
            let engineID = SNMPEngineID(octets: octets)
            if let problem = engineID.formatProblem {
                throw c.failure(expected: "an RFC 3411 engine ID (this one \(problem))", at: token)
            }
            try c.end()
            snmp.engineID = engineID
        case "user":
            try snmpUser(&c, negated, &snmp.users)
        default:
            try trapReceiver(&c, negated, &snmp.trapReceivers)
        }
    }

    private static func snmpUser(_ c: inout LineCursor, _ negated: Bool, _ users: inout [USMUser]) throws(ConfigSyntaxError) {
        let nameToken = try c.next("an SNMP user name (\(ConfigName.rule))")
        guard ConfigName.isValid(nameToken.text) else {
            throw c.failure(expected: "an SNMP user name (\(ConfigName.rule))", at: nameToken)
        }
        let existing = users.firstIndex { $0.name == nameToken.text }
        if negated {
            try c.end()
            guard let index = existing else { throw c.failure(expected: "the name of an existing SNMP user", at: nameToken) }
            users.remove(at: index)
            return
        }
        var role: Role?, auth: SNMPAuthProtocol?, priv: SNMPPrivProtocol?
        var authKey: (ConfigToken, [UInt8])?, privKey: (ConfigToken, [UInt8])?
        var seen = Set<String>()
        let options = ["role", "auth", "auth-key", "priv", "priv-key"]
        while !c.isAtEnd {
            let word = try c.keyword(options, "role, auth, auth-key, priv or priv-key")
            try c.once(word, &seen)
            switch word.text {
            case "role":
                role = try c.value("a role (\(Role.rule))") { Role(word: $0) }
            case "auth":
                auth = try c.value("an authentication protocol (" + SNMPAuthProtocol.allCases.map(\.rawValue).joined(separator: ", ") + ")") {
                    SNMPAuthProtocol(rawValue: $0)
                }
            case "priv":
                priv = try c.value("a privacy protocol (" + SNMPPrivProtocol.allCases.map(\.rawValue).joined(separator: ", ") + ")") {
                    SNMPPrivProtocol(rawValue: $0)
                }
            case "auth-key":
                let token = try c.next("the localized authentication key in hex")
                guard let octets = Hex.decode(token.text) else { throw c.failure(expected: "the localized authentication key in hex", at: token) }
                authKey = (token, octets)
            default:
                let token = try c.next("the localized privacy key in hex")
                guard let octets = Hex.decode(token.text) else { throw c.failure(expected: "the localized privacy key in hex", at: token) }
                privKey = (token, octets)
            }
        }
        let missing = options.filter { !seen.contains($0) }
        guard missing.isEmpty, let role, let auth, let priv, let authKey, let privKey else {
            throw c.failure(expected: missing.joined(separator: ", ") + " (an SNMP user needs authentication and privacy)", at: nil)
        }
        guard authKey.1.count == auth.keyLength else {
            throw c.failure(expected: "a \(auth.keyLength)-octet localized key for \(auth.rawValue) (\(auth.keyLength * 2) hex digits)", at: authKey.0)
        }
        guard privKey.1.count == priv.keyLength else {
            throw c.failure(expected: "a \(priv.keyLength)-octet localized key for \(priv.rawValue) (\(priv.keyLength * 2) hex digits)", at: privKey.0)
        }
        let user = USMUser(name: nameToken.text, role: role, authProtocol: auth, authKey: LocalizedKey(octets: authKey.1),
                           privProtocol: priv, privKey: LocalizedKey(octets: privKey.1))
        if let index = existing { users[index] = user } else { users.append(user) }
    }

    private static func trapReceiver(_ c: inout LineCursor, _ negated: Bool, _ receivers: inout [TrapReceiver]) throws(ConfigSyntaxError) {
        let hostToken = try c.next(NetworkHost.rule)
        guard let host = NetworkHost(hostToken.text) else { throw c.failure(expected: NetworkHost.rule, at: hostToken) }
        var port = TrapReceiver.defaultPort
        if negated {
            if c.take("port") { port = UInt16(try c.number(1...65535, for: "port")) }
            try c.end()
            guard let index = receivers.firstIndex(where: { $0.host == host && $0.port == port }) else {
                throw c.failure(expected: "a configured trap receiver", at: hostToken)
            }
            receivers.remove(at: index)
            return
        }
        var user: String?
        var kind = TrapReceiver.Kind.trap
        var seen = Set<String>()
        while !c.isAtEnd {
            let word = try c.keyword(["port", "user", "trap", "inform"], "port, user, trap or inform")
            try c.once(word, &seen)
            switch word.text {
            case "port": port = UInt16(try c.number(1...65535, for: "port"))
            case "user": user = try c.value("an SNMP user name (\(ConfigName.rule))") { ConfigName.isValid($0) ? $0 : nil }
            case "trap", "inform":
                if seen.contains("trap") && seen.contains("inform") {
                    throw c.failure(expected: "trap or inform, not both", at: word)
                }
                kind = word.text == "trap" ? .trap : .inform
            default: break
            }
        }
        guard let user else {
            throw c.failure(expected: "user NAME (the SNMP user whose keys protect the notifications)", at: nil)
        }
        let receiver = TrapReceiver(host: host, port: port, user: user, kind: kind)
        if let index = receivers.firstIndex(where: { $0.host == host && $0.port == port }) {
            receivers[index] = receiver
        } else {
            receivers.append(receiver)
        }
    }

    // MARK: - Streams

    private static let streamSettings = ["source", "destination", "encapsulation", "ttl", "tos", "mtu", "interface", "shaping", "autostart"]
    private static let resettableStreamSettings = ["encapsulation", "ttl", "tos", "mtu", "interface", "shaping", "autostart"]

    private static func stream(_ c: inout LineCursor, _ negated: Bool, _ streams: inout [StreamConfig]) throws(ConfigSyntaxError) {
        let nameToken = try c.next("a stream name (\(ConfigName.rule))")
        guard ConfigName.isValid(nameToken.text) else {
            throw c.failure(expected: "a stream name (\(ConfigName.rule))", at: nameToken)
        }
        let existing = streams.firstIndex { $0.name == nameToken.text }
        if negated {
            guard let index = existing else { throw c.failure(expected: "the name of an existing stream", at: nameToken) }
            if c.isAtEnd {
                streams.remove(at: index)
                return
            }
            let word = try c.keyword(resettableStreamSettings,
                                     "a stream setting with a default (" + resettableStreamSettings.joined(separator: ", ") + ") or end of line")
            try c.end()
            var stream = streams[index]
            switch word.text {
            case "encapsulation": stream.encapsulation = nil
            case "ttl": stream.ttl = 64
            case "tos": stream.tos = 0xB8
            case "mtu": stream.mtu = 1500
            case "interface": stream.outputInterface = nil
            case "shaping":
                stream.shaping = false
                stream.shapingCeilingPercent = 10
            default: stream.autostart = false
            }
            streams[index] = stream
            return
        }

        var source: StreamSource? = existing.map { streams[$0].source }
        var destination: MediaAddress? = existing.map { streams[$0].destination }
        var stream = existing.map { streams[$0] }
        var changes: [(inout StreamConfig) -> Void] = []
        var seen = Set<String>()
        while !c.isAtEnd {
            let word = try c.keyword(streamSettings, "a stream setting (" + streamSettings.joined(separator: ", ") + ")")
            try c.once(word, &seen)
            switch word.text {
            case "source":
                source = try c.value("a source, " + StreamSource.rule) { StreamSource($0) }
            case "destination":
                let token = try c.next("a destination, " + MediaAddress.rule)
                guard let address = MediaAddress(token.text), address.sourceFilter == nil else {
                    let note = MediaAddress(token.text) != nil ? " without SOURCE@ (a source filter is for inputs)" : ""
                    throw c.failure(expected: "a destination, " + MediaAddress.rule + note, at: token)
                }
                destination = address
            case "encapsulation":
                let value = try c.value("ts-udp or ts-rtp") { Encapsulation(rawValue: $0) }
                changes.append { $0.encapsulation = value }
            case "ttl":
                let value = try c.number(1...255, for: "ttl")
                changes.append { $0.ttl = value }
            case "tos":
                let value = try c.number(0...255, for: "tos")
                changes.append { $0.tos = value }
            case "mtu":
                let value = try c.number(576...9000, for: "mtu")
                changes.append { $0.mtu = value }
            case "interface":
                let value = try c.value(InterfaceConfig.nameRule) { InterfaceConfig.isValidName($0) ? $0 : nil }
                changes.append { $0.outputInterface = value }
            case "shaping":
                var enabled = true
                if c.take("off") { enabled = false } else { _ = c.take("on") }
                var ceiling: Int? = nil
                if c.take("ceiling") { ceiling = try c.number(0...100, for: "shaping ceiling (percent)") }
                changes.append {
                    $0.shaping = enabled
                    if let ceiling { $0.shapingCeilingPercent = ceiling }
                }
            default:
                changes.append { $0.autostart = true }
            }
        }
        guard let source, let destination else {
            let missing = [source == nil ? "source" : nil, destination == nil ? "destination" : nil].compactMap { $0 }
            throw c.failure(expected: missing.joined(separator: " and ") + " for the new stream \"\(nameToken.text)\"", at: nil)
        }
        if stream == nil { stream = StreamConfig(name: nameToken.text, source: source, destination: destination) }
        stream!.source = source
        stream!.destination = destination
        for change in changes { change(&stream!) }
        if let index = existing { streams[index] = stream! } else { streams.append(stream!) }
    }
}

extension Array where Element == String {
    /// "a, b or c".
    fileprivate func joined(separator: String, lastSeparator: String) -> String {
        guard count > 1 else { return first ?? "" }
        return self.dropLast().joined(separator: separator) + lastSeparator + last!
    }
}
