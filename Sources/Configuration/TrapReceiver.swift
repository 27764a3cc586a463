/// A notification receiver (RFC 3413 §3).
public struct TrapReceiver: Codable, Equatable, Sendable {
    /// Unacknowledged (`trap`, SNMPv2-Trap-PDU) or acknowledged (`inform`, InformRequest-PDU).
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case trap, inform
    }

    /// The receiver.
    public var host: NetworkHost
    /// Its UDP port (default 162, RFC 3413 §3).
    public var port: UInt16
    /// The USM user whose keys protect the notifications; must exist.
    public var user: String
    /// Trap or inform.
    public var kind: Kind

    /// The snmptrap port.
    public static let defaultPort: UInt16 = 162

    public init(host: NetworkHost, port: UInt16 = TrapReceiver.defaultPort, user: String, kind: Kind = .trap) {
        self.host = host
        self.port = port
        self.user = user
        self.kind = kind
    }
}
