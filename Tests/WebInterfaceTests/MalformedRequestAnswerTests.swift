import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing
@testable import WebInterface

/// The parse-error answer gets a JSON body and the security headers; every
/// other response passes untouched.
@Suite struct MalformedRequestAnswerTests {
    @Test func parserErrorAnswerGetsAJSONBody() throws {
        let channel = EmbeddedChannel(handler: MalformedRequestAnswer())
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        guard case .head(let head) = try #require(try channel.readOutbound(as: HTTPResponsePart.self)) else { Issue.record("no head"); return }
        guard case .body(let body) = try #require(try channel.readOutbound(as: HTTPResponsePart.self)) else { Issue.record("no body"); return }
        #expect(head.status == .badRequest)
        #expect(head.headerFields[.contentType] == "application/json; charset=utf-8")
        #expect(head.headerFields[.contentLength] == String(body.readableBytes))
        #expect(head.headerFields[HTTPField.Name("X-Frame-Options")!] == "DENY")
        #expect(String(buffer: body).hasPrefix(#"{"error":"#))
        guard case .end = try #require(try channel.readOutbound(as: HTTPResponsePart.self)) else { Issue.record("no end"); return }
    }

    @Test func otherResponsesPassUnchanged() throws {
        let channel = EmbeddedChannel(handler: MalformedRequestAnswer())
        let routeError = HTTPResponse(status: .badRequest, headerFields: [.contentLength: "30"])
        try channel.writeOutbound(HTTPResponsePart.head(routeError))
        guard case .head(let head) = try #require(try channel.readOutbound(as: HTTPResponsePart.self)) else { Issue.record("no head"); return }
        #expect(head == routeError)
        #expect(try channel.readOutbound(as: HTTPResponsePart.self) == nil)
    }
}
