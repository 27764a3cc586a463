import Glibc

/// A system call that failed (a socket, a checkpoint file): which step, and the system's word for why.
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public var step: String
    public var code: Int32
    public init(_ step: String, code: Int32 = errno) {
        self.step = step
        self.code = code
    }
    public var description: String { "\(step): \(String(cString: strerror(code)))" }
}
