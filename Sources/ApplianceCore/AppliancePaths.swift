#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Every path the appliance uses, derived from one root (`--root`).
///
/// Appliance mode runs with root `/`; development mode puts the same tree
/// under a folder (`.appliance/` of the checkout by default), so several
/// instances can run side by side.
public struct AppliancePaths: Sendable, Equatable {
    /// The root everything lives under, absolute and without a trailing slash
    /// (empty for `/`, so `root + "/etc"` is always right).
    public let root: String

    public init(root: String) {
        let absolute = Self.absolute(root)
        self.root = absolute == "/" ? "" : absolute
    }

    /// `path` made absolute against the working directory, without trailing slashes.
    public static func absolute(_ path: String) -> String {
        var absolute = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        while absolute.count > 1 && absolute.hasSuffix("/") { absolute.removeLast() }
        return absolute
    }

    /// True when this is the real appliance layout (root `/`).
    public var isApplianceRoot: Bool { root.isEmpty }

    public var configDirectory: String { root + "/etc/appliance" }
    public var runDirectory: String { root + "/run/appliance" }
    public var stateDirectory: String { root + "/var/lib/appliance" }
    public var logDirectory: String { root + "/var/log" }

    /// `run/appliance/<name>.sock`: the control socket of a daemon.
    public func controlSocket(_ daemon: String) -> String { runDirectory + "/\(daemon).sock" }
    /// `run/appliance/audit.sock`: auditd's datagram intake.
    public var auditSocket: String { runDirectory + "/audit.sock" }
    /// `var/lib/appliance/<name>/`: a daemon's persistent state.
    public func stateDirectory(_ daemon: String) -> String { stateDirectory + "/\(daemon)" }
    /// `var/log/<name>.log`: a service's captured output.
    public func logFile(_ service: String) -> String { logDirectory + "/\(service).log" }
    public func pidFile(_ daemon: String) -> String { runDirectory + "/\(daemon).pid" }
    /// `var/lib/appliance/configd/initial-admin-password`: in configd's own
    /// folder, so no service needs to write `var/lib/appliance` itself.
    public var initialAdminPasswordFile: String { stateDirectory("configd") + "/initial-admin-password" }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(cString: buffer)
    }
}
