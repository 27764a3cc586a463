/// The cookies webd sets, and reading them back from a `Cookie` header.
///
/// The `__Host-` prefix (RFC 6265bis §4.1.3.2) makes a browser refuse the
/// cookie unless it is `Secure`, has `Path=/` and no `Domain`, so no other
/// host (a sibling name, a plain-HTTP page) can plant or overwrite it.
public enum SessionCookie {
    /// Holds configd's session token.
    public static let session = "__Host-webd-session"
    /// Holds the random value the sign-in form's CSRF token is bound to.
    public static let signIn = "__Host-webd-sign-in"

    /// `Set-Cookie` for a value: Secure, HttpOnly, SameSite=Strict, whole
    /// site, no expiry (configd's idle timeout ends the session).
    public static func setting(_ name: String, to value: String) -> String {
        "\(name)=\(value); Path=/; Secure; HttpOnly; SameSite=Strict"
    }

    /// `Set-Cookie` that removes a cookie.
    public static func clearing(_ name: String) -> String {
        "\(name)=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict"
    }

    /// The value of `name` in a `Cookie` header (RFC 6265 §5.4:
    /// `a=1; b=2`); nil when absent or not a token of hex digits and
    /// letters (configd's tokens are hex).
    public static func value(_ name: String, in header: String?) -> String? {
        guard let header else { return nil }
        for pair in header.split(separator: ";") {
            let trimmed = pair.drop { $0 == " " }
            guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals] == Substring(name) else { continue }
            let value = trimmed[trimmed.index(after: equals)...]
            guard !value.isEmpty, value.utf8.count <= 256,
                  value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x2d }) else { return nil }
            return String(value)
        }
        return nil
    }
}

extension SessionCookie {
    /// 32 random bytes as hex, for the sign-in form's cookie.
    public static func newNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for _ in 0..<32 {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
