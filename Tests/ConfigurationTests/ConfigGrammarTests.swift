import Glibc
import Testing
import TestSupport
@testable import Configuration

/// The configuration language's one grammar (ConfigGrammar) against the
/// parser, the reference in docs/CONFIGURATION.md and completion.
@Suite("Configuration grammar")
struct ConfigGrammarTests {
    /// A word of a generated line: a keyword, or a placeholder to fill.
    enum Word: Equatable {
        case keyword(String)
        case value(String)
    }

    /// Lines that between them take every alternative, optional part and
    /// repetition of `term` once (not every combination).
    static func lines(_ term: ConfigTerm) -> [[Word]] {
        switch term {
        case .keyword(let word): return [[.keyword(word)]]
        case .value(let label): return [[.value(label)]]
        case .sequence(let terms):
            let parts = terms.map(lines)
            let count = parts.map(\.count).max() ?? 1
            return (0..<count).map { index in parts.flatMap { $0[index % $0.count] } }
        case .choice(let terms): return terms.flatMap(lines)
        case .optional(let term): return [[]] + lines(term)
        case .repeated(let term): return lines(term)
        case .shown(_, let term): return lines(term)
        }
    }

    /// A value the parser takes for `label` after `previous`, matching the
    /// objects of Fixture.richConfig() where a `no` line needs one.
    static func sample(_ label: String, after previous: String, in statement: String) -> String {
        if let setting = SecurityPolicy.settings.first(where: { $0.keyword == previous }) { return String(setting.range.lowerBound) }
        switch (statement, previous, label) {
        case ("hostname", _, _): return "enc-02"
        case ("account", _, "NAME"): return "admin"
        case ("stream", _, "NAME"): return "cam1"
        case ("snmp", "trap-receiver", _): return "192.0.2.10"
        case ("snmp", "port", _): return "162"
        case ("snmp", "auth-key", _): return "0x" + String(repeating: "01", count: 20)
        case ("snmp", "priv-key", _): return "0x" + String(repeating: "02", count: 16)
        case ("snmp", _, "NAME"): return "nms"
        case ("logging", "port", _): return "6514"
        case ("logging", "days", _): return "30"
        case ("logging", "max-mib", _): return "100"
        case ("logging", "permitted-peer", _): return "collector.example.net"
        case (_, "ttl", _): return "32"
        case (_, "tos", _): return "0xb8"
        case (_, "mtu", _): return "1400"
        default: break
        }
        switch label {
        case "TEXT": return "Truck 4, bay 1"
        case "ROLE": return "operator"
        case "HASH": return Fixture.hash("Another-Passw0rd")
        case "EPOCH-SECONDS": return "1700000000"
        case "KEY": return Fixture.ed25519
        case "ID": return "0123456789abcdef"
        case "IFNAME": return "eth0"
        case "ADDRESS/PREFIX": return "192.0.2.6/24"
        case "ADDRESS": return "192.0.2.1"
        case "HOST": return statement == "ntp" ? "ntp.example.net" : "collector.example.net"
        case "PATH": return "/etc/appliance/ca.pem"
        case "sha256:HEX": return "sha256:" + String(repeating: "cd", count: 32)
        case "HEX": return "0x80007ed904656e632d3032"
        case "AUTH": return "sha-1"
        case "PRIV": return "aes-128"
        case "SOURCE": return "file:/srv/cam9.ts"
        case "DEST": return "rtp://239.1.1.9:5000"
        case "PERCENT": return "20"
        default: return "unknown-placeholder-\(label)"
        }
    }

    static func text(_ words: [Word], statement: String) -> String {
        var previous = ""
        return words.map { word in
            switch word {
            case .keyword(let keyword):
                previous = keyword
                return keyword
            case .value(let label):
                return ConfigRenderer.word(sample(label, after: previous, in: statement))
            }
        }.joined(separator: " ")
    }

