import ApplianceCore
import HTTPTypes
import Hummingbird

/// A request webd refuses or cannot serve: the status and a message a user
/// can act on. Every API error is answered as `{"error": "..."}`.
public struct WebError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// `Retry-After` in seconds, for 429 and a busy 503.
    public var retryAfterSeconds: Int?

    public init(_ status: HTTPResponse.Status, _ message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(status.code): \(message)" }

    /// The answer of a daemon webd asked on a user's behalf, as HTTP: a
    /// daemon that is down or past its deadline is 503 and named.
    public static func from(_ error: ControlError, daemon: String) -> WebError {
        switch error.code {
        case .unavailable where error.retryAfterSeconds != nil:
            // Up but busy (configd's full password-hash queue).
            WebError(.serviceUnavailable, error.message, retryAfterSeconds: error.retryAfterSeconds)
        case .unavailable, .timeout:
            WebError(.serviceUnavailable, "\(daemon) is not answering: \(error.message)")
        case .permissionDenied:
            error.message.contains("sign in again")
                ? WebError(.unauthorized, error.message)
                : WebError(.forbidden, error.message)
        case .invalidParameters:
            WebError(.badRequest, error.message)
        case .failed:
            WebError(.internalServerError, "\(daemon): \(error.message)")
        case .malformedRequest, .messageTooLarge, .unknownMethod:
            WebError(.badGateway, "\(daemon) did not understand webd: \(error.message)")
        }
    }

    /// Hummingbird's own errors (no route, a body over the limit, a bad
    /// request line) in the same shape.
    public static func from(_ error: any Error) -> WebError {
        if let error = error as? WebError { return error }
        if let error = error as? HTTPError {
            let status = error.status
            let text: String = switch status {
            case .notFound: "no such page or API route"
            case .methodNotAllowed: "this method is not allowed here"
            case .contentTooLarge: "the request body is too large"
            default: error.body ?? status.reasonPhrase
            }
            return WebError(status, text)
        }
        return WebError(.internalServerError, "the request failed")
    }

    /// `{"error": "..."}` with this status.
    public var response: Response {
        var response = JSONBody.response(ErrorBody(error: message), status: status)
        if let retryAfterSeconds { response.headers[.retryAfter] = String(retryAfterSeconds) }
        return response
    }
}

/// What every API error answers (the document's `Error` schema).
struct ErrorBody: Codable {
    var error: String
}
