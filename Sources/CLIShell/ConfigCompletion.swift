import Configuration

/// Completion inside a configuration-language line (`stream cam1 ttl 32`,
/// `no ntp server ...`), from the language's one grammar (ConfigGrammar).
enum ConfigCompletion {
    /// Keywords to insert, placeholders to show, and whether the line may end.
    static func next(after words: [String], partial: String) -> (keywords: [Completion], values: [Completion], mayEnd: Bool) {
        let next = ConfigGrammar.next(after: words, partial: partial)
        return (next.keywords.map { Completion(insert: $0.word, label: $0.word, help: $0.help) },
                next.values.map { Completion(insert: nil, label: $0.label, help: $0.help) },
                next.mayEnd)
    }
}
