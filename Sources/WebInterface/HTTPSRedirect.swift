import HTTPTypes

/// What port 80 answers to every request: a permanent redirect to the same
/// path on HTTPS, at the host name and port from the configuration, never
/// from the request's Host header (which a client chooses, so trusting it
/// would make webd an open redirector). A configured name with no dot
/// (`appliance`, the factory default) is one a client that reached the box
/// by address usually cannot resolve: then the redirect names the address
/// the client connected to (the accepted connection's local address).
public struct HTTPSRedirect: Sendable, Equatable {
    /// The configured host name (`hostname`), or an address.
    public var host: String
    /// The HTTPS port; 443 is left out of the URL.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The redirect for a connection accepted on `localAddress` (the
    /// socket's own address, as NIO writes it; nil if unknown): the
    /// configured name when it is fully qualified (has a dot), else that
    /// address.
    public init(configuredName: String, localAddress: String?, port: Int) {
        self.init(host: Self.target(configuredName: configuredName, localAddress: localAddress), port: port)
    }

    /// The host a redirect names; see `init(configuredName:localAddress:port:)`.
    public static func target(configuredName: String, localAddress: String?) -> String {
        guard !configuredName.contains("."), var address = localAddress, !address.isEmpty else { return configuredName }
        // A dual-stack socket shows an IPv4 client's connection as ::ffff:a.b.c.d.
        let mapped = "::ffff:"
        if address.lowercased().hasPrefix(mapped), address.dropFirst(mapped.count).contains(".") {
            address = String(address.dropFirst(mapped.count))
        }
        // RFC 6874: a zone identifier is written %25 inside the brackets.
        return address.split(separator: "%", omittingEmptySubsequences: false).joined(separator: "%25")
    }

    /// `https://host[:port]` with an IPv6 address in brackets.
    public var origin: String {
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return port == 443 ? "https://\(shownHost)" : "https://\(shownHost):\(port)"
    }

    /// RFC 9110 §15.4.2 and RFC 7538: 301 keeps GET and HEAD, 308 keeps every
    /// other method and its body (a 301 may turn a POST into a GET).
    public static func status(for method: HTTPRequest.Method) -> HTTPResponse.Status {
        method == .get || method == .head ? .movedPermanently : .permanentRedirect
    }

    /// The Location for a request target. Only an origin-form path and its
    /// query are kept; an absolute-form target (`http://evil.example/x`)
    /// keeps its path alone, and anything else becomes `/`.
    public func location(for target: String) -> String {
        var path = Substring(target)
        if path.hasPrefix("http://") || path.hasPrefix("https://") {
            let afterScheme = path[path.index(path.firstIndex(of: ":")!, offsetBy: 3)...]
            path = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }).map { afterScheme[$0...] } ?? "/"
        }
        if path.hasPrefix("?") { path = "/" + path }
        // "//host" would be read as a scheme-relative URL by a browser.
        guard path.hasPrefix("/"), !path.hasPrefix("//"),
              path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return origin + "/" }
        return origin + path
    }
}
