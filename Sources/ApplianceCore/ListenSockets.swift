import Glibc

/// Listening sockets handed over by the supervisor, by systemd's convention
/// (sd_listen_fds(3)): fds 3… with `LISTEN_FDS=n`, `LISTEN_PID=<our pid>` and
/// `LISTEN_FDNAMES=name:name`. procmon binds privileged ports as root and
/// passes them this way, so the daemons run unchanged under systemd too.
public struct ListenSockets: Sendable, Equatable {
    public static let firstDescriptor: Int32 = 3

    /// name → fd, in the order passed.
    public let sockets: [(name: String, fd: Int32)]

    public static func == (a: Self, b: Self) -> Bool {
        a.sockets.elementsEqual(b.sockets) { $0.name == $1.name && $0.fd == $1.fd }
    }

    public func fd(named name: String) -> Int32? {
        sockets.first { $0.name == name }?.fd
    }

    /// Parses the variables; nil when none were passed to this process.
    /// Pure, so the rules are tested without a supervisor.
    public static func parse(listenPID: String?, listenFDs: String?, listenFDNames: String?, ownPID: Int32) -> ListenSockets? {
        guard let listenPID, let pid = Int32(listenPID), pid == ownPID,
              let listenFDs, let count = Int32(listenFDs), count > 0, count < 256 else { return nil }
        var names = listenFDNames.map { $0.split(separator: ":", omittingEmptySubsequences: false).map(String.init) } ?? []
        if names.count != Int(count) { names = (0..<Int(count)).map { _ in "unknown" } }
        return ListenSockets(sockets: (0..<count).map { (names[Int($0)], firstDescriptor + $0) })
    }

    /// The sockets passed to this process; the variables are then removed so
    /// children do not inherit them, and the fds are made close-on-exec.
    public static func fromEnvironment() -> ListenSockets? {
        func variable(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
        let passed = parse(listenPID: variable("LISTEN_PID"), listenFDs: variable("LISTEN_FDS"),
                           listenFDNames: variable("LISTEN_FDNAMES"), ownPID: getpid())
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        for (_, fd) in passed?.sockets ?? [] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return passed
    }
}
