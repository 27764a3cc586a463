import HTTPTypes
import Hummingbird

/// Outermost on every route: whatever a handler returns or throws, the
/// client gets the security headers, and an error as `{"error": "..."}`.
public struct WebResponseMiddleware: RouterMiddleware {
    public typealias Context = WebRequestContext
    let counters: WebCounters

    public init(counters: WebCounters = WebCounters()) {
        self.counters = counters
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = WebError.from(error).response
        }
        if response.status == .serviceUnavailable { counters.add(.daemonsUnavailable) }
        SecurityHeaders.apply(to: &response.headers)
        // RFC 9112 §9.6: a server that will close after this response says so.
        if request.headers[.connection]?.lowercased().split(separator: ",").contains(where: { $0.trimmingPrefix(" ") == "close" }) == true {
            response.headers[.connection] = "close"
        }
        return response
    }
}
