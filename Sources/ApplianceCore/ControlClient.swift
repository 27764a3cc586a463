import Glibc

/// Calls a daemon's control socket: one connection per call, a deadline on
/// the whole exchange, and an error that names the peer when it is down.
///
/// Blocking by design (plain system calls with a deadline), so command-line
/// tools use it directly; `call(_:_:) async` runs it on a thread of its own.
public struct ControlClient: Sendable {
    public let socketPath: String
    public var timeout: Duration
    /// The peer's name in messages (`procmon`, `configd`).
    public var peerName: String

    public init(socketPath: String, peerName: String, timeout: Duration = .seconds(5)) {
        self.socketPath = socketPath
        self.peerName = peerName
        self.timeout = timeout
    }

    public init(paths: AppliancePaths, daemon: String, timeout: Duration = .seconds(5)) {
        self.init(socketPath: paths.controlSocket(daemon), peerName: daemon, timeout: timeout)
    }

    public func call<M: ControlMethod>(_ method: M.Type, _ parameters: M.Parameters) async throws(ControlError) -> M.Result {
        try await offThePool { () throws(ControlError) in try self.callBlocking(method, parameters) }
    }

    /// `exchange(_:)` without blocking a cooperative thread.
    public func exchange(_ request: [UInt8]) async throws(ControlError) -> [UInt8] {
        try await offThePool { () throws(ControlError) in try self.exchange(request) }
    }

    /// Runs blocking socket I/O on a thread of its own. Not on Dispatch's
    /// global queue: on Linux that shares its width (one thread per core) with
    /// Swift concurrency's cooperative pool, so a few blocked calls would
    /// starve every task in the process, the server's included.
    private func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws(ControlError) -> T) async throws(ControlError) -> T {
        let result: Result<T, ControlError> = await withCheckedContinuation { continuation in
            DedicatedThread.start(name: "control-call") {
                continuation.resume(returning: Result { () throws(ControlError) in try body() })
            }
        }
        return try result.get()
    }

    public func callBlocking<M: ControlMethod>(_ method: M.Type, _ parameters: M.Parameters) throws(ControlError) -> M.Result {
        let id = UInt64.random(in: 1...UInt64(Int64.max))
        let request: [UInt8]
        do {
            request = try ControlCodec.encodeRequest(method, id: id, parameters: parameters)
        } catch {
            throw ControlError(.invalidParameters, "cannot encode \(M.name): \(error)")
        }
        let line = try exchange(request)
        return try ControlCodec.decodeResponse(method, id: id, from: line)
    }

    /// Sends raw bytes and reads one answer line; for tests of hostile input.
    public func exchange(_ request: [UInt8]) throws(ControlError) -> [UInt8] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ControlError(.unavailable, "cannot create a socket: \(errnoText())") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ControlError(.unavailable, "socket path too long: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            switch errno {
            case ENOENT, ECONNREFUSED:
                throw ControlError(.unavailable, "\(peerName) is not running (no listener at \(socketPath))")
            case EACCES:
                throw ControlError(.permissionDenied, "no permission to reach \(peerName) at \(socketPath)")
            default:
                throw ControlError(.unavailable, "cannot reach \(peerName) at \(socketPath): \(errnoText())")
            }
        }
        var sent = 0
        while sent < request.count {
            try wait(fd, for: Int16(POLLOUT), until: deadline)
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw ControlError(.unavailable, "\(peerName) closed the connection: \(errnoText())")
            }
            sent += n
        }
        var framer = LineFramer(maximumLength: ControlCodec.maximumMessageSize)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            try wait(fd, for: Int16(POLLIN), until: deadline)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw ControlError(.unavailable, "reading from \(peerName) failed: \(errnoText())")
            }
            if n == 0 { throw ControlError(.unavailable, "\(peerName) closed the connection without answering") }
            for frame in framer.append(buffer[0..<n]) {
                switch frame {
                case .line(let line): return line
                case .oversized: throw ControlError(.messageTooLarge, "\(peerName) answered with more than \(ControlCodec.maximumMessageSize) bytes")
                }
            }
        }
    }

    private func wait(_ fd: Int32, for events: Int16, until deadline: ContinuousClock.Instant) throws(ControlError) {
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else {
                throw ControlError(.timeout, "\(peerName) did not answer within \(timeout)")
            }
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&poller, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                throw ControlError(.unavailable, "waiting for \(peerName) failed: \(errnoText())")
            }
        }
    }
}

/// The text of an errno value (strerror).
public func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
