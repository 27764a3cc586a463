import Configuration
import Glibc
import SNMP
import Synchronization

/// An SNMP user as the agent holds it: USM credentials and the role that
/// decides what it may write.
public struct AgentUser: Sendable {
    public var credentials: USMCredentials
    public var role: Role

    public init(credentials: USMCredentials, role: Role) {
        self.credentials = credentials
        self.role = role
    }

    /// The users of the configuration; a user whose keys cannot be used is
    /// left out and reported.
    public static func table(_ users: [USMUser]) -> (users: [[UInt8]: AgentUser], problems: [String]) {
        var table: [[UInt8]: AgentUser] = [:]
        var problems: [String] = []
        for user in users {
            do {
                let credentials = try USMCredentials(userName: Array(user.name.utf8), authProtocol: user.authProtocol, authKey: user.authKey,
                                                     privProtocol: user.privProtocol, privKey: user.privKey)
                table[credentials.userName] = AgentUser(credentials: credentials, role: user.role)
            } catch {
                problems.append("snmp user \(user.name): \(error)")
            }
        }
        return (table, problems)
    }
}

/// What a SetRequest asks configd to do, and how configd answered.
public struct SetChange: Sendable, Equatable {
    /// The configuration commands (`hostname NAME`, `system contact "TEXT"`, …).
    public var commands: [String]
    /// The USM user that sent the request.
    public var userName: String
    /// The manager's address.
    public var peer: String
}

public enum SetResult: Sendable, Equatable {
    case applied
    /// configd refused the change (its words).
    case refused(String)
    /// configd could not be asked.
    case unavailable(String)
}

/// The command responder: one datagram in, at most one datagram out. Holds
/// the engine, the users and the current MIB view; safe to call from several
/// receiving threads at once.
public final class Agent: Sendable {
    struct State: Sendable {
        var engine: EngineState
        var users: [[UInt8]: AgentUser]
        var view: MIBView
        var system: SystemSettings
    }

    /// What the agent tells the daemon about.
    public struct Events: Sendable {
        /// A message failed authentication (RFC 3418 authenticationFailure).
        public var authenticationFailure: @Sendable (_ peer: String, _ userName: String, _ counter: SNMPCounter, _ engine: EngineSnapshot, _ upTime: UInt32) -> Void
        /// The identity objects changed through a SetRequest.
        public var systemChanged: @Sendable (SystemSettings) -> Void

        public init(authenticationFailure: @escaping @Sendable (String, String, SNMPCounter, EngineSnapshot, UInt32) -> Void = { _, _, _, _, _ in },
                    systemChanged: @escaping @Sendable (SystemSettings) -> Void = { _ in }) {
            self.authenticationFailure = authenticationFailure
            self.systemChanged = systemChanged
        }
    }

    public static let sysContact: OID = [1, 3, 6, 1, 2, 1, 1, 4, 0]
    public static let sysName: OID = [1, 3, 6, 1, 2, 1, 1, 5, 0]
    public static let sysLocation: OID = [1, 3, 6, 1, 2, 1, 1, 6, 0]

    public let usm = USMEngine()
    private let state: Mutex<State>
    private let counters = Mutex(SNMPCounters())
    private let inPackets = Atomic<UInt32>(0)
    private let silentDrops = Atomic<UInt32>(0)
    private let salts: Mutex<USMSaltGenerator>
    private let startCentiseconds: UInt64
    private let applySet: @Sendable (SetChange) -> SetResult
    private let events: Events

    /// `applySet` takes a validated change to configd (blocking: sets are rare).
    public init(engine: EngineState, users: [[UInt8]: AgentUser] = [:], system: SystemSettings = SystemSettings(),
                applySet: @escaping @Sendable (SetChange) -> SetResult, events: Events = Events()) {
        var generator = SystemRandomNumberGenerator()
        salts = Mutex(USMSaltGenerator(using: &generator))
        startCentiseconds = Self.monotonicCentiseconds()
        self.applySet = applySet
        self.events = events
        state = Mutex(State(engine: engine, users: users, view: try! MIBView([]), system: system))
        rebuild(MIBData())
    }

    // MARK: State

    /// The live values every view reads.
    public var live: LiveValues {
        LiveValues(upTime: { [self] in upTime },
                   counter: { [self] counter in counters.withLock { $0[counter] } },
                   inPackets: { [self] in inPackets.load(ordering: .relaxed) },
                   silentDrops: { [self] in silentDrops.load(ordering: .relaxed) },
                   engine: { [self] in engineSnapshot },
                   maxMessageSize: usm.maxMessageSize,
                   system: { [self] in system })
    }

    /// sysUpTime: hundredths of a second since the agent started.
    public var upTime: UInt32 { UInt32(truncatingIfNeeded: Self.monotonicCentiseconds() - startCentiseconds) }

