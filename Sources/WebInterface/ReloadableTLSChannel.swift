import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// The TLS context webd serves with, replaced whole when an admin installs
/// a certificate: each new connection takes the context current at its
/// accept, connections already open keep theirs. No restart, no dropped
/// connection.
public final class ServerTLSIdentity: Sendable {
    private let context: Mutex<NIOSSLContext>

    public init(_ configuration: TLSConfiguration) throws {
        context = Mutex(try NIOSSLContext(configuration: configuration))
    }

    /// The context for the next handshake.
    public var current: NIOSSLContext { context.withLock { $0 } }

    /// Switches to `configuration` (built and checked before anything changes).
    public func replace(with configuration: TLSConfiguration) throws {
        let next = try NIOSSLContext(configuration: configuration)
        context.withLock { $0 = next }
    }
}

/// HummingbirdTLS's `TLSChannel`, but taking its context from a
/// `ServerTLSIdentity` at each connection rather than once at start.
public struct ReloadableTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    public typealias Value = BaseChannel.Value

    let identity: ServerTLSIdentity
    let baseChannel: BaseChannel

    public init(_ baseChannel: BaseChannel, identity: ServerTLSIdentity) {
        self.baseChannel = baseChannel
        self.identity = identity
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = identity.current
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            self.baseChannel.setup(channel: channel, logger: logger)
        }
    }

    public func handle(value: BaseChannel.Value, logger: Logger) async {
        await baseChannel.handle(value: value, logger: logger)
    }
}
