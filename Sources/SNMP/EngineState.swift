/// What persists of the engine between starts (RFC 3414 §2.2.2: boots must
/// survive restarts, or replays from before a restart would be accepted).
/// The daemon writes it atomically before serving; this type is only the record.
public struct EngineBootRecord: Codable, Hashable, Sendable {
    /// The engine ID the boots were counted for, in hex.
    public var engineIDHex: String
    /// snmpEngineBoots at the last start.
    public var boots: Int32

    public init(engineIDHex: String, boots: Int32) {
        self.engineIDHex = engineIDHex
        self.boots = boots
    }
}

/// The authoritative engine's identity and clock (RFC 3414 §2.2): engineID,
/// snmpEngineBoots and snmpEngineTime. Pure: time is derived from monotonic
/// readings the caller passes in (seconds since any fixed origin).
public struct EngineState: Hashable, Sendable {
    /// The largest boots/time value (RFC 3414 §2.2.2: 2147483647).
    public static let maximum: Int32 = .max

    /// snmpEngineID.
    public let engineID: [UInt8]
    /// snmpEngineBoots at start.
    public let boots: Int32
    /// The monotonic reading (seconds) at start, when snmpEngineTime was 0.
    public let startSeconds: UInt64

    public init(engineID: [UInt8], boots: Int32, startSeconds: UInt64) {
        self.engineID = engineID
        self.boots = boots
        self.startSeconds = startSeconds
    }

    /// The state for a new start after `previous`: boots goes up by one and
    /// stays at 2147483647 once there (RFC 3414 §2.2.2, where the engine then
    /// refuses every authenticated request until re-keyed); a new engine ID
    /// starts again at 1. Returns the record to persist before serving.
    public static func starting(engineID: [UInt8], after previous: EngineBootRecord?,
                                startSeconds: UInt64) -> (state: EngineState, record: EngineBootRecord) {
        let hex = engineID.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        var boots: Int32 = 1
        if let previous, previous.engineIDHex.lowercased() == hex {
            boots = previous.boots >= maximum ? maximum : max(previous.boots, 0) + 1
        }
        return (EngineState(engineID: engineID, boots: boots, startSeconds: startSeconds),
                EngineBootRecord(engineIDHex: hex, boots: boots))
    }

    /// boots and time at monotonic reading `nowSeconds`. When time would pass
    /// 2147483647, boots goes up and time starts again from 0 (RFC 3414
    /// §2.2.2), latched at the maximum as above.
    public func snapshot(atSeconds nowSeconds: UInt64) -> EngineSnapshot {
        let elapsed = nowSeconds >= startSeconds ? nowSeconds - startSeconds : 0
        let period = UInt64(Self.maximum) + 1
        let wraps = elapsed / period
        let currentBoots = UInt64(max(boots, 0)) + wraps
        if currentBoots >= UInt64(Self.maximum) {
            return EngineSnapshot(engineID: engineID, boots: Self.maximum, time: Int32(elapsed % period))
        }
        return EngineSnapshot(engineID: engineID, boots: Int32(currentBoots), time: Int32(elapsed % period))
    }
}

/// The engine's identity and clock at one instant: what the USM checks time
/// windows against and puts in outgoing messages.
public struct EngineSnapshot: Hashable, Sendable {
    public var engineID: [UInt8]
    public var boots: Int32
    public var time: Int32

    public init(engineID: [UInt8], boots: Int32, time: Int32) {
        self.engineID = engineID
        self.boots = boots
        self.time = time
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
