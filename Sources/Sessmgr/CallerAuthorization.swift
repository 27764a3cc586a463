import ApplianceProtocol
import ApplianceCore
import Configuration
import Glibc

/// Who may read and who may start or stop streams (OpenSSH monitor style:
/// decided from the kernel-verified caller and, for people, the role of the
/// configd session they present; never from what the request claims).
///
/// - root and sessmgrd's own user: the console administrator, everything.
/// - webd and snmpd (their service accounts): read without a session; they
///   authorise their own users. To start or stop on a user's behalf they
///   pass that user's session.
/// - anyone else, or any caller passing a session: the session's role;
///   viewer reads, operator and admin also start and stop.
public struct CallerAuthorization: Sendable {
    public enum Need: Sendable { case read, control }

    let readers: Set<UInt32>
    let ownUID: UInt32
    let checkSession: @Sendable (String) async throws -> ConfigdMethod.SessionInfo

    public init(readers: Set<UInt32>, ownUID: UInt32 = getuid(),
                checkSession: @escaping @Sendable (String) async throws -> ConfigdMethod.SessionInfo) {
        self.readers = readers
        self.ownUID = ownUID
        self.checkSession = checkSession
    }

    /// The readers by their service accounts on this system.
    public static func serviceReaders() -> Set<UInt32> {
        Set(["appliance-web", "appliance-snmp"].compactMap { (name: String) -> UInt32? in getpwnam(name)?.pointee.pw_uid })
    }

    /// Returns who acts (for the audit trail) or throws `permissionDenied`.
    public func authorize(_ caller: PeerCredentials, session: String?, for need: Need) async throws(ControlError) -> String {
        if let session {
            guard session.utf8.count <= 128 else { throw ControlError(.invalidParameters, "a session token is at most 128 bytes") }
            let info: ConfigdMethod.SessionInfo
            do { info = try await checkSession(session) } catch let error as ControlError {
                throw error.code == .permissionDenied ? error : ControlError(.unavailable, "configd cannot check the session: \(error.message)")
            } catch {
                throw ControlError(.unavailable, "configd cannot check the session: \(error)")
            }
            if info.mustChangePassword {
                throw ControlError(.permissionDenied, "the password of \(info.account) has expired: change it first")
            }
            if need == .control && info.role < .operator {
                throw ControlError(.permissionDenied, "\(info.account) is a \(info.role.rawValue): starting and stopping streams needs operator or admin")
            }
            return info.account
        }
        if caller.uid == 0 || caller.uid == ownUID {
            let name = getpwuid(caller.uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(caller.uid)"
            return "console:\(name)"
        }
        if need == .read && readers.contains(caller.uid) { return "service uid \(caller.uid)" }
        throw ControlError(.permissionDenied, need == .read ? "reading streams needs a session (sign in first)"
                                                            : "starting and stopping streams needs a session of an operator or admin")
    }
}
