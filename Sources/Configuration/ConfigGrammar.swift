/// One term of the configuration language's grammar, as the reference
/// writes it: `{a | b}` a choice, `[a]` optional, `{...}...` repeated.
public indirect enum ConfigTerm: Sendable, Equatable {
    case keyword(String)
    /// A word the user chooses (`NAME`, `N`, `HOST`), checked by the parser.
    case value(String)
    case sequence([ConfigTerm])
    case choice([ConfigTerm])
    case optional(ConfigTerm)
    /// Once or more.
    case repeated(ConfigTerm)
    /// Written as the label in the reference (`[SETTING...]`), read as the term.
    case shown(String, ConfigTerm)

    /// The term as the reference writes it.
    public var rendered: String {
        switch self {
        case .keyword(let word), .value(let word), .shown(let word, _): word
        case .sequence(let terms): terms.map(\.rendered).joined(separator: " ")
        case .choice(let terms): "{" + terms.map(\.rendered).joined(separator: " | ") + "}"
        case .optional(.choice(let terms)): "[" + terms.map(\.rendered).joined(separator: " | ") + "]"
        case .optional(.repeated(let term)): "[" + term.rendered + "]..."
        case .optional(let term): "[" + term.rendered + "]"
        case .repeated(.sequence(let terms)): "{" + ConfigTerm.sequence(terms).rendered + "}..."
        case .repeated(let term): term.rendered + "..."
        }
    }
}

/// One command of the configuration language: its first keyword, its forms
/// and its `no` forms (each a sequence starting with the keyword).
public struct ConfigStatement: Sendable {
    public let keyword: String
    /// A few words for `?` help.
    public let help: String
    public let forms: [ConfigTerm]
    public let negated: [ConfigTerm]
}

/// The configuration language's statements: the one source of the command
/// words ConfigParser dispatches on, of docs/CONFIGURATION.md's command
/// reference (`reference`) and of the CLI's completion inside a
/// configuration line (`next(after:partial:)`). ConfigGrammarTests walks
/// every form through the parser.
public enum ConfigGrammar {
    private static func k(_ word: String) -> ConfigTerm { .keyword(word) }
    private static func v(_ label: String) -> ConfigTerm { .value(label) }
    private static func seq(_ terms: ConfigTerm...) -> ConfigTerm { .sequence(terms) }
    private static func oneOf(_ words: [String]) -> ConfigTerm { .choice(words.map(ConfigTerm.keyword)) }

    /// `security GROUP {SETTING N}...`, from the policy's own settings.
    private static func securityGroup(_ group: String) -> ConfigTerm {
        let settings = SecurityPolicy.settings.filter { $0.group == group }
        return seq(k(group), .repeated(.choice(settings.map { seq(k($0.keyword), v($0.unit == "seconds" ? "SECONDS" : "N")) })))
    }

    private static let streamSettings: [ConfigTerm] = [
        seq(k("source"), v("SOURCE")), seq(k("destination"), v("DEST")), seq(k("encapsulation"), oneOf(["ts-udp", "ts-rtp"])),
        seq(k("ttl"), v("N")), seq(k("tos"), v("N")), seq(k("mtu"), v("N")), seq(k("interface"), v("IFNAME")),
        seq(k("shaping"), .optional(oneOf(["on", "off"])), .optional(seq(k("ceiling"), v("PERCENT")))), k("autostart"),
    ]

