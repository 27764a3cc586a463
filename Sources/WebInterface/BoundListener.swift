import HummingbirdCore
import Logging
import NIOCore
import NIOPosix

/// Serves one of Hummingbird's child channels (HTTP/1.1, with or without
/// TLS) on a listening socket.
///
/// Hummingbird 2.28's `Server` binds only to a host and port or a Unix
/// path; it cannot take a socket that is already bound. procmon binds 443
/// and 80 as root and passes them (`LISTEN_FDS`), so webd builds the same
/// child channel Hummingbird would and accepts on the passed socket with
/// NIO's `ServerBootstrap.bind(_:)` (the inherited-descriptor form). Run
/// alone (no socket passed), it binds the address itself, the same path.
public struct BoundListener<Child: ServerChildChannel>: Sendable {
    public enum Socket: Sendable {
        /// A listening socket passed by the supervisor.
        case inherited(Int32)
        /// An address to bind (development, run without procmon).
        case address(host: String, port: Int)
    }

    public let name: String
    public let child: Child
    public let socket: Socket
    public let group: any EventLoopGroup
    public let logger: Logger
    /// Connections served at once; one more is closed on arrival and counted.
    public let maximumConnections: Int
    public let counters: WebCounters?

    public init(name: String, child: Child, socket: Socket, group: any EventLoopGroup, logger: Logger,
                maximumConnections: Int = 512, counters: WebCounters? = nil) {
        self.name = name
        self.child = child
        self.socket = socket
        self.group = group
        self.logger = logger
        self.maximumConnections = maximumConnections
        self.counters = counters
    }

    /// Starts listening; the returned channel is then served by `serve`.
    public func listen() async throws -> NIOAsyncChannel<Child.Value, Never> {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
        let child = self.child
        let logger = self.logger
        switch socket {
        case .inherited(let fd):
            return try await bootstrap.bind(fd) { channel in child.setup(channel: channel, logger: logger) }
        case .address(let host, let port):
            return try await bootstrap.bind(host: host, port: port) { channel in child.setup(channel: channel, logger: logger) }
        }
    }

    /// Accepts connections until the listening socket is closed (close it
    /// to stop; do not cancel the task: a connection accepted but not yet
    /// taken from NIO's stream traps when dropped). Each connection is
    /// handled in a task of its own.
    public func serve(_ server: NIOAsyncChannel<Child.Value, Never>) async {
        let child = self.child
        let logger = self.logger
        let counters = self.counters ?? WebCounters()
        let limit = maximumConnections
        await withDiscardingTaskGroup { group in
            do {
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        guard counters.open.add(1, ordering: .relaxed).newValue <= limit else {
                            counters.open.subtract(1, ordering: .relaxed)
                            if self.counters != nil { counters.add(.connectionsRefused) }
                            // Closed first, then handed to the child all the same:
                            // its handler sees the end at once and finishes the
                            // connection's async writer (dropping one unfinished traps).
                            connection.channel.close(promise: nil)
                            group.addTask { await child.handle(value: connection, logger: logger) }
                            continue
                        }
                        if self.counters != nil { counters.add(.connectionsAccepted) }
                        group.addTask {
                            await child.handle(value: connection, logger: logger)
                            counters.open.subtract(1, ordering: .relaxed)
                        }
                    }
                }
            } catch {
                logger.debug("\(name) listener ended: \(error)")
            }
            group.cancelAll()
        }
    }
}
