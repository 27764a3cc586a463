import ApplianceCore

/// webd's control methods (`run/appliance/webd.sock`).
public enum WebdMethod {
    public struct StatusResult: Codable, Sendable, Equatable {
        public var httpsPort: Int
        public var httpPort: Int
        /// The host name the redirect and the certificate's first start use.
        public var hostname: String
        public var openConnections: Int
        public var maximumConnections: Int
        /// `WebCounters.Counter` names to values since start.
        public var counters: [String: Int]
        public var certificatePath: String
    }

    /// Anyone who can reach the socket (it reveals no secret).
    public enum Status: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = StatusResult
        public static let name = "status"
    }
}
