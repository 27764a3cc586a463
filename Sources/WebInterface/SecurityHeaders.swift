import HTTPTypes

/// The headers every HTTPS response carries (issue 5): HSTS, a strict
/// Content-Security-Policy (no inline script or style, nothing from another
/// origin), no framing, no MIME sniffing, no referrer, and no caching of
/// pages that hold live state.
public enum SecurityHeaders {
    /// `default-src 'self'` and nothing looser: the pages load only
    /// `/static/app.js` and `/static/app.css` from webd itself.
    public static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// One year; RFC 6797 §6.1.
    public static let strictTransportSecurity = "max-age=31536000; includeSubDomains"

    /// Name and value of each header, in the order they are written.
    public static let all: [(name: HTTPField.Name, value: String)] = [
        (.strictTransportSecurity, strictTransportSecurity),
        (.contentSecurityPolicy, contentSecurityPolicy),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("Cross-Origin-Opener-Policy")!, "same-origin"),
        (.cacheControl, "no-store"),
    ]

    /// Sets every header on `fields`, replacing what a handler set.
    /// Static assets keep the cache policy their handler gave them.
    public static func apply(to fields: inout HTTPFields) {
        for (name, value) in all {
            if name == .cacheControl, fields[.cacheControl] != nil { continue }
            fields[name] = value
        }
    }
}
