import Glibc
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import WebInterface

/// The listener serves at most `maximumConnections` at once: one more is
/// closed on arrival and counted, and the ones already open are kept.
@Suite struct BoundListenerTests {
    static func connect(_ port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return fd
    }

    /// Whether the peer closed `fd` within `milliseconds`.
    static func closedByPeer(_ fd: Int32, within milliseconds: Int32) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, milliseconds) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }

    @Test func connectionsPastTheLimitAreClosedAndCounted() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let counters = WebCounters()
        let child = HTTP1Channel(responder: { _, writer, _ in
            try await writer.writeResponse(HTTPResponse(status: .noContent))
        })
        let listener = BoundListener(name: "test", child: child, socket: .address(host: "127.0.0.1", port: 0), group: group,
                                     logger: Logger(label: "test"), maximumConnections: 2, counters: counters)
        let server = try await listener.listen()
        let port = try #require(server.channel.localAddress?.port)
        let serving = Task { await listener.serve(server) }
        let first = Self.connect(port), second = Self.connect(port)
        try await Task.sleep(for: .milliseconds(200))
        let third = Self.connect(port)
        defer { close(third) }
        #expect(Self.closedByPeer(third, within: 2000))
        #expect(!Self.closedByPeer(first, within: 200))
        #expect(!Self.closedByPeer(second, within: 50))
        #expect(counters.value(.connectionsRefused) == 1)
        #expect(counters.value(.connectionsAccepted) == 2)
        #expect(counters.openConnections == 2)
        close(first)
        try await Task.sleep(for: .milliseconds(300))
        #expect(counters.openConnections == 1)
        close(second)
        try await Task.sleep(for: .milliseconds(300))
        #expect(counters.openConnections == 0)
        // Closing the listening socket ends serve once it has taken every connection.
        server.channel.close(promise: nil)
        await serving.value
        try await group.shutdownGracefully()
    }
}
