#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ApplianceCore
import Glibc
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import WebInterface

/// The routes through Hummingbird's router test client, with no daemon
/// running behind webd: what webd decides on its own (headers, errors,
/// CSRF, limits, static files) and a 503 that names the daemon it needed.
@Suite struct RouteTests {
    /// An empty appliance root: no daemon answers there. Removed when the process ends.
    static let root: String = {
        var template = Array("/tmp/webd-routes-XXXXXX".utf8CString)
        let root = String(cString: template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }!)
        rootForCleanup = root
        atexit { try? FileManager.default.removeItem(atPath: RouteTests.rootForCleanup) }
        return root
    }()
    /// Written once, by `root`'s initialiser (atexit takes no closure context).
    nonisolated(unsafe) static var rootForCleanup = ""

    static func application() -> (some ApplicationProtocol, CSRFTokens) {
        let root = Self.root
        let csrf = CSRFTokens()
        let audit = AuditClient(socketPath: root + "/run/appliance/audit.sock", appName: "webd", fallback: { _ in })
        let routes = WebRoutes(backends: ApplianceBackends(paths: AppliancePaths(root: root), deadline: .seconds(1)), csrf: csrf, audit: audit)
        return (Application(router: routes.router()), csrf)
    }

    static func json(_ response: TestResponse) -> String { String(buffer: response.body) }

    static func expectSecurityHeaders(_ response: TestResponse) {
        #expect(response.headers[.strictTransportSecurity] == SecurityHeaders.strictTransportSecurity)
        #expect(response.headers[.contentSecurityPolicy] == SecurityHeaders.contentSecurityPolicy)
        #expect(response.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
    }

    @Test func unknownRouteIsA404JSONErrorWithTheSecurityHeaders() async throws {
        let (app, _) = Self.application()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(Self.json(response).contains(#""error":"#))
                Self.expectSecurityHeaders(response)
            }
        }
    }

    @Test func badJSONAndTheWrongTypeAndAnOversizedBodyAreRefusedWithJSON() async throws {
        let (app, _) = Self.application()
        try await app.test(.router) { client in
            var json = HTTPFields()
            json[.contentType] = "application/json"
            try await client.execute(uri: "/api/v1/session", method: .post, headers: json, body: ByteBuffer(string: "{\"account\": 1")) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response).contains("the body is not"))
                Self.expectSecurityHeaders(response)
            }
            var text = HTTPFields()
            text[.contentType] = "text/plain"
            try await client.execute(uri: "/api/v1/session", method: .post, headers: text, body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            let big = String(repeating: "a", count: JSONBody.maximumRequestBytes + 1)
            try await client.execute(uri: "/api/v1/session", method: .post, headers: json,
                                     body: ByteBuffer(string: "{\"account\":\"\(big)\",\"password\":\"x\"}")) { response in
                #expect(response.status == .contentTooLarge)
                #expect(Self.json(response).contains("larger than"))
            }
        }
    }

    @Test func staticFilesAreServedByExactNameAndTraversalFinds404() async throws {
        let (app, _) = Self.application()
        try await app.test(.router) { client in
            try await client.execute(uri: "/static/app.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                #expect(String(buffer: response.body).contains("X-CSRF-Token"))
                Self.expectSecurityHeaders(response)
            }
            for path in ["/static/..%2f..%2fetc%2fpasswd", "/static/../../etc/passwd", "/static/%2e%2e/Package.swift", "/static/app.js%00"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .notFound, "\(path)")
                    #expect(!String(buffer: response.body).contains("root:"))
                }
            }
        }
    }

    @Test func apiWithoutASessionIs401AndTheDashboardSendsToSignIn() async throws {
        let (app, _) = Self.application()
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/streams", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(Self.json(response).contains("sign in first"))
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/login")
            }
        }
    }

    @Test func stateChangingRequestsNeedTheSessionsCSRFTokenBeforeAnyDaemonIsAsked() async throws {
        let (app, csrf) = Self.application()
        let session = "00112233445566778899aabbccddeeff"
        try await app.test(.router) { client in
            var headers = HTTPFields()
            headers[.cookie] = "\(SessionCookie.session)=\(session)"
            for (uri, method) in [("/api/v1/streams/demo/start", HTTPRequest.Method.post), ("/api/v1/config/save", .post), ("/api/v1/session", .delete), ("/api/v1/password", .post)] {
                try await client.execute(uri: uri, method: method, headers: headers) { response in
                    #expect(response.status == .forbidden, "\(uri)")
                    #expect(Self.json(response).contains("X-CSRF-Token"))
                }
            }
            var wrong = headers
            wrong[HTTPField.Name("X-CSRF-Token")!] = csrf.token(for: "another-session")
            try await client.execute(uri: "/api/v1/streams/demo/start", method: .post, headers: wrong) { response in
                #expect(response.status == .forbidden)
            }
            // With the right token webd goes on to configd, which is not
            // running here: 503 naming it.
            var right = headers
            right[HTTPField.Name("X-CSRF-Token")!] = csrf.token(for: session)
            try await client.execute(uri: "/api/v1/streams/demo/start", method: .post, headers: right) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(Self.json(response).contains("configd is not answering"))
            }
        }
    }

    @Test func signInPageCarriesAFormTokenBoundToItsCookieAndRefusesAForgedForm() async throws {
        let (app, csrf) = Self.application()
        try await app.test(.router) { client in
            let cookie = try await client.execute(uri: "/login", method: .get) { response -> String in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                Self.expectSecurityHeaders(response)
                let setCookie = try #require(response.headers[.setCookie])
                #expect(setCookie.contains("Secure") && setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
                let body = String(buffer: response.body)
                #expect(body.contains("configd is not answering"))
                #expect(!body.contains("<script>"))
                return String(setCookie.prefix { $0 != ";" })
            }
            let nonce = String(cookie.drop { $0 != "=" }.dropFirst())
            var headers = HTTPFields()
            headers[.contentType] = "application/x-www-form-urlencoded"
            headers[.cookie] = cookie
            try await client.execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: "account=admin&password=x&csrf=forged")) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.setCookie]?.hasPrefix(SessionCookie.session) != true)
            }
            let token = csrf.token(for: nonce, purpose: .signIn)
            try await client.execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: "account=admin&password=x&csrf=\(token)")) { response in
                // The form passed; configd is down, so sign-in cannot happen.
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("configd is not answering"))
            }
        }
    }

    @Test func badStreamNameIsA400() async throws {
        let (app, csrf) = Self.application()
        let session = "aa"
        try await app.test(.router) { client in
            var headers = HTTPFields()
            headers[.cookie] = "\(SessionCookie.session)=\(session)"
            headers[HTTPField.Name("X-CSRF-Token")!] = csrf.token(for: session)
            #expect(WebRoutes.isStreamName("cam-1.main_2") && !WebRoutes.isStreamName("a b") && !WebRoutes.isStreamName(String(repeating: "a", count: 65)))
            try await client.execute(uri: "/api/v1/streams/%3Cx%3E/stop", method: .post, headers: headers) { response in
                #expect(response.status == .badRequest)
                #expect(Self.json(response).contains("stream name"))
            }
        }
    }
}
