/// What an argument position accepts, and where its completions come from.
public enum ArgumentKind: Sendable, Equatable {
    /// A name from the running system, completed from it.
    case stream, account, service
    /// Any one word (a host, a role, a key type...).
    case word
    case number(ClosedRange<Int>)
    /// Everything to the end of the line, as typed (a configuration command's
    /// remainder, checked by configd's own parser).
    case rest
    /// `key=value` words to the end of the line, keys from this list.
    case keyValues([String])
    /// The rest of a configuration-language line, as `rest`; completion
    /// descends into the language's keywords (ConfigGrammar).
    case configuration
}

/// One position of the command tree: a keyword, or an argument.
public struct GrammarNode: Sendable {
    public enum Kind: Sendable, Equatable {
        case keyword(String)
        case argument(name: String, kind: ArgumentKind)
    }

    public var kind: Kind
    public var help: String
    public var children: [GrammarNode]
    /// Set when the words up to here make a whole command.
    public var command: CLICommand?

    var keyword: String? {
        if case .keyword(let word) = kind { return word }
        return nil
    }

    /// How the node shows in help: the keyword, or the argument's name.
    public var label: String {
        switch kind {
        case .keyword(let word): word
        case .argument(let name, .keyValues(let keys)): keys.map { "\($0)=" }.joined(separator: " ") + (name.isEmpty ? "" : "")
        case .argument(let name, _): name
        }
    }
}

/// A command line matched against the tree.
public struct ParsedCommand: Equatable, Sendable {
    public var command: CLICommand
    /// Argument values by the argument's name.
    public var arguments: [String: String] = [:]
    /// `key=value` pairs, in the order typed.
    public var options: [KeyValue] = []
    /// The raw text of a `rest` argument.
    public var rest: String?
    /// `| json` ended the line.
    public var json = false
    /// The keywords matched, in full (abbreviations expanded).
    public var keywords: [String] = []

    public struct KeyValue: Equatable, Sendable {
        public var key: String
        public var value: String
        /// Offset of the word in the line.
        public var column: Int
    }

    public func option(_ key: String) -> String? { options.last { $0.key == key }?.value }
}

/// One entry of `?` help or Tab completion.
public struct Completion: Equatable, Sendable {
    /// The word to insert; nil for a placeholder shown in help only (`NAME`, `<cr>`).
    public var insert: String?
    public var label: String
    public var help: String
}

/// The CLI's grammar: a tree of keywords and arguments. Keywords may be
/// abbreviated to any unambiguous prefix (`sh proc`), as on a network device.
public struct Grammar: Sendable {
    public let root: [GrammarNode]

    /// The tree of a command table: entries sharing leading words share
    /// nodes, in the order the table first names them; a keyword's help is
    /// the first one the table gives it.
    public init(_ entries: [CommandEntry]) {
        var root: [GrammarNode] = []
        for entry in entries { Self.insert(entry.words[...], entry.command, into: &root) }
        self.root = root
    }

    private static func insert(_ words: ArraySlice<CommandEntry.Word>, _ command: CLICommand, into nodes: inout [GrammarNode]) {
        guard let word = words.first else { return }
        let index: Int
        if let found = nodes.firstIndex(where: { $0.kind == word.kind }) {
            index = found
        } else {
            nodes.append(GrammarNode(kind: word.kind, help: "", children: [], command: nil))
            index = nodes.count - 1
        }
        if nodes[index].help.isEmpty { nodes[index].help = word.help }
        let rest = words.dropFirst()
        if rest.first?.isOptional ?? true { nodes[index].command = command }
        insert(rest, command, into: &nodes[index].children)
    }

