import Hummingbird
import NIOCore

/// Hummingbird's request context with the client's address, which every
/// audit event and configd's `authenticate` carry.
public struct WebRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `192.0.2.7:51544`, `[2001:db8::7]:51544`, or `unknown`.
    public let peer: String
    /// The client's address alone (`192.0.2.7`, `2001:db8::7`), or `unknown`:
    /// the key of the sign-in rate limit.
    public let clientAddress: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        peer = Self.describe(source.channel.remoteAddress)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    public var maxUploadSize: Int { JSONBody.maximumRequestBytes }

    static func describe(_ address: SocketAddress?) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return "unknown" }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}
