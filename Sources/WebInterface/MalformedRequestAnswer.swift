import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Gives the answer to a request HTTP parsing refused (a bad request line,
/// a header over the limits, a broken Content-Length) a JSON body and the
/// security headers, like every other error.
///
/// Hummingbird answers a parse error itself, before any route or middleware,
/// with an empty `400` and `Connection: close`. This outbound handler sits
/// between its codec and the connection's stream and recognises exactly that
/// head (400, `Content-Length: 0`, `Connection: close`; a route's 400 always
/// has a body) and writes the JSON error in its place.
final class MalformedRequestAnswer: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    static let message = #"{"error":"the request is not valid HTTP/1.1 or exceeds the header limits (8 KiB a field, 32 KiB and 100 fields in all)"}"# + "\n"

    /// Whether `head` is Hummingbird's parse-error answer.
    static func isParserErrorAnswer(_ head: HTTPResponse) -> Bool {
        head.status == .badRequest && head.headerFields[.contentLength] == "0" && head.headerFields[.connection] == "close"
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .head(var head) = unwrapOutboundIn(data), Self.isParserErrorAnswer(head) else {
            context.write(data, promise: promise)
            return
        }
        let body = context.channel.allocator.buffer(string: Self.message)
        head.headerFields[.contentLength] = String(body.readableBytes)
        head.headerFields[.contentType] = "application/json; charset=utf-8"
        SecurityHeaders.apply(to: &head.headerFields)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: promise)
    }
}
