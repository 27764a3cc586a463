#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ApplianceCore
import Configuration
import HTTPTypes
import Hummingbird
import NIOCore
import ApplianceProtocol


/// webd's routes: the sign-in and dashboard pages, the static files and the
/// JSON API under `/api/v1/`. Every response passes `WebResponseMiddleware`
/// (security headers; any error as `{"error": ...}`).
public struct WebRoutes: Sendable {
    public let backends: ApplianceBackends
    public let csrf: CSRFTokens
    public let audit: AuditClient
    public let counters: WebCounters
    /// Sign-in attempts per client address (429 beyond).
    public let signInLimiter: SignInLimiter

    /// Installs an admin's certificate; nil where no TLS is served (route tests).
    let certificates: CertificateInstaller?

    public init(backends: ApplianceBackends, csrf: CSRFTokens = CSRFTokens(), audit: AuditClient, counters: WebCounters = WebCounters(),
                certificates: CertificateInstaller? = nil, signInLimiter: SignInLimiter = SignInLimiter()) {
        self.certificates = certificates
        self.signInLimiter = signInLimiter
        self.backends = backends
        self.csrf = csrf
        self.audit = audit
        self.counters = counters
    }

    public func router() -> Router<WebRequestContext> {
        let router = Router(context: WebRequestContext.self)
        router.add(middleware: WebResponseMiddleware(counters: counters))

        router.get("/static/:name") { _, context -> Response in
            guard let name = context.parameters.get("name"), let asset = StaticAssets.files[name] else {
                throw WebError(.notFound, "no such file")
            }
            var headers = HTTPFields()
            headers[.contentType] = asset.contentType
            headers[.cacheControl] = "no-cache"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: asset.body)))
        }

        // MARK: API
        // Built here, as webd starts, not on the first request.
        let openAPI = ByteBuffer(string: OpenAPIDocument.json + "\n")
        api(router, .get, "/api/v1/openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: openAPI))
        }
        addSessionRoutes(to: router)
        addDashboardRoutes(to: router)
        addSystemRoutes(to: router)
        addStreamRoutes(to: router)
        addSettingsRoutes(to: router)
        addAccountRoutes(to: router)
        addSNMPRoutes(to: router)
        addAuditRoutes(to: router)
        addCredentialRoutes(to: router)
        return router
    }

    /// Registers an API route from its entry in `OpenAPIDocument.operations`
    /// (`path` as the document writes it, `{name}` for a parameter): a route
    /// the document does not describe stops webd as it starts, and every
    /// route test at once. OpenAPITests checks the converse.
    func api(_ router: Router<WebRequestContext>, _ method: HTTPRequest.Method, _ path: String,
             use handler: @escaping @Sendable (Request, WebRequestContext) async throws -> Response) {
        precondition(Self.documented.contains("\(method.rawValue.lowercased()) \(path)"), "\(method) \(path) is not in OpenAPIDocument.operations")
        router.on(RouterPath(path), method: method, use: handler)
    }

    static let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })

    /// The page frame: host name (within the page deadline; the default
    /// name when configd does not answer) and who is signed in.
    func frame(_ who: SignedIn) async -> HTMLPage.Frame {
        let hostname = (try? await backends.forPages.running(session: who.token, sections: [.system]))?.config.system.hostname
        return HTMLPage.Frame(hostname: hostname ?? SystemSettings.defaultHostname, account: who.account, role: who.role, csrf: csrf.token(for: who.token))
    }

    /// A page whose whole section the role may not read is answered 403
    /// (configd's "not permitted" shown in its panel), not 200 with a gap.
    static func pageStatus(_ status: HTTPResponse.Status, refusedBy error: WebError) -> HTTPResponse.Status {
        status == .ok && error.status == .forbidden ? .forbidden : status
    }

    static func outcome<T: Sendable>(_ body: () async throws(WebError) -> T) async -> Result<T, WebError> {
        do throws(WebError) { return .success(try await body()) } catch { return .failure(error) }
    }

    // MARK: audit

    func refuse(_ context: WebRequestContext, _ what: String) {
        counters.add(.csrfRefusals)
        audit.record(AuditEvent("web-request-refused", severity: .warning, facts: [("channel", "web"), ("peer", context.peer), ("reason", what)],
                                message: "refused \(what) from \(context.peer)"))
    }

    func record(_ who: SignedIn, _ context: WebRequestContext, _ kind: String, _ facts: [(name: String, value: String)], _ message: String,
                severity: SyslogMessage.Severity = .notice) {
        if severity != .notice { counters.add(.changesFailed) }
        audit.record(AuditEvent(kind, severity: severity, facts: [("account", who.account), ("role", who.role), ("channel", "web"), ("peer", context.peer)] + facts,
                                message: message))
    }

    // MARK: building answers

    static func seeOther(_ location: String) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    static func html(_ page: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func form(_ request: Request) async throws(WebError) -> FormFields {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("application/x-www-form-urlencoded") else {
            throw WebError(.unsupportedMediaType, "send the form as application/x-www-form-urlencoded")
        }
        return FormFields(try await JSONBody.read(request))
    }

    static func isStreamName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d
        }
    }
}
