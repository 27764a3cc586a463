import CApplianceSystem
import Glibc

/// Who is at the other end of a Unix socket, as the kernel says
/// (`SO_PEERCRED`): never what the peer claims about itself.
public struct PeerCredentials: Sendable, Hashable, Codable, CustomStringConvertible {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    init(_ credentials: appliance_ucred) {
        self.init(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
    }

    /// The credentials of a connected Unix socket's peer.
    public static func of(socket fd: Int32) -> PeerCredentials? {
        var pid: pid_t = 0
        var uid: uid_t = 0
        var gid: gid_t = 0
        guard appliance_peer_credentials(fd, &pid, &uid, &gid) == 0 else { return nil }
        return PeerCredentials(pid: pid, uid: uid, gid: gid)
    }

    /// This process's own credentials.
    public static var current: PeerCredentials {
        PeerCredentials(pid: getpid(), uid: getuid(), gid: getgid())
    }

    public var description: String { "pid \(pid) uid \(uid) gid \(gid)" }
}

/// Who may call a control method: checked against the caller's kernel-verified
/// credentials before the request is even decoded (OpenSSH monitor style).
public struct ControlPermission: Sendable, CustomStringConvertible {
    private let allows: @Sendable (PeerCredentials) -> Bool
    public let description: String

    public init(_ description: String, allows: @escaping @Sendable (PeerCredentials) -> Bool) {
        self.description = description
        self.allows = allows
    }

    public func permits(_ caller: PeerCredentials) -> Bool { allows(caller) }

    /// Any local process that can reach the socket.
    public static let anyone = ControlPermission("anyone") { _ in true }

    /// root, or the user the daemon itself runs as.
    public static var privileged: ControlPermission {
        let own = getuid()
        return ControlPermission("root or uid \(own)") { $0.uid == 0 || $0.uid == own }
    }

    /// root, the daemon's own user, or one of the given users.
    public static func privileged(or uids: Set<UInt32>, named name: String) -> ControlPermission {
        let own = getuid()
        return ControlPermission("root, uid \(own) or \(name)") { $0.uid == 0 || $0.uid == own || uids.contains($0.uid) }
    }
}