    /// Matches a whole line; the error's column points at the offending word.
    public func parse(_ line: String) throws(CommandError) -> ParsedCommand {
        let characters = Array(line)
        var words = try CommandWords.split(line).words
        var json = false
        if let bar = words.firstIndex(where: { $0.text == "|" && !$0.quoted }) {
            let after = words[(bar + 1)...]
            guard after.count == 1, let filter = after.first, !filter.text.isEmpty, "json".hasPrefix(filter.text) else {
                throw CommandError(column: after.first?.start ?? words[bar].end, "after \"|\" only \"json\" is accepted")
            }
            json = true
            words.removeSubrange(bar...)
        }
        guard let first = words.first else { throw CommandError(column: 0, "empty command") }
        _ = first
        var children = root
        var node: GrammarNode?
        var parsed = ParsedCommand(command: .unset, json: json)
        var index = 0
        while index < words.count {
            let word = words[index]
            let chosen = try match(word, among: children)
            switch chosen.kind {
            case .keyword(let keyword):
                parsed.keywords.append(keyword)
            case .argument(let name, let kind):
                switch kind {
                case .rest, .configuration:
                    let end = words.last!.end
                    parsed.rest = String(characters[word.start..<end])
                    index = words.count
                case .keyValues(let keys):
                    for pair in words[index...] {
                        guard let equals = pair.text.firstIndex(of: "="), !pair.quoted else {
                            throw CommandError(column: pair.start, "expected key=value, one of: " + keys.map { "\($0)=" }.joined(separator: " "))
                        }
                        let key = String(pair.text[..<equals])
                        let candidates = keys.filter { $0.hasPrefix(key) }
                        guard let full = keys.contains(key) ? key : (candidates.count == 1 ? candidates[0] : nil), !key.isEmpty else {
                            throw CommandError(column: pair.start, candidates.count > 1
                                ? "\"\(key)\" is ambiguous: " + candidates.joined(separator: ", ")
                                : "unknown key \"\(key)\"; expected one of: " + keys.joined(separator: ", "))
                        }
                        parsed.options.append(.init(key: full, value: String(pair.text[pair.text.index(after: equals)...]), column: pair.start))
                    }
                    index = words.count
                case .number(let range):
                    guard let value = Int(word.text), range.contains(value) else {
                        throw CommandError(column: word.start, "expected \(name), a number from \(range.lowerBound) to \(range.upperBound)")
                    }
                    parsed.arguments[name] = word.text
                default:
                    parsed.arguments[name] = word.text
                }
            }
            node = chosen
            children = chosen.children
            index += 1
        }
        guard let node, let command = node.command else {
            let end = words.last?.end ?? 0
            throw CommandError(column: end, "incomplete command; expected " + Self.describe(children))
        }
        parsed.command = command
        return parsed
    }

    /// The node `word` selects among `children`: an exact keyword, else a
    /// keyword it is the only prefix of, else the argument there.
    func match(_ word: CommandWord, among children: [GrammarNode]) throws(CommandError) -> GrammarNode {
        if children.isEmpty {
            throw CommandError(column: word.start, "unexpected \"\(word.text)\": the command ends before it")
        }
        if !word.quoted {
            if let exact = children.first(where: { $0.keyword == word.text }) { return exact }
            let prefixed = children.filter { $0.keyword?.hasPrefix(word.text) == true }
            if prefixed.count == 1 { return prefixed[0] }
            if prefixed.count > 1 {
                throw CommandError(column: word.start, "\"\(word.text)\" is ambiguous: " + prefixed.compactMap(\.keyword).joined(separator: ", "))
            }
        }
        if let argument = children.first(where: { if case .argument = $0.kind { true } else { false } }) { return argument }
        throw CommandError(column: word.start, "unknown word \"\(word.text)\"; expected " + Self.describe(children))
    }

    static func describe(_ children: [GrammarNode]) -> String {
        if children.isEmpty { return "nothing more" }
        let labels = children.map(\.label)
        return labels.count == 1 ? labels[0] : "one of: " + labels.joined(separator: ", ")
    }

