import Configuration
import ApplianceProtocol
import ApplianceCore
import Glibc

/// Who a local caller of configd is, from its kernel-verified uid.
public enum CallerClass: Equatable, Sendable {
    /// root or configd's own user: the local console administrator.
    case privileged
    /// A daemon of the appliance, by its service account.
    case service(ApplianceService)
    /// Anyone else: may act only through a session it was given.
    case other
}

/// Maps uids to caller classes from the service accounts that exist on this
/// system (`appliance-web` → webd, …), looked up once at start.
public struct CallerDirectory: Sendable {
    public static let serviceAccounts: [ApplianceService: String] = [
        .webd: "appliance-web", .snmpd: "appliance-snmp", .sessmgrd: "appliance-sessmgr",
        .auditd: "appliance-audit", .procmon: "root",
    ]

    private let ownUID: UInt32
    private let services: [UInt32: ApplianceService]

    public init(ownUID: UInt32 = getuid()) {
        self.ownUID = ownUID
        var services: [UInt32: ApplianceService] = [:]
        for (service, user) in Self.serviceAccounts where service != .procmon {
            if let entry = getpwnam(user) { services[entry.pointee.pw_uid] = service }
        }
        self.services = services
    }

    public init(ownUID: UInt32, services: [UInt32: ApplianceService]) {
        self.ownUID = ownUID
        self.services = services
    }

    public func classify(_ caller: PeerCredentials) -> CallerClass {
        if caller.uid == 0 || caller.uid == ownUID { return .privileged }
        return services[caller.uid].map(CallerClass.service) ?? .other
    }
}
