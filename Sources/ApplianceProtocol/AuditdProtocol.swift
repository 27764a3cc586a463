import Configuration
import ApplianceCore

/// auditd's control methods (`run/appliance/auditd.sock`).
public enum AuditdMethod {
    public struct QueryParameters: Codable, Sendable {
        /// Accepted at or after / before (microseconds since the epoch).
        public var fromMicros: Int64?
        public var toMicros: Int64?
        /// Only events at least this severe (RFC 5424: 0 emergency … 7 debug).
        public var maximumSeverity: Int?
        /// APP-NAME equal to this (`configd`, `procmon`, …).
        public var appName: String?
        /// The account acting (`account=` of the event) or sending (`user=` of its origin).
        public var account: String?
        /// Contained in the event's text, case-insensitively.
        public var text: String?
        /// At most this many of the newest matches (1…1000, default 100).
        public var limit: Int?
        /// Forward paging: the oldest `limit` matches after this sequence instead.
        public var afterSequence: UInt64?
        /// An admin's configd session, for a caller that is neither root,
        /// auditd's own user nor webd (the CLI of an ssh login).
        public var session: String?

        public init(fromMicros: Int64? = nil, toMicros: Int64? = nil, maximumSeverity: Int? = nil, appName: String? = nil,
                    account: String? = nil, text: String? = nil, limit: Int? = nil, afterSequence: UInt64? = nil) {
            self.fromMicros = fromMicros
            self.toMicros = toMicros
            self.maximumSeverity = maximumSeverity
            self.appName = appName
            self.account = account
            self.text = text
            self.limit = limit
            self.afterSequence = afterSequence
        }
    }

    public struct Entry: Codable, Sendable, Equatable {
        public var sequence: UInt64
        public var acceptedMicros: Int64
        /// The stamped RFC 5424 message.
        public var text: String

        public init(sequence: UInt64, acceptedMicros: Int64, text: String) {
            self.sequence = sequence
            self.acceptedMicros = acceptedMicros
            self.text = text
        }
    }

    public struct QueryResult: Codable, Sendable, Equatable {
        /// Oldest first.
        public var entries: [Entry]
        /// More matched than `limit`; the oldest (or with `afterSequence`, the newest) were left out.
        public var truncated: Bool

        public init(entries: [Entry], truncated: Bool) {
            self.entries = entries
            self.truncated = truncated
        }
    }

    /// Searches the local audit log.
    public enum Query: ControlMethod {
        public typealias Parameters = QueryParameters
        public typealias Result = QueryResult
        public static let name = "query"
    }

    public struct StatusResult: Codable, Sendable, Equatable {
        public var intake: AuditIntakeCounters
        public var firstSequence: UInt64
        public var nextSequence: UInt64
        public var journalBytes: Int
        public var segments: Int
        /// Bytes of a torn record cut when the journal was opened (a crash mid-write).
        public var recoveredTornBytes: Int
        /// Retention in effect: the configuration's, else auditd's options.
        public var retentionDays: Int
        public var retentionMiB: Int
        /// Free space on the journal's file system, and whether it is under the reserve.
        public var diskFreeBytes: UInt64
        public var diskNearlyFull: Bool
        /// The configd revision the settings came from; nil before configd answered.
        public var configurationRevision: UInt64?
        /// One per configured collector.
        public var destinations: [DestinationStatus]

        public init(intake: AuditIntakeCounters, firstSequence: UInt64, nextSequence: UInt64, journalBytes: Int, segments: Int, recoveredTornBytes: Int, retentionDays: Int, retentionMiB: Int, diskFreeBytes: UInt64, diskNearlyFull: Bool, configurationRevision: UInt64? = nil, destinations: [DestinationStatus]) {
            self.intake = intake
            self.firstSequence = firstSequence
            self.nextSequence = nextSequence
            self.journalBytes = journalBytes
            self.segments = segments
            self.recoveredTornBytes = recoveredTornBytes
            self.retentionDays = retentionDays
            self.retentionMiB = retentionMiB
            self.diskFreeBytes = diskFreeBytes
            self.diskNearlyFull = diskNearlyFull
            self.configurationRevision = configurationRevision
            self.destinations = destinations
        }
    }

    public enum Status: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = StatusResult
        public static let name = "status"
    }
}

/// What auditd's intake took and refused since it started.
public struct AuditIntakeCounters: Codable, Sendable, Equatable {
    public var accepted = 0
    public var malformed = 0
    public var oversized = 0
    public var forged = 0
    public var batches = 0
    /// Waiting in memory for the journal to take them.
    public var pending = 0
    /// Lost because memory held `memoryBound` events already (oldest first).
    public var droppedFromMemory = 0
    public var journalFailures = 0
    public var lastJournalError: String?
    public init() {}
}

/// One destination's state, as `auditd status` shows it.
public struct DestinationStatus: Codable, Sendable, Equatable {
    /// `host:port`.
    public var destination: String
    /// `connecting`, `connected`, `waiting` (backing off after a failure) or `stopped`.
    public var state: String
    /// Why the last attempt or connection failed, and when (µs since the epoch).
    public var lastError: String?
    public var lastErrorMicros: Int64?
    /// Events in the journal the collector has not confirmably received.
    public var backlog: UInt64
    /// The newest event known delivered (acknowledged by the collector's TCP
    /// and past the grace period); the next connection starts after it.
    public var confirmedSequence: UInt64
    /// Frames written, resends included.
    public var sent: UInt64
    /// Frames written again after a connection broke (duplicates at the collector, at most).
    public var resent: UInt64
    /// Events retention removed before this destination got them.
    public var lostToRetention: UInt64
    public var connections: Int
    /// The SHA-256 fingerprint of the collector's certificate on the current connection.
    public var peerCertificate: String?
    /// Seconds until the next attempt, while waiting.
    public var retryInSeconds: Double?

    public init(destination: String, state: String, lastError: String? = nil, lastErrorMicros: Int64? = nil, backlog: UInt64,
                confirmedSequence: UInt64, sent: UInt64, resent: UInt64, lostToRetention: UInt64, connections: Int,
                peerCertificate: String? = nil, retryInSeconds: Double? = nil) {
        self.destination = destination
        self.state = state
        self.lastError = lastError
        self.lastErrorMicros = lastErrorMicros
        self.backlog = backlog
        self.confirmedSequence = confirmedSequence
        self.sent = sent
        self.resent = resent
        self.lostToRetention = lostToRetention
        self.connections = connections
        self.peerCertificate = peerCertificate
        self.retryInSeconds = retryInSeconds
    }
}
