import Configuration
import ApplianceProtocol
/// The difference between two configurations as command lines, the way
/// `show running-config diff` shows running against startup: lines only in
/// the old one are removed (`-`), lines only in the new one added (`+`),
/// in the order of the rendered text.
public struct ConfigDiff: Equatable, Sendable, CustomStringConvertible {
    /// One line of the difference.
    public enum Line: Equatable, Sendable {
        case removed(String)
        case added(String)
    }

    /// The changed lines, in order.
    public let lines: [Line]

    /// The difference from `old` to `new`, comparing their renderings with
    /// `secrets` (use `.none` for anything a person will see).
    public init(from old: ApplianceConfig, to new: ApplianceConfig, secrets: SecretDisclosure = .none) {
        self.init(from: ConfigDiff.commands(old, secrets), to: ConfigDiff.commands(new, secrets))
    }

    /// The difference between two lists of command lines, by longest common
    /// subsequence (configurations are hundreds of lines; beyond ~4 million
    /// cells it falls back to set difference, which is still correct, just
    /// less tidy in its ordering).
    public init(from old: [String], to new: [String]) {
        if old.count * new.count > 4_000_000 {
            let oldSet = Set(old), newSet = Set(new)
            lines = old.filter { !newSet.contains($0) }.map(Line.removed) + new.filter { !oldSet.contains($0) }.map(Line.added)
            return
        }
        // table[i][j] = LCS length of old[i...] and new[j...].
        var table = Array(repeating: Array(repeating: 0, count: new.count + 1), count: old.count + 1)
        for i in stride(from: old.count - 1, through: 0, by: -1) {
            for j in stride(from: new.count - 1, through: 0, by: -1) {
                table[i][j] = old[i] == new[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var result: [Line] = []
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if i < old.count, j < new.count, old[i] == new[j] {
                i += 1
                j += 1
            } else if j == new.count || (i < old.count && table[i + 1][j] >= table[i][j + 1]) {
                result.append(.removed(old[i]))
                i += 1
            } else {
                result.append(.added(new[j]))
                j += 1
            }
        }
        lines = result
    }

    /// Whether the two configurations render the same.
    public var isEmpty: Bool { lines.isEmpty }

    /// The lines removed.
    public var removed: [String] { lines.compactMap { if case .removed(let text) = $0 { text } else { nil } } }

    /// The lines added.
    public var added: [String] { lines.compactMap { if case .added(let text) = $0 { text } else { nil } } }

    /// Diff-style text: `- line` and `+ line`, one per line.
    public var description: String {
        lines.map {
            switch $0 {
            case .removed(let text): "- " + text + "\n"
            case .added(let text): "+ " + text + "\n"
            }
        }.joined()
    }

    private static func commands(_ config: ApplianceConfig, _ secrets: SecretDisclosure) -> [String] {
        ConfigRenderer.lines(config, sections: Set(Section.allCases), secrets: secrets).flatMap { $0 }
    }
}
