import HTTPTypes

/// What port 80 answers to every request: a permanent redirect to the same
/// path on HTTPS, at the host name and port from the configuration, never
/// from the request's Host header (which a client chooses, so trusting it
/// would make webd an open redirector).
public struct HTTPSRedirect: Sendable, Equatable {
    /// The configured host name (`hostname`), or an address.
    public var host: String
    /// The HTTPS port; 443 is left out of the URL.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
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
