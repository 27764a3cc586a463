import Foundation
import Glibc
import Streaming

/// A UDP receiver on 127.0.0.1 (or any local address) that keeps every
/// datagram with its arrival time: the far end of a stream in the tests.
final class StreamReceiver: @unchecked Sendable {
    struct Arrival {
        var nanoseconds: UInt64
        var bytes: [UInt8]
    }

    let fd: Int32
    let port: UInt16
    private let lock = NSLock()
    private var arrivals: [Arrival] = []
    private var closed = false

    init(port: UInt16, address: String = "127.0.0.1") throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        inet_pton(AF_INET, address, &sin.sin_addr)
        let bound = withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        self.port = port
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&poller, 1, 50)
                lock.lock()
                let done = closed
                lock.unlock()
                if done { return }
                while true {
                    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    guard n > 0 else { break }
                    var spec = timespec()
                    clock_gettime(CLOCK_MONOTONIC, &spec)
                    let arrival = Arrival(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec), bytes: Array(buffer[0..<n]))
                    lock.lock()
                    arrivals.append(arrival)
                    lock.unlock()
                }
            }
        }
        thread.start()
    }

    var received: [Arrival] {
        lock.lock()
        defer { lock.unlock() }
        return arrivals
    }

    var count: Int { received.count }

    func close() {
        lock.lock()
        closed = true
        lock.unlock()
        usleep(100_000)
        Glibc.close(fd)
    }

    /// RTP datagrams parsed; the payload as bytes.
    var rtp: [(header: RTPHeader, payload: [UInt8], at: UInt64)] {
        received.compactMap { arrival in
            guard let parsed = try? RTPHeader.parse(arrival.bytes) else { return nil }
            return (parsed.header, Array(arrival.bytes[parsed.payload]), arrival.nanoseconds)
        }
    }

    /// A free UDP port pair (even, port+1 free too) on loopback.
    static func freePortPair() -> UInt16 {
        for _ in 0..<100 {
            let candidate = UInt16.random(in: 20_000...30_000) & ~1
            let a = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0), b = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            defer { Glibc.close(a); Glibc.close(b) }
            func bindTo(_ fd: Int32, _ port: UInt16) -> Bool {
                var sin = sockaddr_in()
                sin.sin_family = sa_family_t(AF_INET)
                sin.sin_port = port.bigEndian
                sin.sin_addr.s_addr = inet_addr("127.0.0.1")
                return withUnsafePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
            }
            if bindTo(a, candidate) && bindTo(b, candidate + 1) { return candidate }
        }
        return 24_000
    }
}

/// Small TS files made by ffmpeg for the tests: test pattern + tone, H.264 + AAC, CBR with null padding.
enum TestMedia {
    /// `seconds` of 320x240 video, muxed at `muxrate` bit/s with a PCR every 20 ms.
    static func make(seconds: Int = 6, muxrate: Int = 1_000_000, in folder: String) throws -> String {
        let path = folder + "/test-\(seconds)s-\(muxrate).ts"
        if FileManager.default.fileExists(atPath: path) { return path }
        let video = muxrate * 7 / 10
        let made = try ChildProcess.run("/usr/bin/ffmpeg", ["-hide_banner", "-loglevel", "error", "-y",
                             "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25",
                             "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=48000",
                             "-t", String(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25",
                             "-b:v", String(video), "-minrate", String(video), "-maxrate", String(video), "-bufsize", String(video / 2),
                             "-x264-params", "nal-hrd=cbr", "-c:a", "aac", "-b:a", "96k",
                             "-f", "mpegts", "-muxrate", String(muxrate), "-pcr_period", "20", path])
        guard made.code == 0 else { throw POSIXError(.EIO) }
        return path
    }

    /// The file's rate from its own PCRs: bits between the first and last PCR over their time.
    static func pcrBitrate(_ path: String) throws -> Double {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        var first: (Int, UInt64)?, last: (Int, UInt64)?
        for index in 0..<(bytes.count / 188) {
            if let packet = try? TSPacket(bytes, at: index * 188), let pcr = packet.pcr {
                if first == nil { first = (index, pcr) }
                last = (index, pcr)
            }
        }
        guard let first, let last, last.1 > first.1 else { throw POSIXError(.EINVAL) }
        return Double(last.0 - first.0) * 188 * 8 / (Double(last.1 - first.1) / 27e6)
    }

    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        do {
            let done = try ChildProcess.run(arguments[0], Array(arguments.dropFirst()))
            return (done.code, done.output + done.error)
        } catch { return (-1, "\(error)") }
    }
}