    /// In the order of ConfigParser's error messages (`a command (hostname, ...)`).
    public static let statements: [ConfigStatement] = [
        ConfigStatement(keyword: "hostname", help: "the appliance's name", forms: [seq(k("hostname"), v("NAME"))], negated: [k("hostname")]),
        ConfigStatement(keyword: "system", help: "the system's location and contact",
                        forms: [seq(k("system"), k("location"), v("TEXT")), seq(k("system"), k("contact"), v("TEXT"))],
                        negated: [seq(k("system"), k("location")), seq(k("system"), k("contact"))]),
        ConfigStatement(keyword: "banner", help: "the text shown before sign-in", forms: [seq(k("banner"), k("login"), v("TEXT"))],
                        negated: [seq(k("banner"), k("login"))]),
        ConfigStatement(keyword: "security", help: "the security policy: passwords, sign-in throttle, sessions",
                        forms: SecurityPolicy.groups.map { seq(k("security"), securityGroup($0)) },
                        negated: [seq(k("security"), .shown("{" + SecurityPolicy.groups.joined(separator: " | ") + "} [SETTING...]", .choice(SecurityPolicy.groups.map { group in
                            seq(k(group), .optional(.repeated(oneOf(SecurityPolicy.settings.filter { $0.group == group }.map(\.keyword)))))
                        })))]),
        ConfigStatement(keyword: "account", help: "an account: role, password hash, keys, lock",
                        forms: [seq(k("account"), v("NAME"), .repeated(.choice([
                            seq(k("role"), v("ROLE")), seq(k("password-hash"), v("HASH")), seq(k("changed"), v("EPOCH-SECONDS")), k("locked"),
                            seq(k("password-history"), v("HASH")), seq(k("ssh-key"), v("KEY")), seq(k("id"), v("ID")),
                        ])))],
                        negated: [seq(k("account"), v("NAME"), .optional(.choice([
                            k("password-hash"), k("changed"), k("locked"), k("password-history"), seq(k("ssh-key"), v("KEY")),
                        ])))]),
        ConfigStatement(keyword: "interface", help: "a network interface: DHCP or a static address",
                        forms: [seq(k("interface"), v("IFNAME"), k("dhcp")),
                                seq(k("interface"), v("IFNAME"), k("address"), v("ADDRESS/PREFIX"), .optional(seq(k("gateway"), v("ADDRESS"))),
                                    .optional(.repeated(seq(k("dns"), v("ADDRESS")))))],
                        negated: [seq(k("interface"), v("IFNAME"))]),
        ConfigStatement(keyword: "ntp", help: "time servers", forms: [seq(k("ntp"), k("server"), v("HOST"))], negated: [seq(k("ntp"), k("server"), v("HOST"))]),
        ConfigStatement(keyword: "logging", help: "remote audit collectors and the local log's retention",
                        forms: [seq(k("logging"), k("remote"), v("HOST"), .optional(seq(k("port"), v("N"))), k("trust"),
                                    .choice([seq(k("ca-signed"), k("ca-bundle"), v("PATH"), .optional(seq(k("permitted-peer"), v("NAME")))),
                                             seq(k("fingerprint"), v("sha256:HEX"))]),
                                    .optional(seq(k("client-certificate"), v("PATH"), k("client-key"), v("PATH")))),
                                seq(k("logging"), k("retention"), .repeated(.choice([seq(k("days"), v("N")), seq(k("max-mib"), v("N"))])))],
                        negated: [seq(k("logging"), k("remote"), v("HOST"), .optional(seq(k("port"), v("N")))),
                                  seq(k("logging"), k("retention"), .optional(oneOf(["days", "max-mib"])))]),
        ConfigStatement(keyword: "snmp", help: "SNMP: engine ID, users, trap receivers",
                        forms: [seq(k("snmp"), k("engine-id"), v("HEX")),
                                seq(k("snmp"), k("user"), v("NAME"), k("role"), v("ROLE"), k("auth"), v("AUTH"), k("auth-key"), v("HEX"),
                                    k("priv"), v("PRIV"), k("priv-key"), v("HEX")),
                                seq(k("snmp"), k("trap-receiver"), v("HOST"), .optional(seq(k("port"), v("N"))), k("user"), v("NAME"),
                                    .optional(oneOf(["trap", "inform"])))],
                        negated: [seq(k("snmp"), k("engine-id")), seq(k("snmp"), k("user"), v("NAME")),
                                  seq(k("snmp"), k("trap-receiver"), v("HOST"), .optional(seq(k("port"), v("N"))))]),
        ConfigStatement(keyword: "stream", help: "a stream: source, destination and how it is sent",
                        forms: [seq(k("stream"), v("NAME"), .repeated(.choice(streamSettings)))],
                        negated: [seq(k("stream"), v("NAME"), .optional(oneOf(["encapsulation", "ttl", "tos", "mtu", "interface", "shaping", "autostart"])))]),
    ]

    // MARK: - The reference