    /// What may follow the text typed so far: `?` lists it with help, Tab
    /// inserts it. `values` gives the names for stream, account and service
    /// arguments. The completions replace the line from `replaceFrom`.
    public func completions(for line: String, values: (ArgumentKind) -> [String]) -> (replaceFrom: Int, candidates: [Completion]) {
        guard let split = try? CommandWords.split(line, partial: true) else { return (line.count, []) }
        var words = split.words
        var partial = ""
        var replaceFrom = line.count
        if !split.endsWithBlank || split.openQuote, let last = words.last {
            partial = last.text
            replaceFrom = last.start
            words.removeLast()
        }
        if words.contains(where: { $0.text == "|" && !$0.quoted }) {
            return (replaceFrom, "json".hasPrefix(partial) ? [Completion(insert: "json", label: "json", help: "print the result as JSON")] : [])
        }
        var children = root
        var node: GrammarNode?
        // The words so far, keywords in full: a configuration line's start.
        var typed: [String] = []
        for (index, word) in words.enumerated() {
            guard let chosen = try? match(word, among: children) else { return (replaceFrom, []) }
            if case .argument(_, let kind) = chosen.kind {
                switch kind {
                case .rest:
                    return (replaceFrom, [Completion(insert: nil, label: chosen.label, help: chosen.help)])
                case .configuration:
                    let next = ConfigCompletion.next(after: typed + words[index...].map(\.text), partial: partial)
                    var out = next.keywords + next.values
                    if partial.isEmpty, next.mayEnd { out.append(Completion(insert: nil, label: "<cr>", help: "run the command")) }
                    return (replaceFrom, out.isEmpty ? [Completion(insert: nil, label: chosen.label, help: chosen.help)] : out)
                case .keyValues(let keys):
                    let used = Set(words.compactMap { $0.text.split(separator: "=").first.map(String.init) })
                    return (replaceFrom, keyValueCompletions(keys, used: used, partial: partial, help: chosen.help))
                default: break
                }
            }
            typed.append(chosen.keyword ?? word.text)
            node = chosen
            children = chosen.children
        }
        var out: [Completion] = []
        for child in children {
            switch child.kind {
            case .keyword(let keyword):
                if keyword.hasPrefix(partial) { out.append(Completion(insert: keyword, label: keyword, help: child.help)) }
            case .argument(_, .keyValues(let keys)):
                out += keyValueCompletions(keys, used: [], partial: partial, help: child.help)
            case .argument(_, .configuration):
                // The configuration language's keywords that may come next, beside the CLI's own.
                for keyword in ConfigCompletion.next(after: typed, partial: partial).keywords
                where !out.contains(where: { $0.insert == keyword.insert }) && children.allSatisfy({ $0.keyword != keyword.insert }) {
                    out.append(keyword)
                }
                out.append(Completion(insert: nil, label: child.label, help: child.help))
            case .argument(_, let kind):
                for value in values(kind).sorted() where value.hasPrefix(partial) && children.allSatisfy({ $0.keyword != value }) {
                    out.append(Completion(insert: CommandWords.quote(value), label: value, help: child.help))
                }
                out.append(Completion(insert: nil, label: child.label, help: child.help))
            }
        }
        if partial.isEmpty, node?.command != nil {
            out.append(Completion(insert: nil, label: "<cr>", help: "run the command"))
            if node.map({ Self.isShow($0) }) == true || words.first.map({ "show".hasPrefix($0.text) && !$0.text.isEmpty }) == true {
                out.append(Completion(insert: "|", label: "|", help: "| json: print the result as JSON"))
            }
        }
        return (replaceFrom, out)
    }

    private func keyValueCompletions(_ keys: [String], used: Set<String>, partial: String, help: String) -> [Completion] {
        if partial.contains("=") { return [] }
        return keys.filter { !used.contains($0) && $0.hasPrefix(partial) }.map { Completion(insert: $0 + "=", label: $0 + "=", help: help) }
    }

    private static func isShow(_ node: GrammarNode) -> Bool { node.command?.name.hasPrefix("show") == true }
}
