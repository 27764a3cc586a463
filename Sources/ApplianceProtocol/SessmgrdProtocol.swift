import Configuration
import ApplianceCore

/// sessmgrd's control methods (`run/appliance/sessmgrd.sock`). Streams are
/// created, changed and deleted in configd's configuration (`apply`);
/// sessmgrd follows it. Here: reading state and starting or stopping.
///
/// Who may call: root and sessmgrd's own user act as the console
/// administrator; webd and snmpd read without a session (they check their own
/// users); anyone else presents a configd `session`, whose role decides:
/// viewer reads, operator and admin also start and stop.
public enum SessmgrdMethod {
    public struct ReadParameters: Codable, Sendable {
        /// One stream, or nil for all.
        public var name: String?
        public var session: String?
        public init(name: String? = nil, session: String? = nil) {
            self.name = name
            self.session = session
        }
    }

    public struct StreamParameters: Codable, Sendable {
        public var name: String
        public var session: String?
        public init(name: String, session: String? = nil) {
            self.name = name
            self.session = session
        }
    }

    /// One line of `list`.
    public struct Entry: Codable, Sendable, Equatable {
        public var name: String
        /// `stopped`, `starting`, `streaming`, `source-lost`, `error`.
        public var state: String
        public var reason: String?
        public var source: String
        public var destination: String
        public var autostart: Bool

        public init(name: String, state: String, reason: String? = nil, source: String, destination: String, autostart: Bool) {
            self.name = name
            self.state = state
            self.reason = reason
            self.source = source
            self.destination = destination
            self.autostart = autostart
        }
    }

    public struct ListResult: Codable, Sendable, Equatable {
        public var streams: [Entry]
        /// The configd revision followed; nil before configd answered.
        public var configurationRevision: UInt64?

        public init(streams: [Entry], configurationRevision: UInt64? = nil) {
            self.streams = streams
            self.configurationRevision = configurationRevision
        }
    }

    public enum List: ControlMethod {
        public typealias Parameters = ReadParameters
        public typealias Result = ListResult
        public static let name = "list"
    }

    public struct StatusResult: Codable, Sendable, Equatable {
        public var streams: [StreamStatus]
        /// Whether the shaper service answers and can run tc (without it, shaping is off).
        public var shapingAvailable: Bool
        public var configurationRevision: UInt64?
        /// The SCHED_FIFO priority the sending threads run at (the manifest's
        /// `realtime-priority`); nil: normal scheduling, or none started yet.
        public var pacingPriority: Int?

        public init(streams: [StreamStatus], shapingAvailable: Bool, configurationRevision: UInt64? = nil, pacingPriority: Int? = nil) {
            self.streams = streams
            self.shapingAvailable = shapingAvailable
            self.configurationRevision = configurationRevision
            self.pacingPriority = pacingPriority
        }
    }

    public enum Status: ControlMethod {
        public typealias Parameters = ReadParameters
        public typealias Result = StatusResult
        public static let name = "status"
    }

    public struct Started: Codable, Sendable, Equatable {
        public var name: String
        public var state: String

        public init(name: String, state: String) {
            self.name = name
            self.state = state
        }
    }

    public enum Start: ControlMethod {
        public typealias Parameters = StreamParameters
        public typealias Result = Started
        public static let name = "start"
    }

    public enum Stop: ControlMethod {
        public typealias Parameters = StreamParameters
        public typealias Result = Started
        public static let name = "stop"
    }
}

