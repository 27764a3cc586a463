import ApplianceProtocol
import Configuration
import HTTPTypes
import Hummingbird

/// Accounts (admin; configd refuses anyone else): `/accounts` with its
/// forms and `/api/v1/accounts[...]`. Creation is as the CLI does it: an
/// `account NAME role ROLE` line, then configd's `set-password` (the
/// account is removed again when configd refuses the password).
extension WebRoutes {
    /// The bodies of `/api/v1/accounts[...]` (their OpenAPI schemas come from these).
    struct AccountCreate: Decodable { var name: String; var role: String; var password: String }
    struct AccountUpdate: PartialBody { var role: String?; var locked: Bool? }
    struct AccountPassword: Decodable { var password: String }
    struct AccountKey: Decodable { var key: String }
    struct AccountList: Codable { var accounts: [AccountView] }
    struct PasswordSet: Codable { var passwordSet: String }

    func addAccountRoutes(to router: Router<WebRequestContext>) {

        // MARK: API
        api(router, .get, "/api/v1/accounts") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            return JSONBody.response(AccountList(accounts: try await accounts(who, backends: backends)))
        }
        api(router, .post, "/api/v1/accounts") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let body = try await JSONBody.decode(AccountCreate.self, from: request, shape: #"{"name": "...", "role": "admin|operator|viewer", "password": "..."}"#)
            let applied = try await createAccount(body.name, role: body.role, password: body.password, who: who, context: context)
            return JSONBody.response(ChangeView(name: body.name, revision: applied.revision, diff: applied.diff), status: .created)
        }
        api(router, .patch, "/api/v1/accounts/{name}") { request, context -> Response in
            let name = try Self.accountName(context)
            let who = try await signedIn(request, context: context, changing: true)
            let body = try await JSONBody.decode(AccountUpdate.self, from: request, shape: #"{"role": "admin|operator|viewer", "locked": true}"#)
            let applied = try await applyChange(try AccountChange.update(name: name, role: body.role, locked: body.locked), who: who, context: context,
                                                kind: "web-account-change", facts: [("target", name)], what: "change account \(name)")
            return JSONBody.response(ChangeView(name: name, revision: applied.revision, diff: applied.diff))
        }
        api(router, .delete, "/api/v1/accounts/{name}") { request, context -> Response in
            let name = try Self.accountName(context)
            let who = try await signedIn(request, context: context, changing: true)
            let applied = try await applyChange(try AccountChange.delete(name: name), who: who, context: context,
                                                kind: "web-account-delete", facts: [("target", name)], what: "delete account \(name)")
            return JSONBody.response(ChangeView(name: name, revision: applied.revision, diff: applied.diff))
        }
        api(router, .post, "/api/v1/accounts/{name}/password") { request, context -> Response in
            let name = try Self.accountName(context)
            let who = try await signedIn(request, context: context, changing: true)
            let body = try await JSONBody.decode(AccountPassword.self, from: request, shape: #"{"password": "..."}"#)
            try await resetPassword(name, to: body.password, who: who, context: context)
            return JSONBody.response(PasswordSet(passwordSet: name))
        }
        for adding in [true, false] {
            let handler: @Sendable (Request, WebRequestContext) async throws -> Response = { request, context in
                let name = try Self.accountName(context)
                let who = try await signedIn(request, context: context, changing: true)
                let body = try await JSONBody.decode(AccountKey.self, from: request, shape: #"{"key": "ssh-ed25519 AAAA... comment"}"#)
                let applied = try await changeKey(name, key: body.key, adding: adding, who: who, context: context)
                return JSONBody.response(ChangeView(name: name, revision: applied.revision, diff: applied.diff), status: adding ? .created : .ok)
            }
            if adding { api(router, .post, "/api/v1/accounts/{name}/keys", use: handler) } else { api(router, .delete, "/api/v1/accounts/{name}/keys", use: handler) }
        }

        // MARK: pages
        router.get("/accounts") { request, context -> Response in
            guard let who = try await pageSession(request, context: context) else { return Self.seeOther(await pageRedirect(request, context: context)) }
            return await accountsPage(who)
        }
        router.post("/accounts") { request, context -> Response in
            let (who, form) = try await formSession(request, context: context)
            do throws(WebError) {
                _ = try await createAccount(form["name"] ?? "", role: form["role"] ?? "", password: form["password"] ?? "", who: who, context: context)
                return Self.seeOther("/accounts")
            } catch {
                return await accountsPage(who, message: error.message, status: error.status)
            }
        }
        for action in ["lock", "unlock", "delete", "password", "keys", "keys/delete"] {
            router.post("/accounts/:name/\(action)") { request, context -> Response in
                let (who, form) = try await formSession(request, context: context)
                do throws(WebError) {
                    let name = try Self.accountName(context)
                    switch action {
                    case "lock", "unlock":
                        _ = try await applyChange(try AccountChange.update(name: name, role: nil, locked: action == "lock"), who: who, context: context,
                                                  kind: "web-account-change", facts: [("target", name)], what: "\(action) account \(name)")
                    case "delete":
                        _ = try await applyChange(try AccountChange.delete(name: name), who: who, context: context,
                                                  kind: "web-account-delete", facts: [("target", name)], what: "delete account \(name)")
                    case "password":
                        try await resetPassword(name, to: form["password"] ?? "", who: who, context: context)
                    default:
                        _ = try await changeKey(name, key: form["key"] ?? "", adding: action == "keys", who: who, context: context)
                    }
                    return Self.seeOther("/accounts")
                } catch {
                    return await accountsPage(who, message: error.message, status: error.status)
                }
            }
        }
    }

    static func accountName(_ context: WebRequestContext) throws(WebError) -> String {
        guard let name = context.parameters.get("name") else { throw WebError(.badRequest, "name: an account name") }
        _ = try AccountChange.name(name)
        return name
    }

    func accounts(_ who: SignedIn, backends: ApplianceBackends) async throws(WebError) -> [AccountView] {
        let config = try await backends.running(session: who.token, sections: [.accounts, .policy]).config
        return config.accounts.map { AccountView($0, policy: config.policy) }
    }

    func createAccount(_ name: String, role: String, password: String, who: SignedIn, context: WebRequestContext) async throws(WebError) -> ConfigdMethod.Applied {
        let commands = try AccountChange.create(name: name, role: role)
        guard !password.isEmpty else { throw WebError(.badRequest, "password: an initial password is required") }
        let exists = try await backends.running(session: who.token, sections: [.accounts]).config.accounts.contains { $0.name == name }
        guard !exists else { throw WebError(.conflict, "name: account \(name) exists") }
        let applied = try await applyChange(commands, who: who, context: context, kind: "web-account-create", facts: [("target", name), ("target-role", role)],
                                            what: "create account \(name) (\(role))")
        do throws(WebError) {
            try await resetPassword(name, to: password, who: who, context: context)
        } catch {
            _ = try? await backends.apply(try AccountChange.delete(name: name), session: who.token, peer: context.peer)
            throw error
        }
        return applied
    }

    /// configd's `set-password` for another account (admin), under the
    /// policy; the password is never logged or audited.
    func resetPassword(_ name: String, to password: String, who: SignedIn, context: WebRequestContext) async throws(WebError) {
        do throws(WebError) {
            _ = try await backends.call("configd", ConfigdMethod.SetPassword.self,
                                        .init(session: who.token, account: name, newPassword: password, origin: RequestOrigin(channel: "web", peer: context.peer)),
                                        deadline: backends.signInDeadline)
            record(who, context, "web-account-password", [("target", name)], "\(who.account) set the password of \(name) from \(context.peer)")
        } catch {
            record(who, context, "web-account-password-failed", [("target", name), ("error", error.message)],
                   "\(who.account) could not set the password of \(name) from \(context.peer): \(error.message)", severity: .warning)
            throw error
        }
    }

    func changeKey(_ name: String, key: String, adding: Bool, who: SignedIn, context: WebRequestContext) async throws(WebError) -> ConfigdMethod.Applied {
        try await applyChange(try AccountChange.key(name: name, key: key, adding: adding), who: who, context: context,
                              kind: adding ? "web-account-key-add" : "web-account-key-delete", facts: [("target", name)],
                              what: "\(adding ? "add an ssh key to" : "remove an ssh key from") account \(name)")
    }

    /// `issued`: a token just created, whose secret is shown this once.
    func accountsPage(_ who: SignedIn, message: String? = nil, status: HTTPResponse.Status = .ok,
                      issued: ConfigdMethod.APITokenIssued? = nil) async -> Response {
        let pages = backends.forPages
        async let frame = frame(who)
        let list = await Self.outcome { () async throws(WebError) in try await accounts(who, backends: pages) }
        let page: String
        var status = status
        switch list {
        case .success(let accounts):
            let tokens = HTMLPage.apiTokens(await frame, (try? await pages.apiTokens(session: who.token)) ?? [], accounts: accounts.map(\.name), issued: issued)
            page = HTMLPage.accounts(await frame, accounts: accounts, problem: nil, message: message, tokens: tokens)
        case .failure(let error):
            page = HTMLPage.accounts(await frame, accounts: nil, problem: error.message, message: message)
            status = Self.pageStatus(status, refusedBy: error)
        }
        return Self.html(page, status: status)
    }
}

extension HTMLPage {
    /// `/accounts`: every account with lock/unlock, password reset, delete
    /// and its ssh keys; the create form. No password hash is ever shown.
    public static func accounts(_ frame: Frame, accounts: [AccountView]?, problem: String?, message: String? = nil, tokens: String = "") -> String {
        let list: String
        if let accounts {
            list = "<table id=\"account-list\"><thead><tr><th>Name</th><th>Role</th><th>Locked</th><th>Keys</th><th>Password expires</th><th></th></tr></thead><tbody>\n"
                + accounts.map { account in
                    let base = "/accounts/\(escape(account.name))"
                    let keys = account.sshKeys.map { key in
                        "<li><code>\(escape(key))</code> <form method=\"post\" action=\"\(base)/keys/delete\">\(csrfField(frame.csrf))"
                            + "<input type=\"hidden\" name=\"key\" value=\"\(escape(key))\"><button type=\"submit\">Delete key</button></form></li>"
                    }.joined()
                    return "<tr data-name=\"\(escape(account.name))\"><td>\(escape(account.name))</td><td>\(escape(account.role))</td>"
                        + "<td class=\"locked\">\(account.locked ? "yes" : "no")</td><td class=\"keys\">\(account.keyCount)</td>"
                        + "<td>\(account.passwordExpiresAt.map { String($0) } ?? "-")</td><td>"
                        + "<form method=\"post\" action=\"\(base)/\(account.locked ? "unlock" : "lock")\">\(csrfField(frame.csrf))<button type=\"submit\">\(account.locked ? "Unlock" : "Lock")</button></form>"
                        + "<form method=\"post\" action=\"\(base)/password\">\(csrfField(frame.csrf))<input type=\"password\" name=\"password\" autocomplete=\"new-password\" required maxlength=\"1024\"><button type=\"submit\">Set password</button></form>"
                        + "<form method=\"post\" action=\"\(base)/delete\">\(csrfField(frame.csrf))<button type=\"submit\">Delete</button></form>"
                        + "<ul class=\"keys\">\(keys)</ul>"
                        + "<form method=\"post\" action=\"\(base)/keys\">\(csrfField(frame.csrf))<input name=\"key\" required maxlength=\"8192\" placeholder=\"ssh-ed25519 AAAA... comment\"><button type=\"submit\">Add key</button></form>"
                        + "</td></tr>"
                }.joined(separator: "\n") + "\n</tbody></table>"
        } else {
            list = Self.problem(problem ?? "configd is not answering")
        }
        return page(frame, title: "Accounts", current: .accounts, main: """
        <section><h2>Accounts</h2>
        \(message.map { Self.problem($0) } ?? "")
        \(list)
        </section>
        <section><h2>New account</h2>
        <form id="account-create" method="post" action="/accounts">
        \(csrfField(frame.csrf))
        <label>Name <input name="name" required maxlength="64"></label>
        <label>Role <select name="role"><option>viewer</option><option>operator</option><option>admin</option></select></label>
        <label>Initial password <input name="password" type="password" autocomplete="new-password" required maxlength="1024"></label>
        <button type="submit" id="account-create-submit">Create</button>
        </form>
        </section>
        \(tokens)
        """)
    }
}