    public var engineSnapshot: EngineSnapshot {
        state.withLock { $0.engine }.snapshot(atSeconds: Self.monotonicCentiseconds() / 100)
    }

    public var system: SystemSettings { state.withLock { $0.system } }

    public func counter(_ counter: SNMPCounter) -> UInt32 { counters.withLock { $0[counter] } }
    public var receivedPackets: UInt32 { inPackets.load(ordering: .relaxed) }
    public var droppedResponses: UInt32 { silentDrops.load(ordering: .relaxed) }

    public func setEngine(_ engine: EngineState) { state.withLock { $0.engine = engine } }
    public func setUsers(_ users: [[UInt8]: AgentUser]) { state.withLock { $0.users = users } }
    public func setSystem(_ system: SystemSettings) { state.withLock { $0.system = system } }

    /// Builds a new tree from `data` and serves it from the next request on.
    public func rebuild(_ data: MIBData) {
        let view = AgentMIB.view(data, live: live)
        state.withLock { $0.view = view }
    }

    public var view: MIBView { state.withLock { $0.view } }

    /// Monotonic time in centi-seconds, the engine's and sysUpTime's clock.
    public static func monotonicCentiseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 100 + UInt64(now.tv_nsec) / 10_000_000
    }

    private func nextSalt() -> [UInt8] { salts.withLock { $0.next() } }

    // MARK: Requests

    /// The answer to `datagram` from `peer`, or nil to send nothing.
    public func handle(_ datagram: [UInt8], peer: @autoclosure () -> String) -> [UInt8]? {
        inPackets.add(1, ordering: .relaxed)
        let current = state.withLock { $0 }
        let engine = current.engine.snapshot(atSeconds: Self.monotonicCentiseconds() / 100)
        switch usm.processIncoming(datagram, engine: engine, users: { current.users[$0]?.credentials }) {
        case .rejected(let rejection):
            let value = counters.withLock { $0.increment(rejection.counter) }
            if rejection.counter == .usmStatsWrongDigests
                || (rejection.counter == .usmStatsUnknownUserNames && !(rejection.report?.userName.isEmpty ?? true)) {
                events.authenticationFailure(peer(), String(decoding: rejection.report?.userName ?? [], as: UTF8.self), rejection.counter,
                                             engine, upTime)
            }
            guard let report = rejection.report else { return nil }
            return try? usm.encodeReport(report, counterValue: value, engine: engine)
        case .accepted(let request):
            return respond(to: request, current: current, engine: engine, peer: peer)
        }
    }

    private func respond(to request: AuthenticatedRequest, current: State, engine: EngineSnapshot, peer: () -> String) -> [UInt8]? {
        let scoped = request.scopedPDU
        let pdu = scoped.pdu
        // RFC 3413 §3.2 steps 2-3: this engine has one context, the default
        // ("") of its own engine ID.
        if !scoped.contextName.isEmpty || (!scoped.contextEngineID.isEmpty && scoped.contextEngineID != engine.engineID) {
            let counter: SNMPCounter = scoped.contextName.isEmpty ? .snmpUnknownPDUHandlers : .snmpUnknownContexts
            let value = counters.withLock { $0.increment(counter) }
            guard pdu.type.isConfirmed else { return nil }
            let report = ScopedPDU(contextEngineID: engine.engineID, contextName: scoped.contextName,
                                   pdu: USMEngine.reportPDU(counter: counter, value: value, requestID: pdu.requestID))
            return try? USMEngine.encodeOutgoing(report, messageID: request.header.messageID, maxSize: usm.maxMessageSize, reportable: false,
                                                 security: OutgoingSecurity(request, salt: nextSalt()), authoritative: engine)
        }
        let response: PDU
        switch pdu.type {
        case .getRequest, .getNextRequest, .getBulkRequest:
            let responder = RequestResponder(view: current.view)
            // GetBulk fills the response up to the budget, so it needs the
            // exact one; Get and GetNext answer what was asked, and a too
            // generous estimate is caught by the size check below.
            let budget = pdu.type == .getBulkRequest ? varBindBudget(for: request, engine: engine)
                : Int(min(request.header.maxSize, usm.maxMessageSize)) - Self.largestOverhead
            response = responder.respond(to: pdu, varBindBudget: max(budget, 0))
        case .setRequest:
            guard let user = current.users[request.user.userName] else { return nil }
            response = set(pdu, user: user, view: current.view, peer: peer())
        default:
            // RFC 3412 §7.2 step 10: no application takes this PDU type here.
            counters.withLock { _ = $0.increment(.snmpUnknownPDUHandlers) }
            return nil
        }
        do {
            let encoded = try usm.encodeResponse(response, to: request, engine: engine, salt: nextSalt())
            if encoded.count <= Int(min(request.header.maxSize, usm.maxMessageSize)) { return encoded }
            // RFC 3416 §4.2.1: a response that does not fit becomes tooBig
            // without varbinds; if even that does not fit, it is dropped.
            let tooBig = PDU.response(to: pdu, status: .tooBig, index: 0, varBinds: [])
            let small = try usm.encodeResponse(tooBig, to: request, engine: engine, salt: nextSalt())
            if small.count <= Int(request.header.maxSize) { return small }
        } catch {}
        silentDrops.add(1, ordering: .relaxed)
        return nil
    }

    /// More than any response's encoding without its varbinds can take:
    /// message and header fields (≤ 40), USM parameters with a 32-octet
    /// engine ID and user name and a 48-octet MAC (≤ 150), the ScopedPDU's
    /// context and PDU fields (≤ 100), and the lengths around them.
    static let largestOverhead = 400

    /// How many octets of varbinds fit in the response: the message limit
    /// less the response's encoding without varbinds, computed without any
    /// cryptography (CFB ciphertext is as long as its plaintext, and the MAC
    /// and salt have fixed lengths), less a margin for lengths that grow.
    func varBindBudget(for request: AuthenticatedRequest, engine: EngineSnapshot) -> Int {
        let limit = Int(min(request.header.maxSize, usm.maxMessageSize))
        let empty = PDU(type: .response, requestID: request.scopedPDU.pdu.requestID,
                        errorStatus: ErrorStatus.tooBig.rawValue, errorIndex: Int32.max, varBinds: [])
        let scoped = ScopedPDU(contextEngineID: request.scopedPDU.contextEngineID, contextName: request.scopedPDU.contextName, pdu: empty)
        let parameters = USMSecurityParameters(
            authoritativeEngineID: engine.engineID, authoritativeEngineBoots: engine.boots, authoritativeEngineTime: engine.time,
            userName: request.user.userName,
            authenticationParameters: [UInt8](repeating: 0, count: request.user.authProtocol.authenticationParametersLength),
            privacyParameters: [UInt8](repeating: 0, count: USMPrivacy.saltLength))
        let message = SNMPv3Message(header: MessageHeader(messageID: request.header.messageID, maxSize: usm.maxMessageSize,
                                                          flags: MessageFlags(level: .authPriv, reportable: false)),
                                    securityParameters: parameters, data: .encrypted(scoped.encoded))
        return max(limit - message.encode().bytes.count - 10, 0)
    }

    // MARK: Set (RFC 3416 §4.2.5)

    func set(_ pdu: PDU, user: AgentUser, view: MIBView, peer: String) -> PDU {
        var commands: [String] = []
        var system = state.withLock { $0.system }
        for (offset, varBind) in pdu.varBinds.enumerated() {
            let index = Int32(offset + 1)
            func fail(_ status: ErrorStatus) -> PDU { .response(to: pdu, status: status, index: index, varBinds: pdu.varBinds) }
            let writable = [Self.sysContact, Self.sysName, Self.sysLocation].contains(varBind.name)
            // Only an admin's view is writable; other roles see no object as writable.
            guard user.role == .admin else { return fail(.noAccess) }
            guard writable else {
                if case .value = view.get(varBind.name) { return fail(.notWritable) }
                return fail(.noCreation)
            }
            guard case .octetString(let octets) = varBind.value else { return fail(.wrongType) }
            guard octets.count <= SystemSettings.maximumTextLength else { return fail(.wrongLength) }
            guard let text = String(validating: octets, as: UTF8.self), !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                return fail(.wrongValue)
            }
            switch varBind.name {
            case Self.sysName:
                guard SystemSettings.isValidHostname(text) else { return fail(.wrongValue) }
                commands.append("hostname \(text)")
                system.hostname = text
            case Self.sysContact:
                commands.append(text.isEmpty ? "no system contact" : "system contact \(ConfigRenderer.word(text))")
                system.contact = text.isEmpty ? nil : text
            default:
                commands.append(text.isEmpty ? "no system location" : "system location \(ConfigRenderer.word(text))")
                system.location = text.isEmpty ? nil : text
            }
        }
        guard !commands.isEmpty else { return .response(to: pdu, varBinds: pdu.varBinds) }
        let name = String(decoding: user.credentials.userName, as: UTF8.self)
        switch applySet(SetChange(commands: commands, userName: name, peer: peer)) {
        case .applied:
            state.withLock { $0.system = system }
            events.systemChanged(system)
            return .response(to: pdu, varBinds: pdu.varBinds)
        case .refused:
            return .response(to: pdu, status: .wrongValue, index: 1, varBinds: pdu.varBinds)
        case .unavailable:
            return .response(to: pdu, status: .commitFailed, index: 0, varBinds: pdu.varBinds)
        }
    }
}