    @Test("every form and no-form of every statement, each alternative once, is a line the parser takes")
    func everyFormParses() {
        var count = 0
        for statement in ConfigGrammar.statements {
            for (prefix, forms) in [("", statement.forms), ("no ", statement.negated)] {
                for form in forms {
                    for words in Self.lines(form) {
                        let line = prefix + Self.text(words, statement: statement.keyword)
                        var config = Fixture.richConfig()
                        do {
                            try ConfigParser.apply(line: line, to: &config)
                        } catch {
                            Issue.record("\(line): \(error)")
                        }
                        count += 1
                    }
                }
            }
        }
        #expect(count > 60)
    }

    /// The keywords a parser's "expected ..." message lists: `a stream
    /// setting (source, destination, ...)`, `dhcp or address`.
    static func listed(_ expected: String) -> Set<String> {
        var list = expected
        if let open = list.firstIndex(of: "("), let close = list.lastIndex(of: ")") { list = String(list[list.index(after: open)..<close]) }
        return Set(list.replacing(" or ", with: ", ").split(separator: ", ").map(String.init).filter { $0 != "end of line" })
    }

    @Test("where the grammar offers a set of keywords, it is the set the parser's error lists (neither has one the other lacks)")
    func keywordSetsAgreeWithTheParser() {
        let positions: [[String]] = [[], ["no"], ["system"], ["security"], ["security", "password"], ["security", "login"], ["security", "session"],
                                     ["account", "admin"], ["no", "account", "admin"], ["interface", "eth0"], ["ntp"], ["logging"],
                                     ["logging", "retention"], ["snmp"], ["no", "snmp"], ["stream", "cam1"], ["no", "stream", "cam1"]]
        for words in positions {
            var config = Fixture.richConfig()
            do {
                try ConfigParser.apply(line: (words + ["bogus-word"]).joined(separator: " "), to: &config)
                Issue.record("\(words): bogus-word parsed")
            } catch {
                let grammar = Set(ConfigGrammar.next(after: words, partial: "").keywords.map(\.word))
                #expect(grammar == Self.listed(error.expected), "\(words): \(error.expected)")
            }
        }
    }

    @Test("the parser dispatches on the grammar's statements, in its order")
    func parserDispatchesOnTheStatements() throws {
        #expect(ConfigParser.commands == ConfigGrammar.statements.map(\.keyword))
        for statement in ConfigGrammar.statements {
            #expect(try ConfigParser.section(ofLine: statement.keyword) != nil)
            #expect(try ConfigParser.section(ofLine: "no " + statement.keyword) != nil)
        }
    }

