import Glibc

/// Binding the appliance's Unix sockets under `run/appliance/`.
public enum UnixSocket {
    public struct BindError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// A listening stream socket (or a bound datagram socket) at `path`, mode
    /// 0666: who may do what is decided per request from `SO_PEERCRED` or
    /// `SCM_CREDENTIALS`, not by the file's mode. Bound under a temporary name
    /// and renamed into place once its mode is set. A datagram socket asks for
    /// its senders' credentials (`SO_PASSCRED`) before anything can reach it:
    /// credentials are attached only to datagrams sent after that.
    public static func bindShared(path: String, datagram: Bool) throws(BindError) -> Int32 {
        let type = datagram ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue)
        let fd = socket(AF_UNIX, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BindError(message: "cannot listen on \(path): \(errnoText())") }
        let temporary = path + ".new"
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(temporary.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw BindError(message: "cannot listen on \(path): path too long for a Unix socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        unlink(temporary)
        var on: Int32 = 1
        if datagram { setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, socklen_t(MemoryLayout<Int32>.size)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(temporary, 0o666) == 0, datagram || listen(fd, 128) == 0, rename(temporary, path) == 0 else {
            let reason = errnoText()
            close(fd)
            unlink(temporary)
            throw BindError(message: "cannot listen on \(path): \(reason)")
        }
        return fd
    }
}
