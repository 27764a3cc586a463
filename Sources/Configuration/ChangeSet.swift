/// A change to the configuration, applied whole or not at all: command lines
/// of the configuration language, and the typed edits that have no command
/// (a password change, which must move the old hash into the history).
public struct ChangeSet: Equatable, Sendable {
    /// One edit.
    public enum Change: Equatable, Sendable {
        /// One line of the configuration language (see `ConfigParser`).
        case command(String)
        /// Sets `account`'s password hash, made by configd after
        /// `PasswordPolicy` accepted the password: the current hash moves to
        /// the history (trimmed to the policy's depth) and the change time is set.
        case setPassword(account: String, hash: String, changedAt: Int64)
    }

    /// The edits, applied in order.
    public var changes: [Change]

    public init(_ changes: [Change]) { self.changes = changes }

    /// One `.command` per line.
    public init(commands: [String]) { self.changes = commands.map(Change.command) }

    /// One `.command` per line of `text` (blank and comment lines included,
    /// so errors name the line numbers of `text`).
    public init(text: String) {
        self.changes = ConfigParser.lines(of: text).map { .command(String(String.UnicodeScalarView($0))) }
    }
}

/// A change set that was refused: the syntax errors of its lines (numbered
/// by their position in the change set) or, if it read cleanly, every
/// problem of the configuration it would have produced.
public struct ConfigChangeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Lines that could not be read or applied.
    public var syntaxErrors: [ConfigSyntaxError]
    /// Problems of the resulting configuration.
    public var problems: [ConfigProblem]

    public init(syntaxErrors: [ConfigSyntaxError] = [], problems: [ConfigProblem] = []) {
        self.syntaxErrors = syntaxErrors
        self.problems = problems
    }

    public var description: String {
        (syntaxErrors.map(\.description) + problems.map(\.description)).joined(separator: "\n")
    }
}

extension ApplianceConfig {
    /// The configuration with `changes` applied and validated, or an error
    /// listing everything wrong. `self` is never modified: a change applies
    /// whole or not at all.
    ///
    /// Every line is tried even after one fails, so that one answer lists all
    /// syntax errors; validation runs only once all lines read cleanly (the
    /// problems of a half-applied change would mislead).
    public func applying(_ changes: ChangeSet, validator: ConfigValidator = ConfigValidator()) throws(ConfigChangeError) -> ApplianceConfig {
        var result = self
        var syntaxErrors: [ConfigSyntaxError] = []
        var problems: [ConfigProblem] = []
        for (index, change) in changes.changes.enumerated() {
            switch change {
            case .command(let line):
                do {
                    try ConfigParser.apply(line: line, to: &result, lineNumber: index + 1)
                } catch {
                    syntaxErrors.append(error)
                }
            case .setPassword(let name, let hash, let changedAt):
                guard let accountIndex = result.accounts.firstIndex(where: { $0.name == name }) else {
                    problems.append(ConfigProblem("account \"\(ConfigSyntaxError.printable(name))\"", "does not exist"))
                    continue
                }
                guard StoredPasswordHash(hash) != nil else {
                    problems.append(ConfigProblem("account \"\(name)\"", "the new password hash is not a $scrypt$ hash"))
                    continue
                }
                result.accounts[accountIndex].recordPasswordChange(newHash: hash, at: changedAt,
                                                                   historyDepth: result.policy.passwordHistoryDepth)
            }
        }
        if !syntaxErrors.isEmpty || !problems.isEmpty {
            throw ConfigChangeError(syntaxErrors: syntaxErrors, problems: problems)
        }
        problems = validator.problems(changingFrom: self, to: result)
        if !problems.isEmpty { throw ConfigChangeError(problems: problems) }
        return result
    }
}