    @Test("the reference renders choices, options and repetitions as the documentation writes them")
    func termsRender() {
        #expect(ConfigTerm.sequence([.keyword("shaping"), .optional(.choice([.keyword("on"), .keyword("off")])),
                                     .optional(.sequence([.keyword("ceiling"), .value("PERCENT")]))]).rendered
                == "shaping [on | off] [ceiling PERCENT]")
        #expect(ConfigTerm.repeated(.choice([.keyword("a"), .sequence([.keyword("b"), .value("N")])])).rendered == "{a | b N}...")
        #expect(ConfigTerm.optional(.repeated(.sequence([.keyword("dns"), .value("ADDRESS")]))).rendered == "[dns ADDRESS]...")
        #expect(ConfigGrammar.reference.contains("\nno stream NAME [encapsulation | ttl | tos | mtu | interface | shaping | autostart]\n"))
        #expect(ConfigGrammar.reference.split(separator: "\n").allSatisfy { $0.count <= ConfigGrammar.width })
    }

    static let docPath = String("\(#filePath)".dropLast("Tests/ConfigurationTests/ConfigGrammarTests.swift".count)) + "docs/CONFIGURATION.md"
    static let begin = "<!-- generated from ConfigGrammar.reference: CONFIG_GRAMMAR_WRITE=1 swift test --filter ConfigGrammarTests rewrites it -->\n```\n"
    static let end = "```\n<!-- end of generated reference -->\n"

    @Test("docs/CONFIGURATION.md's command reference is ConfigGrammar.reference (CONFIG_GRAMMAR_WRITE=1 rewrites it)")
    func documentationIsGenerated() throws {
        let document = try #require(Self.read(Self.docPath), "cannot read \(Self.docPath)")
        let start = try #require(document.firstRange(of: Self.begin), "docs/CONFIGURATION.md has no generated-reference marker")
        let stop = try #require(document[start.upperBound...].firstRange(of: Self.end))
        let current = String(document[start.upperBound..<stop.lowerBound])
        if getenv("CONFIG_GRAMMAR_WRITE") != nil, current != ConfigGrammar.reference {
            let updated = String(document[..<start.upperBound]) + ConfigGrammar.reference + String(document[stop.lowerBound...])
            #expect(Self.write(updated, to: Self.docPath))
            return
        }
        #expect(current == ConfigGrammar.reference,
                "docs/CONFIGURATION.md differs from ConfigGrammar.reference; run CONFIG_GRAMMAR_WRITE=1 swift test --filter ConfigGrammarTests")
    }

    @Test("completion after a stream's name offers the stream settings, after snmp its sub-keywords, after no the statements")
    func completionDescendsIntoKeywords() {
        #expect(ConfigGrammar.next(after: ["stream", "cam1"], partial: "").keywords.map(\.word)
                == ["source", "destination", "encapsulation", "ttl", "tos", "mtu", "interface", "shaping", "autostart"])
        #expect(ConfigGrammar.next(after: ["stream", "cam1"], partial: "").mayEnd == false)
        #expect(ConfigGrammar.next(after: ["stream", "cam1"], partial: "de").keywords.map(\.word) == ["destination"])
        #expect(ConfigGrammar.next(after: ["snmp"], partial: "").keywords.map(\.word) == ["engine-id", "user", "trap-receiver"])
        #expect(ConfigGrammar.next(after: ["no"], partial: "").keywords.map(\.word) == ConfigGrammar.statements.map(\.keyword))
        #expect(ConfigGrammar.next(after: ["no", "stream", "cam1"], partial: "").keywords.map(\.word)
                == ["encapsulation", "ttl", "tos", "mtu", "interface", "shaping", "autostart"])
        #expect(ConfigGrammar.next(after: ["no", "stream", "cam1"], partial: "").mayEnd)
        let shaping = ConfigGrammar.next(after: ["stream", "cam1", "ttl", "32", "shaping"], partial: "")
        #expect(["on", "off", "ceiling", "source", "autostart"].allSatisfy { word in shaping.keywords.contains { $0.word == word } })
        #expect(shaping.mayEnd)
        #expect(ConfigGrammar.next(after: ["stream", "cam1", "ttl"], partial: "").values.map(\.label) == ["N"])
        #expect(ConfigGrammar.next(after: ["stream", "cam1", "source"], partial: "").keywords.isEmpty)
        #expect(ConfigGrammar.next(after: ["security", "login"], partial: "").keywords.map(\.word) == ["max-failures", "window", "lockout"])
        #expect(ConfigGrammar.next(after: ["bogus"], partial: "") == ConfigGrammar.Next())
        #expect(ConfigGrammar.next(after: ["hostname", "a", "b"], partial: "") == ConfigGrammar.Next())
    }

    @Test("a completion's help is the part of the grammar it starts")
    func completionHelpIsTheAlternative() {
        let next = ConfigGrammar.next(after: ["stream", "cam1"], partial: "enc")
        #expect(next.keywords.first?.help == "encapsulation {ts-udp | ts-rtp}")
        #expect(ConfigGrammar.next(after: [], partial: "str").keywords.first?.help.isEmpty == false)
    }

    static func read(_ path: String) -> String? { readTextFile(path) }

    static func write(_ text: String, to path: String) -> Bool {
        guard let file = fopen(path, "wb") else { return false }
        defer { fclose(file) }
        let bytes = Array(text.utf8)
        return fwrite(bytes, 1, bytes.count, file) == bytes.count
    }
}