/// A stream's status and counters, as `status` answers.
public struct StreamStatus: Codable, Sendable, Equatable {
    public var name: String
    public var state: String
    public var reason: String?
    public var source: String
    public var destination: String
    public var encapsulation: String
    /// RTP SSRC and next sequence number (ts-rtp).
    public var ssrc: UInt32?
    public var nextSequence: UInt16?
    public var datagrams: UInt64 = 0
    public var bytes: UInt64 = 0
    /// Bits per second over the last second, and since the stream (re)started.
    public var currentBitrate: UInt64 = 0
    public var averageBitrate: UInt64 = 0
    /// The source's own rate, from its PCRs.
    public var sourceBitrate: UInt64 = 0
    /// Mean interval between PCRs (ms) and its jitter against the interpolated clock (µs).
    public var pcrIntervalMilliseconds: Double = 0
    public var pcrJitterMicroseconds: Double = 0
    /// How late datagrams left against their deadline (µs), measured on send.
    public var pacingErrorP50Microseconds: UInt64?
    public var pacingErrorP99Microseconds: UInt64?
    public var pacingErrorMaxMicroseconds: UInt64 = 0
    /// Times the schedule was re-anchored because sending fell far behind (e.g. the process was stopped).
    public var scheduleResets: UInt64 = 0
    /// File sources: passes completed; and the byte offset in the file.
    public var loopCount: UInt64 = 0
    public var sourceOffset: UInt64 = 0
    /// Starts of this stream by this daemon after its first (a stop and start,
    /// a changed configuration, a start after an error), and whether the
    /// current run resumed a checkpoint (after a restart of sessmgrd).
    public var restarts: UInt64 = 0
    public var resumed: Bool = false
    /// RFC 4445 MDI of the output over the last second: "DF:MLR".
    public var mdi: String = "0.00:0"
    public var mdiDelayFactorMilliseconds: Double = 0
    public var mdiMediaLossRate: Double = 0
    /// Bad input, counted (the stream continues).
    public var input: StreamInputCounters = .init()
    /// PCR jumps (forward, backward, signalled) and packets that came before any PCR or far from one.
    public var pcrJumps: UInt64 = 0
    public var sourceLosses: UInt64 = 0
    /// Network inputs: datagrams refused (garbage, not TS), lost (RTP sequence gaps) and late.
    public var inputDatagrams: UInt64 = 0
    public var inputMalformedDatagrams: UInt64 = 0
    public var inputLostDatagrams: UInt64 = 0
    public var inputLateDatagrams: UInt64 = 0
    /// Datagrams the kernel refused to send.
    public var sendErrors: UInt64 = 0
    /// RTCP sender reports sent on port+1.
    public var rtcpSenderReports: UInt64 = 0
    /// `off` (not asked), `unavailable: why`, or `on dev IF class 5e55:N rate R bit/s`.
    public var shaping: String = "off"

    public init(name: String, state: String, source: String, destination: String, encapsulation: String) {
        self.name = name
        self.state = state
        self.source = source
        self.destination = destination
        self.encapsulation = encapsulation
    }
}

/// What a stream's input held, counted (sessmgrd's TS resynchroniser): the
/// stream continues past each.
public struct StreamInputCounters: Codable, Sendable, Equatable {
    /// Packets passed on.
    public var packets: UInt64 = 0
    /// Times sync was lost after being held.
    public var syncLosses: UInt64 = 0
    /// Bytes skipped while looking for sync.
    public var skippedBytes: UInt64 = 0
    /// Packets in sync whose header does not parse: dropped.
    public var invalidPackets: UInt64 = 0
    /// Packets with transport_error_indicator set (passed on, counted).
    public var transportErrors: UInt64 = 0
    /// Bytes of a last, incomplete packet at the end of the input.
    public var truncatedBytes: UInt64 = 0
    public init(packets: UInt64 = 0, syncLosses: UInt64 = 0, skippedBytes: UInt64 = 0, invalidPackets: UInt64 = 0,
                transportErrors: UInt64 = 0, truncatedBytes: UInt64 = 0) {
        self.packets = packets
        self.syncLosses = syncLosses
        self.skippedBytes = skippedBytes
        self.invalidPackets = invalidPackets
        self.transportErrors = transportErrors
        self.truncatedBytes = truncatedBytes
    }
}
