import ApplianceCore
import Glibc

/// The shaper's control methods (`run/appliance/shaper.sock`, `sessmgrd
/// --shaper`). A narrow set: create or change one class of sessmgrd's own
/// qdisc `5e55:`, remove one, remove all. Only root, the shaper's own user
/// and sessmgrd's user may call.
public enum ShaperMethod {
    public struct ShapeParameters: Codable, Sendable, Equatable {
        public var minor: UInt16
        public var interface: String
        public var rate: UInt64
        public var sourcePort: UInt16
        public var ipv6: Bool

        public init(minor: UInt16, interface: String, rate: UInt64, sourcePort: UInt16, ipv6: Bool) {
            self.minor = minor
            self.interface = interface
            self.rate = rate
            self.sourcePort = sourcePort
            self.ipv6 = ipv6
        }
    }

    public struct UnshapeParameters: Codable, Sendable, Equatable {
        public var minor: UInt16
        public var interface: String

        public init(minor: UInt16, interface: String) {
            self.minor = minor
            self.interface = interface
        }
    }

    public struct StatusResult: Codable, Sendable, Equatable {
        /// Whether `tc` can work here (CAP_NET_ADMIN held and `tc` found), and why not.
        public var available: Bool
        public var reason: String?
        /// Random per start of the shaper: a new one means the classes made
        /// for sessmgrd are gone (a restarted shaper removes what the old one made).
        public var instance: String

        public init(available: Bool, reason: String? = nil, instance: String) {
            self.available = available
            self.reason = reason
            self.instance = instance
        }
    }

    public enum Shape: ControlMethod {
        public typealias Parameters = ShapeParameters
        public typealias Result = NoValue
        public static let name = "shape"
    }

    public enum Unshape: ControlMethod {
        public typealias Parameters = UnshapeParameters
        public typealias Result = NoValue
        public static let name = "unshape"
    }

    /// Removes every class, filter and qdisc it made (sessmgrd starting or stopping).
    public enum Reset: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = NoValue
        public static let name = "reset"
    }

    public enum Status: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = StatusResult
        public static let name = "status"
    }

    /// The checks a request passes before `tc` runs: a minor of ours
    /// (1-fffe), an interface name that exists (at most 15 bytes of
    /// letters, digits, `.`, `_`, `-`, not starting with `-`), a rate between
    /// 8 kbit/s and 100 Gbit/s, a source port.
    public static func validate(minor: UInt16, interface: String) throws(ControlError) {
        guard (1...0xfffe).contains(minor) else { throw ControlError(.invalidParameters, "minor \(minor) is not 1-65534") }
        let bytes = Array(interface.utf8)
        guard (1...15).contains(bytes.count), bytes.first != UInt8(ascii: "-"),
              bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7a) || $0 == 0x2E || $0 == 0x5F || $0 == 0x2D }) else {
            throw ControlError(.invalidParameters, "\"\(interface)\" is not an interface name")
        }
        guard if_nametoindex(interface) != 0 else { throw ControlError(.invalidParameters, "no interface \(interface)") }
    }

    public static func validate(_ request: ShapeParameters) throws(ControlError) {
        try validate(minor: request.minor, interface: request.interface)
        guard (8_000...100_000_000_000).contains(request.rate) else { throw ControlError(.invalidParameters, "rate \(request.rate) bit/s is out of range") }
        guard request.sourcePort > 0 else { throw ControlError(.invalidParameters, "source port 0") }
    }
}
