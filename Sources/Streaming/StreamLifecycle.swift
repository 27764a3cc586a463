/// What a stream is doing, as its status reports it.
public enum StreamState: Equatable, Sendable, Codable, CustomStringConvertible {
    case stopped
    /// Opening the source and the output, learning the source's clock.
    case starting
    case streaming
    /// The source stopped delivering (a network input went silent); the
    /// stream waits for it, sending nothing.
    case sourceLost
    /// Stopped by a failure it cannot get past alone; the reason says which.
    case error(String)

    /// The word of the status (`stopped`, `starting`, `streaming`, `source-lost`, `error`).
    public var word: String {
        switch self {
        case .stopped: "stopped"
        case .starting: "starting"
        case .streaming: "streaming"
        case .sourceLost: "source-lost"
        case .error: "error"
        }
    }

    public var reason: String? {
        if case .error(let reason) = self { return reason }
        return nil
    }

    public var description: String { reason.map { "error: \($0)" } ?? word }

    /// Whether a sending thread runs in this state.
    public var isActive: Bool {
        switch self {
        case .starting, .streaming, .sourceLost: true
        case .stopped, .error: false
        }
    }
}

/// A stream's lifecycle as a table of state × event (s6-supervise style):
/// each event gives the next state and what the I/O shell must do. Events
/// that make no sense in a state change nothing and ask for nothing.
public struct StreamLifecycle: Equatable, Sendable {
    public enum Event: Equatable, Sendable {
        /// An operator, autostart or a resumed checkpoint asks the stream to run.
        case startRequested
        /// The first datagram left, or the source came back.
        case sending
        case sourceLost
        /// The sending thread gave up (`reason`).
        case failed(String)
        case stopRequested
        /// The sending thread has ended.
        case ended
    }

    /// What the shell does after an event.
    public enum Action: Equatable, Sendable {
        /// Start the sending thread.
        case launch
        /// Ask the sending thread to end.
        case halt
        /// Record an audit event of this kind (`stream-start`, `stream-stop`,
        /// `stream-error`, `stream-source-lost`, `stream-source-recovered`).
        case audit(String)
    }

    public private(set) var state: StreamState = .stopped
    /// Whether a stop was asked while the thread still ran.
    public private(set) var stopping = false

    public init() {}

    public mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        case (.stopped, .startRequested), (.error, .startRequested):
            state = .starting
            stopping = false
            return [.launch, .audit("stream-start")]
        case (.starting, .sending):
            state = .streaming
            return []
        case (.sourceLost, .sending):
            state = .streaming
            return [.audit("stream-source-recovered")]
        case (.starting, .sourceLost), (.streaming, .sourceLost):
            state = .sourceLost
            return [.audit("stream-source-lost")]
        case (.starting, .failed(let reason)), (.streaming, .failed(let reason)), (.sourceLost, .failed(let reason)):
            guard !stopping else { return [] }
            state = .error(reason)
            return [.audit("stream-error")]
        case (.starting, .stopRequested), (.streaming, .stopRequested), (.sourceLost, .stopRequested):
            guard !stopping else { return [] }
            stopping = true
            return [.halt]
        case (.error, .stopRequested):
            state = .stopped
            return [.audit("stream-stop")]
        case (.starting, .ended), (.streaming, .ended), (.sourceLost, .ended):
            state = stopping ? .stopped : .error("the sending thread ended")
            defer { stopping = false }
            return [.audit(stopping ? "stream-stop" : "stream-error")]
        default:
            return []
        }
    }
}
