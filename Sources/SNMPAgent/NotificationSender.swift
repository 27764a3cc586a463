import ApplianceProtocol
import Configuration
import Glibc
import SNMP
import Synchronization

/// Sends SNMPv3 notifications (RFC 3416 SNMPv2-Trap-PDU, authPriv) to the
/// configured receivers. A trap's authoritative engine is this agent
/// (RFC 3414 §1.5.1), so the users' keys, localized to this engine, serve.
/// An InformRequest's authoritative engine is the receiver: it needs keys
/// localized to the receiver's engine ID, derived from the password, which
/// the appliance never holds; `inform` receivers are reported as not served.
public final class NotificationSender: Sendable {
    public static let snmpTrapOID: OID = [1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0]
    public static let sysUpTime: OID = [1, 3, 6, 1, 2, 1, 1, 3, 0]
    public static let coldStart: OID = [1, 3, 6, 1, 6, 3, 1, 1, 5, 1]
    public static let authenticationFailure: OID = [1, 3, 6, 1, 6, 3, 1, 1, 5, 5]

    static let informRefusal = "informs need keys localized to the receiver's engine, which the appliance does not hold; configure trap"

    private struct Receiver {
        var config: TrapReceiver
        var status: ReceiverStatus
    }

    private let receivers = Mutex<[Receiver]>([])
    private let users = Mutex<[[UInt8]: AgentUser]>([:])
    private let salts: Mutex<USMSaltGenerator>
    private let messageIDs = Atomic<Int32>(1)
    private let fd4: Int32
    private let fd6: Int32

    public init() {
        var generator = SystemRandomNumberGenerator()
        salts = Mutex(USMSaltGenerator(using: &generator))
        fd4 = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        fd6 = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        messageIDs.store(Int32.random(in: 1...0x3FFF_FFFF), ordering: .relaxed)
    }

    deinit {
        if fd4 >= 0 { close(fd4) }
        if fd6 >= 0 { close(fd6) }
    }

    /// Takes the configured receivers and users; counters of receivers that
    /// stay are kept.
    public func configure(_ configured: [TrapReceiver], users table: [[UInt8]: AgentUser]) {
        users.withLock { $0 = table }
        receivers.withLock { current in
            current = configured.map { config in
                if let kept = current.first(where: { $0.config == config }) { return kept }
                var status = ReceiverStatus(host: config.host.description, port: config.port, user: config.user, kind: config.kind.rawValue,
                                            sent: 0, failed: 0)
                if config.kind == .inform { status.lastError = Self.informRefusal }
                return Receiver(config: config, status: status)
            }
        }
    }

    public var status: [ReceiverStatus] { receivers.withLock { $0.map(\.status) } }

    /// Sends `notification` with `objects` after sysUpTime.0 and snmpTrapOID.0 (RFC 3416 §4.2.6).
    public func send(_ notification: OID, objects: [VarBind] = [], name: String, engine: EngineSnapshot, upTime: UInt32) {
        let targets = receivers.withLock { $0.map(\.config) }
        guard !targets.isEmpty else { return }
        let table = users.withLock { $0 }
        let varBinds = [VarBind(Self.sysUpTime, .timeTicks(upTime)), VarBind(Self.snmpTrapOID, .objectIdentifier(notification))] + objects
        for target in targets {
            let outcome = deliver(varBinds, to: target, users: table, engine: engine)
            receivers.withLock { current in
                guard let index = current.firstIndex(where: { $0.config == target }) else { return }
                current[index].status.lastNotification = name
                if let error = outcome {
                    current[index].status.failed += 1
                    current[index].status.lastError = error
                } else {
                    current[index].status.sent += 1
                    current[index].status.lastError = nil
                }
            }
        }
    }

    /// nil when sent; else why not.
    private func deliver(_ varBinds: [VarBind], to target: TrapReceiver, users: [[UInt8]: AgentUser], engine: EngineSnapshot) -> String? {
        guard target.kind == .trap else { return Self.informRefusal }
        guard let user = users[Array(target.user.utf8)] else { return "user \(target.user) has no usable keys" }
        guard let peer = UDPPeer.resolve(target.host, port: target.port) else { return "cannot resolve \(target.host)" }
        let requestID = messageIDs.add(1, ordering: .relaxed).newValue & 0x7FFF_FFFF
        let pdu = PDU(type: .snmpV2Trap, requestID: requestID, varBinds: varBinds)
        let scoped = ScopedPDU(contextEngineID: engine.engineID, contextName: [], pdu: pdu)
        let salt = salts.withLock { $0.next() }
        let message: [UInt8]
        do {
            message = try USMEngine.encodeOutgoing(scoped, messageID: requestID, maxSize: Int32(BERReader.maximumMessageSize), reportable: false,
                                                   security: .authPriv(user.credentials, salt: salt), authoritative: engine)
        } catch {
            return "cannot encrypt: \(error)"
        }
        let fd = peer.family == AF_INET6 ? fd6 : fd4
        guard UDPSocket.send(fd, message, to: peer) else { return "send to \(peer.description): \(String(cString: strerror(errno)))" }
        return nil
    }
}
