import ApplianceCore
import ApplianceProtocol

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
