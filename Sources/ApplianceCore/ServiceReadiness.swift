import Glibc

/// How a service tells its supervisor it is ready to serve.
///
/// Under procmon: write `READY=1\n` to the fd named by `APPLIANCE_READY_FD`
/// (a pipe only this process holds, so readiness cannot be claimed by another).
/// Under systemd (`Type=notify`): the same text as a datagram to `NOTIFY_SOCKET`.
public enum ServiceReadiness {
    public static let environmentVariable = "APPLIANCE_READY_FD"

    /// Declares readiness once; later calls and a missing supervisor are harmless.
    public static func notifyReady() {
        let message = Array("READY=1\n".utf8)
        if let value = getenv(environmentVariable), let fd = Int32(String(cString: value)), fd > 2 {
            _ = message.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            unsetenv(environmentVariable)
            return
        }
        if let value = getenv("NOTIFY_SOCKET") {
            var path = String(cString: value)
            if path.hasPrefix("@") { path = "\0" + path.dropFirst() }  // abstract namespace
            let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { return }
            defer { close(fd) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
            _ = message.withUnsafeBytes { buffer in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, buffer.baseAddress, buffer.count - 1, 0, $0, length)
                    }
                }
            }
            unsetenv("NOTIFY_SOCKET")
        }
    }
}