    /// The command reference in docs/CONFIGURATION.md, one line a form
    /// (long ones wrapped at a `|`), a blank line between statements.
    public static var reference: String {
        statements.map { statement in
            (statement.forms.map(\.rendered) + statement.negated.map { "no " + $0.rendered }).map(wrapped).joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }

    static let width = 88

    /// Breaks a long line before a ` | ` (continued under its first `{`) or
    /// an outer `[` (continued under its second word).
    static func wrapped(_ line: String) -> String {
        guard line.count > width else { return line }
        let characters = Array(line)
        let braceIndent = String(repeating: " ", count: (characters.firstIndex(of: "{") ?? 0) + 1)
        let wordIndent = String(repeating: " ", count: (characters.firstIndex(of: " ") ?? 0) + 1)
        // Pieces of the line, each with the separator before it.
        var pieces: [(bar: Bool, text: String)] = [(false, "")]
        var depth = 0
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == " ", index + 2 < characters.count, characters[index + 1] == "|", characters[index + 2] == " " {
                pieces.append((true, ""))
                index += 3
                continue
            }
            if character == " ", depth == 0, index + 1 < characters.count, characters[index + 1] == "[" {
                pieces.append((false, ""))
                index += 1
                continue
            }
            if character == "{" || character == "[" { depth += 1 }
            if character == "}" || character == "]" { depth -= 1 }
            pieces[pieces.count - 1].text.append(character)
            index += 1
        }
        var lines: [String] = []
        var current = pieces[0].text
        for piece in pieces.dropFirst() {
            let joined = current + (piece.bar ? " | " : " ") + piece.text
            if joined.count > width {
                lines.append(current)
                current = (piece.bar ? braceIndent + "| " : wordIndent) + piece.text
            } else {
                current = joined
            }
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }

    // MARK: - Completion

    /// What may follow a configuration line's words: keywords to insert,
    /// placeholders to show, and whether the line may end there.
    public struct Next: Sendable, Equatable {
        public var keywords: [(word: String, help: String)] = []
        public var values: [(label: String, help: String)] = []
        public var mayEnd = false

        public static func == (lhs: Next, rhs: Next) -> Bool {
            lhs.keywords.map(\.word) == rhs.keywords.map(\.word) && lhs.values.map(\.label) == rhs.values.map(\.label) && lhs.mayEnd == rhs.mayEnd
        }
    }

    /// A term still to read, with the help its keywords show.
    private struct Item {
        var term: ConfigTerm
        var help: String
    }

    /// After `words` (a whole line's words so far, `no` included), what the
    /// next word may be, keywords filtered by `partial`.
    public static func next(after words: [String], partial: String) -> Next {
        var words = words[...]
        let negated = words.first == "no"
        if negated { words = words.dropFirst() }
        var result = Next()
        guard let first = words.first else {
            for statement in statements where statement.keyword.hasPrefix(partial) {
                result.keywords.append((statement.keyword, statement.help))
            }
            return result
        }
        guard let statement = statements.first(where: { $0.keyword == first }) else { return result }
        var states: [[Item]] = (negated ? statement.negated : statement.forms).map { [Item(term: $0, help: $0.rendered)] }
        for word in words {
            states = states.flatMap(expanded).compactMap { state in
                guard let head = state.first else { return nil }
                switch head.term {
                case .keyword(let keyword): return keyword == word ? Array(state.dropFirst()) : nil
                default: return Array(state.dropFirst())
                }
            }
            // A bounded guess: a line that matches no form has no completions.
            if states.isEmpty || states.count > 4096 { return Next() }
        }
        for state in states.flatMap(expanded) {
            guard let head = state.first else {
                result.mayEnd = true
                continue
            }
            switch head.term {
            case .keyword(let keyword) where keyword.hasPrefix(partial) && !result.keywords.contains(where: { $0.word == keyword }):
                result.keywords.append((keyword, head.help))
            case .value(let label) where !result.values.contains(where: { $0.label == label }):
                result.values.append((label, head.help))
            default: break
            }
        }
        return result
    }

    /// The states `state` may be in with a keyword or a value next (or the end).
    private static func expanded(_ state: [Item]) -> [[Item]] {
        guard let head = state.first else { return [state] }
        let rest = state.dropFirst()
        switch head.term {
        case .keyword, .value:
            return [state]
        case .sequence(let terms):
            return expanded(terms.map { Item(term: $0, help: head.help) } + rest)
        case .choice(let terms):
            return terms.flatMap { expanded([Item(term: $0, help: $0.rendered)] + rest) }
        case .optional(let term):
            return expanded([Item(term: term, help: term.rendered)] + rest) + expanded(Array(rest))
        case .repeated(let term):
            return expanded([Item(term: term, help: head.help), Item(term: .optional(.repeated(term)), help: head.help)] + rest)
        case .shown(_, let term):
            return expanded([Item(term: term, help: head.help)] + rest)
        }
    }
}
