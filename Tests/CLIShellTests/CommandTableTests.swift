import Testing
@testable import CLIShell

/// The command table (CommandTree.entries): every entry is reached by
/// parsing, `?` help and Tab completion, and configuration lines complete
/// into the configuration language's keywords.
@Suite("Command table")
struct CommandTableTests {
    let grammar = CommandTree.grammar
    static func names(_ kind: ArgumentKind) -> [String] {
        switch kind {
        case .stream: ["cam1"]
        case .account: ["alice"]
        case .service: ["configd"]
        default: []
        }
    }

    /// A word the argument takes.
    static func sample(_ kind: ArgumentKind) -> String {
        switch kind {
        case .stream: "cam1"
        case .account: "alice"
        case .service: "configd"
        case .word: "x9"
        case .number(let range): String(range.lowerBound)
        case .rest: "x9"
        case .keyValues(let keys): keys[0] + "=x9"
        case .configuration: "ttl 32"
        }
    }

    @Test("every entry's words, with and without their optional tail, parse to its command")
    func everyEntryParsesToItsCommand() throws {
        for entry in CommandTree.entries {
            var forms = [entry.words]
            if let optional = entry.words.firstIndex(where: \.isOptional) { forms.append(Array(entry.words[..<optional])) }
            for words in forms {
                let line = words.map { word -> String in
                    switch word.kind {
                    case .keyword(let text): text
                    case .argument(_, let kind): Self.sample(kind)
                    }
                }.joined(separator: " ")
                #expect(try grammar.parse(line).command == entry.command, "\(line)")
            }
        }
    }

    @Test("every word of every entry is offered by completion, with help, after the words before it")
    func everyWordIsOfferedWithHelp() {
        for entry in CommandTree.entries {
            var line = ""
            for word in entry.words {
                let candidates = grammar.completions(for: line, values: Self.names).candidates
                switch word.kind {
                case .keyword(let text):
                    let offered = candidates.first { $0.insert == text }
                    #expect(offered?.help.isEmpty == false, "\(line)|\(text)")
                    line += text + " "
                case .argument(let name, let kind):
                    let offered: Completion?
                    if case .keyValues(let keys) = kind {
                        offered = candidates.first { $0.insert == keys[0] + "=" }
                    } else {
                        offered = candidates.first { $0.insert == nil && $0.label == name }
                    }
                    #expect(offered?.help.isEmpty == false, "\(line)|\(name)")
                    line += Self.sample(kind) + " "
                }
            }
        }
    }

    @Test("every node of the tree has help and every leaf runs a command")
    func everyNodeHasHelpAndEveryLeafACommand() {
        func walk(_ nodes: [GrammarNode], _ path: String) {
            for node in nodes {
                #expect(!node.help.isEmpty, "\(path) \(node.label)")
                if node.children.isEmpty { #expect(node.command != nil, "\(path) \(node.label)") }
                walk(node.children, path + " " + node.label)
            }
        }
        walk(grammar.root, "")
    }

    @Test("Tab after a stream's name offers the configuration language's stream settings")
    func streamNameCompletesIntoSettings() {
        let candidates = grammar.completions(for: "stream cam1 ", values: Self.names).candidates
        let words = candidates.compactMap(\.insert)
        #expect(words == ["source", "destination", "encapsulation", "ttl", "tos", "mtu", "interface", "shaping", "autostart"])
        #expect(candidates.contains { $0.label == "SETTINGS" && $0.insert == nil })
        #expect(grammar.completions(for: "stream cam1 de", values: Self.names).candidates.compactMap(\.insert) == ["destination"])
        #expect(grammar.completions(for: "st cam1 encapsulation ", values: Self.names).candidates.compactMap(\.insert) == ["ts-udp", "ts-rtp"])
        let ttl = grammar.completions(for: "stream cam1 ttl ", values: Self.names).candidates
        #expect(ttl.map(\.label) == ["N"])
        let after = grammar.completions(for: "stream cam1 ttl 32 ", values: Self.names).candidates
        #expect(after.contains { $0.insert == "tos" } && after.contains { $0.label == "<cr>" })
    }

    @Test("Tab after snmp offers the CLI's words and the configuration form's sub-keywords")
    func snmpCompletesIntoSubKeywords() {
        let words = grammar.completions(for: "snmp ", values: Self.names).candidates.compactMap(\.insert)
        #expect(words == ["trap", "user", "engine-id", "trap-receiver"])
        #expect(grammar.completions(for: "snmp e", values: Self.names).candidates.compactMap(\.insert) == ["engine-id"])
        #expect(grammar.completions(for: "snmp user nms ", values: Self.names).candidates.compactMap(\.insert) == ["role"])
    }

    @Test("Tab after no offers the configuration statements, then their words")
    func noCompletesIntoStatements() {
        let statements = grammar.completions(for: "no ", values: Self.names).candidates.compactMap(\.insert)
        #expect(statements.contains("stream") && statements.contains("ntp") && statements.contains("hostname"))
        #expect(grammar.completions(for: "no nt", values: Self.names).candidates.compactMap(\.insert) == ["ntp"])
        #expect(grammar.completions(for: "no ntp ", values: Self.names).candidates.compactMap(\.insert) == ["server"])
        #expect(grammar.completions(for: "no logging ", values: Self.names).candidates.compactMap(\.insert) == ["remote", "retention"])
        #expect(grammar.completions(for: "system ", values: Self.names).candidates.compactMap(\.insert) == ["location", "contact"])
    }

    @Test("the table's aliases run the same command: config save, stream show, quit and logout")
    func aliasesRunTheSameCommand() throws {
        #expect(try grammar.parse("config save").command == CommandTree.save)
        #expect(try grammar.parse("stream show cam1").command == CommandTree.showStream)
        #expect(try grammar.parse("show stream cam1").command == CommandTree.showStream)
        #expect(try grammar.parse("quit").command == CommandTree.exit)
        #expect(try grammar.parse("logout").command == CommandTree.exit)
    }
}
