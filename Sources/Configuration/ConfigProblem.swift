/// One thing wrong with a configuration, naming the object it concerns:
///
///     stream "cam1": destination port 0 is out of range 1-65535
public struct ConfigProblem: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The object, as the user would name it (`stream "cam1"`, `hostname`).
    public var subject: String
    /// What is wrong and, where it helps, what to do.
    public var message: String

    public init(_ subject: String, _ message: String) {
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message)" }
}

/// A configuration refused by `ConfigValidator`, with every problem found.
public struct ConfigValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// All problems, in section order.
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) { self.problems = problems }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
