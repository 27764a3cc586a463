/// Time synchronisation.
public struct TimeSettings: Codable, Equatable, Sendable {
    /// NTP servers, at most `maximumServers`.
    public var ntpServers: [NetworkHost]

    /// The most NTP servers kept (chrony and ntpd gain nothing from more).
    public static let maximumServers = 8

    public init(ntpServers: [NetworkHost] = []) {
        self.ntpServers = ntpServers
    }
}
