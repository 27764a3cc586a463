import ApplianceProtocol
import ApplianceCore
import Configuration
import HTTPTypes
import Hummingbird

/// Who a request comes from once its session cookie checked out with configd.
public struct SignedIn: Sendable {
    /// configd's session token, passed through on every call.
    public var token: String
    public var account: String
    public var role: String
    /// The password expired: only changing it and signing out are allowed.
    public var mustChangePassword: Bool
}

/// What sign-in and `GET /api/v1/session` answer.
struct SessionView: Codable {
    var account: String
    var role: String
    /// For the `X-CSRF-Token` header of every state-changing request.
    var csrfToken: String
    var mustChangePassword: Bool
}

/// Signing in and out, the password, and the session behind every request:
/// `/login`, `/logout`, `/password` and `/api/v1/session`, `/api/v1/password`.
extension WebRoutes {
    /// The bodies of the session API (their OpenAPI schemas come from these).
    struct Credentials: Decodable { var account: String; var password: String }
    struct PasswordChange: Decodable { var currentPassword: String; var newPassword: String }
    struct SignedOut: Codable { var signedOut: String }
    struct PasswordChanged: Codable { var passwordChanged: String }

    func addSessionRoutes(to router: Router<WebRequestContext>) {
        router.get("/login") { request, context -> Response in
            if let token = sessionToken(request), (try? await backends.session(token)) != nil { return Self.seeOther("/") }
            return await signInPage(status: .ok, message: nil)
        }
        router.post("/login") { request, context -> Response in
            try await formSignIn(request, context: context)
        }
        router.post("/logout") { request, context -> Response in
            guard let token = sessionToken(request) else { return Self.seeOther("/login") }
            let form = try await Self.form(request)
            guard csrf.verify(form[CSRFTokens.formField], for: token) else {
                refuse(context, "sign-out without its CSRF token")
                throw WebError(.forbidden, "the form's CSRF token is missing or wrong; reload the page")
            }
            try await signOut(token: token, context: context)
            var response = Self.seeOther("/login")
            response.headers[.setCookie] = SessionCookie.clearing(SessionCookie.session)
            return response
        }

        router.get("/password") { request, context -> Response in
            let who: SignedIn
            do throws(WebError) {
                who = try await signedIn(request, context: context, changing: false, allowExpired: true)
            } catch {
                guard error.status == .unauthorized else { throw error }
                return Self.seeOther("/login")
            }
            return Self.html(HTMLPage.passwordChange(account: who.account, csrf: csrf.token(for: who.token), message: nil))
        }
        router.post("/password") { request, context -> Response in
            try await formPasswordChange(request, context: context)
        }
        // MARK: API
        api(router, .post, "/api/v1/session") { request, context -> Response in
            let credentials = try await JSONBody.decode(Credentials.self, from: request, shape: #"{"account": "...", "password": "..."}"#)
            let login = try await authenticate(account: credentials.account, password: credentials.password, context: context)
            guard login.outcome == "success", let token = login.session, let role = login.role else {
                counters.add(.signInsRefused)
                throw WebError(Self.status(ofRefusedLogin: login.outcome), login.message)
            }
            counters.add(.signInsSucceeded)
            var response = JSONBody.response(SessionView(account: credentials.account, role: role.rawValue, csrfToken: csrf.token(for: token),
                                                    mustChangePassword: login.mustChangePassword ?? false))
            response.headers[.setCookie] = SessionCookie.setting(SessionCookie.session, to: token)
            return response
        }
        api(router, .get, "/api/v1/session") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false, allowExpired: true)
            return JSONBody.response(SessionView(account: who.account, role: who.role, csrfToken: csrf.token(for: who.token),
                                                 mustChangePassword: who.mustChangePassword))
        }
        api(router, .delete, "/api/v1/session") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true, allowExpired: true)
            try await signOut(token: who.token, context: context)
            var response = JSONBody.response(SignedOut(signedOut: who.account))
            response.headers[.setCookie] = SessionCookie.clearing(SessionCookie.session)
            return response
        }
        api(router, .post, "/api/v1/password") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true, allowExpired: true)
            let change = try await JSONBody.decode(PasswordChange.self, from: request, shape: #"{"currentPassword": "...", "newPassword": "..."}"#)
            try await changePassword(who, current: change.currentPassword, new: change.newPassword, context: context)
            return JSONBody.response(PasswordChanged(passwordChanged: who.account))
        }
    }

    // MARK: sessions

    /// The credentials of `Authorization: Bearer …`, if the request has it.
    static func bearerToken(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7).drop { $0 == " " })
    }

    /// The session of a page request, or nil when the browser should go
    /// elsewhere (`pageRedirect`): signed out, or the password expired.
    func pageSession(_ request: Request, context: WebRequestContext) async throws(WebError) -> SignedIn? {
        do throws(WebError) {
            let who = try await signedIn(request, context: context, changing: false, allowExpired: true, forPage: true)
            return who.mustChangePassword ? nil : who
        } catch {
            guard error.status == .unauthorized else { throw error }
            return nil
        }
    }

    /// Where a page request without a usable session goes: `/password`
    /// when its password expired (that page and sign-out still work), else
    /// the sign-in page.
    func pageRedirect(_ request: Request, context: WebRequestContext) async -> String {
        guard let who = try? await signedIn(request, context: context, changing: false, allowExpired: true, forPage: true) else { return "/login" }
        return who.mustChangePassword ? "/password" : "/login"
    }

    /// The session and fields of a form post, its hidden CSRF field checked
    /// before configd is asked.
    func formSession(_ request: Request, context: WebRequestContext) async throws(WebError) -> (SignedIn, FormFields) {
        guard let token = sessionToken(request) else { throw WebError(.unauthorized, "sign in first") }
        let form = try await Self.form(request)
        guard csrf.verify(form[CSRFTokens.formField], for: token) else {
            refuse(context, "\(request.method.rawValue) \(request.uri.path) without its CSRF token")
            throw WebError(.forbidden, "the form's CSRF token is missing or wrong; reload the page")
        }
        return (try await signedIn(request, context: context, changing: false, forPage: true), form)
    }

    func sessionToken(_ request: Request) -> String? {
        SessionCookie.value(SessionCookie.session, in: request.headers[.cookie])
    }

    /// The session behind the request's cookie, checked with configd on
    /// every request (configd also applies its idle timeout and refreshes
    /// it). A state-changing request must carry the CSRF token first: it
    /// is checked before configd is asked, so a forged request costs nothing.
    func signedIn(_ request: Request, context: WebRequestContext, changing: Bool, allowExpired: Bool = false,
                  forPage: Bool = false) async throws(WebError) -> SignedIn {
        // An API token (`Authorization: Bearer apt_…`) is no ambient
        // credential a browser adds by itself, so it needs no CSRF token.
        if let bearer = Self.bearerToken(request) {
            guard APITokenSecret.looksLikeSecret(bearer) else { throw WebError(.unauthorized, "the bearer token is not an API token (apt_…)") }
            let who = try await (forPage ? backends.forPages : backends).session(bearer)
            return SignedIn(token: bearer, account: who.account, role: who.role.rawValue, mustChangePassword: false)
        }
        guard let token = sessionToken(request) else { throw WebError(.unauthorized, "sign in first (POST /api/v1/session)") }
        if changing {
            let header = HTTPField.Name(CSRFTokens.headerName)!
            guard csrf.verify(request.headers[header], for: token) else {
                refuse(context, "\(request.method.rawValue) \(request.uri.path) without its CSRF token")
                throw WebError(.forbidden, "this request needs the \(CSRFTokens.headerName) header that sign-in returned")
            }
        }
        let who = try await (forPage ? backends.forPages : backends).session(token)
        guard !who.mustChangePassword || allowExpired else {
            throw WebError(.forbidden, "the password of \(who.account) has expired: change it first (POST /api/v1/password)")
        }
        return SignedIn(token: token, account: who.account, role: who.role.rawValue, mustChangePassword: who.mustChangePassword)
    }

    /// The password form's post. Not optimised: Swift 6.3.1's release build
    /// crashes in LLVM's coroutine splitting (swifterror around a typed-throws
    /// do/catch) when this body is an optimised async closure.
    @_optimize(none)
    func formPasswordChange(_ request: Request, context: WebRequestContext) async throws -> Response {
        guard let token = sessionToken(request) else { return Self.seeOther("/login") }
        let form = try await Self.form(request)
        guard csrf.verify(form[CSRFTokens.formField], for: token) else {
            refuse(context, "password change without its CSRF token")
            throw WebError(.forbidden, "the form's CSRF token is missing or wrong; reload the page")
        }
        let who = try await signedIn(request, context: context, changing: false, allowExpired: true)
        guard form["new"] == form["confirm"] else {
            return Self.html(HTMLPage.passwordChange(account: who.account, csrf: csrf.token(for: token), message: "The two new passwords differ."), status: .badRequest)
        }
        do throws(WebError) {
            try await changePassword(who, current: form["current"] ?? "", new: form["new"] ?? "", context: context)
        } catch {
            return Self.html(HTMLPage.passwordChange(account: who.account, csrf: csrf.token(for: token), message: error.message), status: error.status)
        }
        return Self.seeOther("/")
    }

    func signOut(token: String, context: WebRequestContext) async throws(WebError) {
        let who = try? await backends.session(token)
        try await backends.logout(token)
        audit.record(AuditEvent("web-logout", facts: [("account", who?.account ?? "-"), ("channel", "web"), ("peer", context.peer)],
                                message: "\(who?.account ?? "a session") signed out of the web interface from \(context.peer)"))
    }

    /// configd checks the current password and the policy, and audits the
    /// change; webd audits the attempt with the client's address.
    func changePassword(_ who: SignedIn, current: String, new: String, context: WebRequestContext) async throws(WebError) {
        do throws(WebError) {
            try await backends.changePassword(session: who.token, current: current, new: new, peer: context.peer)
            record(who, context, "web-password-change", [], "\(who.account) changed their password from \(context.peer)")
        } catch {
            record(who, context, "web-password-change-failed", [("error", error.message)],
                   "\(who.account) could not change their password from \(context.peer): \(error.message)", severity: .warning)
            throw error
        }
    }

    func formSignIn(_ request: Request, context: WebRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        guard let nonce = SessionCookie.value(SessionCookie.signIn, in: request.headers[.cookie]),
              csrf.verify(form[CSRFTokens.formField], for: nonce, purpose: .signIn) else {
            refuse(context, "sign-in form without its CSRF token")
            return await signInPage(status: .forbidden, message: "The form expired. Sign in again.")
        }
        let login: ConfigdMethod.Login
        do {
            login = try await authenticate(account: form["account"] ?? "", password: form["password"] ?? "", context: context)
        } catch {
            var page = await signInPage(status: error.status, message: error.message)
            if let retryAfterSeconds = error.retryAfterSeconds { page.headers[.retryAfter] = String(retryAfterSeconds) }
            return page
        }
        guard login.outcome == "success", let token = login.session else {
            counters.add(.signInsRefused)
            return await signInPage(status: Self.status(ofRefusedLogin: login.outcome), message: login.message)
        }
        counters.add(.signInsSucceeded)
        var response = Self.seeOther("/")
        response.headers.append(HTTPField(name: .setCookie, value: SessionCookie.setting(SessionCookie.session, to: token)))
        response.headers.append(HTTPField(name: .setCookie, value: SessionCookie.clearing(SessionCookie.signIn)))
        return response
    }

    /// A sign-in attempt from a client over its rate is refused (429 with
    /// Retry-After) before configd is asked to hash anything.
    func admitSignIn(_ context: WebRequestContext) throws(WebError) {
        guard case .limited(let seconds) = signInLimiter.admit(context.clientAddress) else { return }
        counters.add(.signInsThrottled)
        throw WebError(.tooManyRequests, "too many sign-in attempts from \(context.clientAddress); try again in \(seconds) s", retryAfterSeconds: seconds)
    }

    /// A sign-in refused for load (429, or configd busy) is answered only
    /// after a pause of about a second: a client flooding over keep-alive
    /// connections gets about one answer a second on each, so the refusals
    /// themselves cannot take the CPU (OpenSSH delays a failed
    /// authentication the same way). The pause is drawn from 0.5-1.5 s, so
    /// that connections refused together are not all answered together again.
    static var refusedSignInDelay: Duration { .milliseconds(Int.random(in: 500...1500)) }

    /// configd's `authenticate` behind the per-address limit.
    func authenticate(account: String, password: String, context: WebRequestContext) async throws(WebError) -> ConfigdMethod.Login {
        do throws(WebError) {
            try admitSignIn(context)
            return try await backends.authenticate(account: account, password: password, peer: context.peer)
        } catch {
            if error.retryAfterSeconds != nil { try? await ProcessEventLoop.sleep(for: Self.refusedSignInDelay) }
            throw error
        }
    }

    /// The sign-in page with a fresh form token bound to a new cookie.
    func signInPage(status: HTTPResponse.Status, message: String?) async -> Response {
        let nonce = SessionCookie.newNonce()
        var system: SystemSettings?
        var problem: String?
        do { system = try await backends.systemSettings() } catch { problem = error.message }
        let page = HTMLPage.signIn(hostname: system?.hostname ?? SystemSettings.defaultHostname, banner: system?.loginBanner,
                                   csrf: csrf.token(for: nonce, purpose: .signIn), message: message ?? problem)
        var response = Self.html(page, status: status)
        response.headers[.setCookie] = SessionCookie.setting(SessionCookie.signIn, to: nonce)
        return response
    }

    /// configd's refusal outcomes as HTTP statuses.
    static func status(ofRefusedLogin outcome: String) -> HTTPResponse.Status {
        switch outcome {
        case "locked": .forbidden
        case "too-many-sessions": .tooManyRequests
        default: .unauthorized
        }
    }
}
