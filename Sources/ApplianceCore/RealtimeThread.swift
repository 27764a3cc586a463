/// procmon's `realtime-thread` method: a service whose manifest entry has
/// `realtime-priority` asks procmon to put one of its own threads under
/// SCHED_FIFO at that priority (as RealtimeKit does for desktop programs),
/// so that the service itself needs no capability and no raised limit.
/// procmon grants it only to the service's own process (the caller's pid is
/// the service's pid and the thread's Tgid is that pid).
public enum RealtimeThreadMethod: ControlMethod {
    public struct Parameters: Codable, Sendable {
        /// The thread's id (gettid), of the calling process.
        public var thread: Int32
        public init(thread: Int32) { self.thread = thread }
    }
    public struct Result: Codable, Sendable, Equatable {
        /// The SCHED_FIFO priority the thread now runs at.
        public var priority: Int
        public init(priority: Int) { self.priority = priority }
    }
    public static let name = "realtime-thread"
}
