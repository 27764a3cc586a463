import ApplianceCore
import ArgumentParser
import Glibc

/// A real service for procmon's tests and benchmarks: it declares readiness,
/// serves the listening sockets it is given, and on request crashes, grows
/// its memory, or ignores SIGTERM. Never part of a shipped appliance.
struct TestService: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appliance-testsvc",
        abstract: "A test service for procmon (readiness, crashes, memory growth, passed sockets)."
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "Milliseconds to wait before declaring readiness.")
    var readyDelay = 0

    @Flag(help: "Never declare readiness.")
    var noReady = false

    @Option(help: "Exit with --exit-code this many milliseconds after readiness.")
    var crashAfter: Int?

    @Option(help: "Exit status used by --crash-after.")
    var exitCode: Int32 = 3

    @Option(help: "After readiness, allocate and touch this many MiB.")
    var growMiB = 0

    @Option(help: "After readiness, send \"ready <pid>\" as a UDP datagram to 127.0.0.1:PORT (default: $TESTSVC_ANNOUNCE, so runit can exec it with no arguments).")
    var announce: UInt16? = getenv("TESTSVC_ANNOUNCE").flatMap { UInt16(String(cString: $0)) }

    @Flag(help: "Ignore SIGTERM (procmon must escalate to SIGKILL).")
    var ignoreTerm = false

    func run() throws {
        ApplianceLogging.bootstrap(label: "appliance-testsvc")
        if ignoreTerm {
            signal(SIGTERM, SIG_IGN)
        } else {
            signal(SIGTERM) { _ in _exit(0) }
        }
        let sockets = ListenSockets.fromEnvironment()
        for (name, fd) in sockets?.sockets ?? [] { serve(name: name, fd: fd) }
        if readyDelay > 0 { usleep(useconds_t(readyDelay) * 1000) }
        if !noReady { ServiceReadiness.notifyReady() }
        if let announce { Self.announce(port: announce) }
        let line = "testsvc ready pid=\(getpid()) uid=\(getuid()) sockets=\(sockets?.sockets.map(\.name) ?? [])\n"
        _ = Array(line.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if growMiB > 0 {
            let size = growMiB << 20
            let memory = malloc(size)!
            memset(memory, 0x5a, size)
        }
        if let crashAfter {
            usleep(useconds_t(crashAfter) * 1000)
            Glibc.exit(exitCode)
        }
        while true { pause() }
    }

    /// TCP: each connection gets "hello <name> <pid>\n". UDP: datagrams are echoed.
    func serve(name: String, fd: Int32) {
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length)
        let isStream = type == Int32(SOCK_STREAM.rawValue)
        DedicatedThread.start(name: name) {
            var buffer = [UInt8](repeating: 0, count: 2048)
            while true {
                if isStream {
                    let client = accept(fd, nil, nil)
                    if client < 0 { continue }
                    let reply = Array("hello \(name) \(getpid())\n".utf8)
                    _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                    close(client)
                } else {
                    var peer = sockaddr_storage()
                    var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
                    let n = withUnsafeMutablePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                            buffer.withUnsafeMutableBytes { recvfrom(fd, $0.baseAddress, $0.count, 0, address, &peerLength) }
                        }
                    }
                    if n <= 0 { continue }
                    _ = withUnsafePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                            buffer.withUnsafeBytes { sendto(fd, $0.baseAddress, n, 0, address, peerLength) }
                        }
                    }
                }
            }
        }
    }

    static func announce(port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let message = Array("ready \(getpid())".utf8)
        _ = message.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}

TestService.main()
