import Testing
@testable import CLIShell

@Suite struct GrammarTests {
    let grammar = CommandTree.grammar

    @Test func unambiguousAbbreviationsAreExpanded() throws {
        #expect(try grammar.parse("sh proc").command.name == "show processes")
        #expect(try grammar.parse("show running-config diff").command.name == "show running-config diff")
        #expect(try grammar.parse("sh run d").command.name == "show running-config diff")
        #expect(try grammar.parse("copy run start").command.name == "copy running-config startup-config")
        #expect(try grammar.parse("config save").command.name == "copy running-config startup-config")
        #expect(try grammar.parse("sh proc | json").json)
    }

    @Test func anAmbiguousAbbreviationNamesTheCandidatesAndItsColumn() {
        // "s" is show, system, snmp, security: the error points at it.
        #expect(throws: CommandError.self) { try grammar.parse("s processes") }
        do {
            _ = try grammar.parse("show s")
            Issue.record("\"show s\" parsed")
        } catch {
            #expect(error.column == 5)
            #expect(error.message.contains("ambiguous"))
            #expect(error.message.contains("system") && error.message.contains("streams") && error.message.contains("startup-config"))
        }
    }

    @Test func anUnknownWordIsPointedAt() {
        do {
            _ = try grammar.parse("show procesx")
            Issue.record("parsed")
        } catch {
            #expect(error.column == 5)
            #expect(error.message.contains("unknown word \"procesx\""))
        }
    }

    @Test func anIncompleteCommandSaysWhatWasExpected() {
        do {
            _ = try grammar.parse("stream start")
            Issue.record("parsed")
        } catch {
            #expect(error.column == 12)
            #expect(error.message.contains("NAME"))
        }
    }

    @Test func argumentsAndKeyValuesAreCollected() throws {
        let create = try grammar.parse("stream create name=cam1 source=file:/srv/a.ts dest=rtp://239.1.1.1:5000 ttl=64 tos=0xB8 shaping=yes ceiling=10")
        #expect(create.command.name == "stream create")
        #expect(create.option("name") == "cam1")
        #expect(create.option("dest") == "rtp://239.1.1.1:5000")
        #expect(create.option("ceiling") == "10")
        let start = try grammar.parse("stream start cam1")
        #expect(start.arguments["NAME"] == "cam1")
        let log = try grammar.parse("show logging configd 20")
        #expect(log.arguments["SERVICE"] == "configd" && log.arguments["LINES"] == "20")
        let key = try grammar.parse("account alice pubkey add \"ssh-ed25519 AAAA x@y\"")
        #expect(key.command.name == "account pubkey add" && key.arguments["NAME"] == "alice" && key.rest == "\"ssh-ed25519 AAAA x@y\"")
        let config = try grammar.parse("stream cam1 ttl 32")
        #expect(config.command.name == "configuration" && config.arguments["NAME"] == "cam1" && config.rest == "ttl 32")
    }

    @Test func badKeysNumbersAndPipesAreRefusedWithTheirColumn() {
        func column(_ line: String) -> Int? {
            do { _ = try grammar.parse(line); return nil } catch { return error.column }
        }
        #expect(column("stream create name=a colour=red") == 21)
        #expect(column("show logging configd 5000") == 21)
        #expect(column("show processes | grep x") == 17)
        #expect(column("show processes extra") == 15)
        #expect(column("banner \"unterminated") == 7)
    }

    @Test func helpListsWhatMayFollowWithTheirHelp() {
        let (_, top) = grammar.completions(for: "", values: { _ in [] })
        #expect(top.contains { $0.label == "show" && !$0.help.isEmpty })
        let (from, show) = grammar.completions(for: "show pr", values: { _ in [] })
        #expect(from == 5)
        #expect(show.compactMap(\.insert) == ["processes"])
        let (_, ended) = grammar.completions(for: "show processes ", values: { _ in [] })
        #expect(ended.contains { $0.label == "<cr>" })
    }

    @Test func streamAndAccountNamesComplete() {
        let values: (ArgumentKind) -> [String] = { kind in kind == .stream ? ["cam1", "cam2", "studio"] : kind == .account ? ["alice"] : [] }
        let (_, streams) = grammar.completions(for: "stream start ca", values: values)
        #expect(streams.compactMap(\.insert) == ["cam1", "cam2"])
        let (_, accounts) = grammar.completions(for: "account al", values: values)
        #expect(accounts.compactMap(\.insert) == ["alice"])
        let (_, keys) = grammar.completions(for: "stream create name=x so", values: values)
        #expect(keys.compactMap(\.insert) == ["source="])
    }

    /// Random lines of words, quotes, control characters and pipes: the
    /// parser and the completer answer every one (a command or an error with
    /// a column inside the line) and never trap. Bounded: 20,000 lines.
    @Test func randomLinesNeverCrashTheParser() {
        var generator = SystemRandomNumberGenerator()
        let words = ["show", "sh", "stream", "create", "name=", "start", "|", "json", "\"", "\\", "account", "no", "pubkey", "add", "?", "=", "x", "\u{7}", "\u{1b}[A", "é", "copy", "run", "\t", "  "]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...8, using: &generator)
            let line = (0..<count).map { _ in words.randomElement(using: &generator)! }.joined(separator: Bool.random(using: &generator) ? " " : "")
            do {
                _ = try grammar.parse(line)
            } catch {
                #expect(error.column >= 0 && error.column <= max(line.count, CommandWords.maximumLength), "\(line.debugDescription)")
            }
            _ = grammar.completions(for: line, values: { _ in ["a", "b c"] })
        }
        #expect(throws: CommandError.self) { try grammar.parse(String(repeating: "x", count: CommandWords.maximumLength + 1)) }
    }
}
