import Crypto

/// CSRF protection by a token bound to the session (the OWASP "HMAC based
/// token" pattern): the token is HMAC-SHA-256 of the session token under a
/// key drawn at webd's start and never written anywhere. A page embeds it
/// (`<meta name="csrf-token">`, a hidden `csrf` field), the API returns it
/// at sign-in, and every state-changing request must carry it, in the
/// `X-CSRF-Token` header (API) or the `csrf` form field (forms). Another site
/// can make a browser send the cookie but can read neither the page nor the
/// token. A restart of webd draws a new key: pages must be reloaded, and
/// configd's session itself survives.
public struct CSRFTokens: Sendable {
    /// The header API clients send it in.
    public static let headerName = "X-CSRF-Token"
    /// The form field forms send it in.
    public static let formField = "csrf"

    private let key: SymmetricKey

    public init(key: SymmetricKey = SymmetricKey(size: .bits256)) {
        self.key = key
    }

    /// The token for a session (configd's token) or for a sign-in form
    /// (the random value of its cookie), under a purpose so one can never
    /// stand for the other.
    public func token(for value: String, purpose: Purpose = .session) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array((purpose.rawValue + ":" + value).utf8), using: key)
        return Array(mac).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
        }.joined()
    }

    /// Whether `presented` is the token for `value`, compared in constant time.
    public func verify(_ presented: String?, for value: String, purpose: Purpose = .session) -> Bool {
        guard let presented else { return false }
        let expected = Array(token(for: value, purpose: purpose).utf8)
        let given = Array(presented.utf8)
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    public enum Purpose: String, Sendable {
        case session
        case signIn = "sign-in"
    }

    /// Methods that change nothing (RFC 9110 §9.2.1 safe methods) need no token.
    public static func isStateChanging(_ method: String) -> Bool {
        !["GET", "HEAD", "OPTIONS"].contains(method)
    }
}
