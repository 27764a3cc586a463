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
    }

    public struct QueryResult: Codable, Sendable, Equatable {
        /// Oldest first.
        public var entries: [Entry]
        /// More matched than `limit`; the oldest (or with `afterSequence`, the newest) were left out.
        public var truncated: Bool
    }

    /// Searches the local audit log.
    public enum Query: ControlMethod {
        public typealias Parameters = QueryParameters
        public typealias Result = QueryResult
        public static let name = "query"
    }

    public struct StatusResult: Codable, Sendable, Equatable {
        public var intake: AuditIntake.Counters
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
    }

    public enum Status: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = StatusResult
        public static let name = "status"
    }
}

/// The rule a query applies to one record. Pure.
public struct AuditFilter: Sendable {
    public let parameters: AuditdMethod.QueryParameters
    private let needle: String?

    public init(_ parameters: AuditdMethod.QueryParameters) {
        self.parameters = parameters
        needle = parameters.text?.lowercased()
    }

    public func matches(_ record: JournalRecord) -> Bool {
        if let from = parameters.fromMicros, record.acceptedMicros < from { return false }
        if let to = parameters.toMicros, record.acceptedMicros >= to { return false }
        if let needle, !record.text.lowercased().contains(needle) { return false }
        guard parameters.maximumSeverity != nil || parameters.appName != nil || parameters.account != nil else { return true }
        guard let message = try? RFC5424Parser.parse(Array(record.text.utf8)) else { return false }
        if let maximum = parameters.maximumSeverity, message.severity > maximum { return false }
        if let app = parameters.appName, message.appName != app { return false }
        if let account = parameters.account,
           message.parameter("account", in: AuditClient.structuredDataID) != account,
           message.parameter("user", in: OriginStamp.originID) != account { return false }
        return true
    }
}
