import ApplianceProtocol
import ApplianceCore
import Configuration
import HTTPTypes
import Hummingbird

/// SNMP users and trap receivers: `/snmp` and `/api/v1/snmp[...]`.
extension WebRoutes {
    func addSNMPRoutes(to router: Router<WebRequestContext>) {
        api(router, .get, "/api/v1/snmp") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            return JSONBody.response(SNMPView(try await backends.running(session: who.token, sections: [.snmp]).config.snmp))
        }
        api(router, .post, "/api/v1/snmp/users") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let user = try await JSONBody.decode(SNMPChange.NewUser.self, from: request, shape: SNMPChange.NewUser.shape)
            let applied = try await addSNMPUser(user, who: who, context: context)
            return JSONBody.response(ChangeView(name: user.name, revision: applied.revision, diff: applied.diff), status: .created)
        }
        api(router, .delete, "/api/v1/snmp/users/{name}") { request, context -> Response in
            let name = context.parameters.get("name") ?? ""
            let who = try await signedIn(request, context: context, changing: true)
            let applied = try await applyChange(try SNMPChange.removeUser(name), who: who, context: context, kind: "web-snmp-user-delete",
                                                facts: [("user", name)], what: "delete SNMP user \(name)")
            return JSONBody.response(ChangeView(name: name, revision: applied.revision, diff: applied.diff))
        }
        api(router, .post, "/api/v1/snmp/traps") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let trap = try await JSONBody.decode(SNMPChange.NewTrap.self, from: request, shape: SNMPChange.NewTrap.shape)
            let applied = try await applyChange(try SNMPChange.add(trap), who: who, context: context, kind: "web-snmp-trap-add",
                                                facts: [("host", trap.host)], what: "add trap receiver \(trap.host)")
            return JSONBody.response(ChangeView(name: trap.host, revision: applied.revision, diff: applied.diff), status: .created)
        }
        api(router, .delete, "/api/v1/snmp/traps/{host}") { request, context -> Response in
            let host = context.parameters.get("host") ?? ""
            let who = try await signedIn(request, context: context, changing: true)
            let port = request.uri.queryParameters.get("port").flatMap { Int($0) }
            let applied = try await applyChange(try SNMPChange.removeTrap(host: host, port: port), who: who, context: context, kind: "web-snmp-trap-delete",
                                                facts: [("host", host)], what: "delete trap receiver \(host)")
            return JSONBody.response(ChangeView(name: host, revision: applied.revision, diff: applied.diff))
        }

        router.get("/snmp") { request, context -> Response in
            guard let who = try await pageSession(request, context: context) else { return Self.seeOther(await pageRedirect(request, context: context)) }
            return await snmpPage(who)
        }
        for action in ["users", "users/delete", "traps", "traps/delete"] {
            router.post("/snmp/\(action)") { request, context -> Response in
                let (who, form) = try await formSession(request, context: context)
                do throws(WebError) {
                    switch action {
                    case "users":
                        // The page asks for pass phrases; a form posting localized keys (as before) still works.
                        func field(_ name: String) -> String? { form[name].flatMap { $0.isEmpty ? nil : $0 } }
                        _ = try await addSNMPUser(.init(name: form["name"] ?? "", role: form["role"] ?? "", authProtocol: form["authProtocol"] ?? "",
                                                        authKey: field("authKey"), privProtocol: form["privProtocol"] ?? "", privKey: field("privKey"),
                                                        authPassphrase: field("authPassphrase"), privPassphrase: field("privPassphrase")),
                                                  who: who, context: context)
                    case "users/delete":
                        let name = form["name"] ?? ""
                        _ = try await applyChange(try SNMPChange.removeUser(name), who: who, context: context, kind: "web-snmp-user-delete",
                                                  facts: [("user", name)], what: "delete SNMP user \(name)")
                    case "traps":
                        let trap = SNMPChange.NewTrap(host: form["host"] ?? "", port: form["port"].flatMap { Int($0) }, user: form["user"] ?? "",
                                                      kind: form["kind"].flatMap { $0.isEmpty ? nil : $0 })
                        _ = try await applyChange(try SNMPChange.add(trap), who: who, context: context, kind: "web-snmp-trap-add",
                                                  facts: [("host", trap.host)], what: "add trap receiver \(trap.host)")
                    default:
                        let host = form["host"] ?? ""
                        _ = try await applyChange(try SNMPChange.removeTrap(host: host, port: form["port"].flatMap { Int($0) }), who: who, context: context,
                                                  kind: "web-snmp-trap-delete", facts: [("host", host)], what: "delete trap receiver \(host)")
                    }
                    return Self.seeOther("/snmp")
                } catch {
                    return await snmpPage(who, message: error.message, status: error.status)
                }
            }
        }
    }

    func addSNMPUser(_ user: SNMPChange.NewUser, who: SignedIn, context: WebRequestContext) async throws(WebError) -> ConfigdMethod.Applied {
        let checked = try SNMPChange.check(user)
        let engineID = checked.needsEngineID ? try await backends.snmpEngineID(session: who.token) : nil
        return try await applyChange(try checked.lines(engineID: engineID), who: who, context: context, kind: "web-snmp-user-add",
                                     facts: [("user", user.name)] + (checked.needsEngineID ? [("keys", "from pass phrases")] : []),
                                     what: "add SNMP user \(user.name)")
    }

    func snmpPage(_ who: SignedIn, message: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        let pages = backends.forPages
        async let frame = frame(who)
        let snmp = await Self.outcome { () async throws(WebError) in try await pages.running(session: who.token, sections: [.snmp]) }
        let page: String
        var status = status
        switch snmp {
        case .success(let snapshot): page = HTMLPage.snmp(await frame, snmp: SNMPView(snapshot.config.snmp), problem: nil, message: message)
        case .failure(let error):
            page = HTMLPage.snmp(await frame, snmp: nil, problem: error.message, message: message)
            status = Self.pageStatus(status, refusedBy: error)
        }
        return Self.html(page, status: status)
    }
}

extension ApplianceBackends {
    /// The engine ID SNMP keys are localized to: the configured `snmp
    /// engine-id` (read with the user's session), else the one snmpd
    /// generated (its `status`, open to anyone: it holds no secret).
    func snmpEngineID(session: String) async throws(WebError) -> [UInt8] {
        if let configured = try await running(session: session, sections: [.snmp]).config.snmp.engineID { return configured.octets }
        let status = try await call("snmpd", SnmpdMethod.Status.self, NoValue())
        guard let octets = Hex.decode(status.engineID), !octets.isEmpty else {
            throw WebError(.serviceUnavailable, "snmpd reported no usable engine ID")
        }
        return octets
    }
}

extension HTMLPage {
    /// `/snmp`: users (never their keys) and trap receivers, add and delete.
    public static func snmp(_ frame: Frame, snmp: SNMPView?, problem: String?, message: String? = nil) -> String {
        let lists: String
        if let snmp {
            let users = snmp.users.map { user in
                "<tr data-name=\"\(escape(user.name))\"><td>\(escape(user.name))</td><td>\(escape(user.role))</td><td>\(escape(user.authProtocol))</td>"
                    + "<td>\(escape(user.privProtocol))</td><td><form method=\"post\" action=\"/snmp/users/delete\">\(csrfField(frame.csrf))"
                    + "<input type=\"hidden\" name=\"name\" value=\"\(escape(user.name))\"><button type=\"submit\">Delete</button></form></td></tr>"
            }.joined(separator: "\n")
            let traps = snmp.traps.map { trap in
                "<tr data-name=\"\(escape(trap.host))\"><td>\(escape(trap.host))</td><td>\(trap.port)</td><td>\(escape(trap.user))</td><td>\(escape(trap.kind))</td>"
                    + "<td><form method=\"post\" action=\"/snmp/traps/delete\">\(csrfField(frame.csrf))<input type=\"hidden\" name=\"host\" value=\"\(escape(trap.host))\">"
                    + "<input type=\"hidden\" name=\"port\" value=\"\(trap.port)\"><button type=\"submit\">Delete</button></form></td></tr>"
            }.joined(separator: "\n")
            lists = """
            <table id="snmp-users"><thead><tr><th>User</th><th>Role</th><th>Auth</th><th>Privacy</th><th></th></tr></thead><tbody>
            \(users)
            </tbody></table>
            <h3>Trap receivers</h3>
            <table id="snmp-traps"><thead><tr><th>Host</th><th>Port</th><th>User</th><th>Kind</th><th></th></tr></thead><tbody>
            \(traps)
            </tbody></table>
            """
        } else {
            lists = Self.problem(problem ?? "configd is not answering")
        }
        let auths = SNMPAuthProtocol.allCases.map { "<option\($0 == .sha256 ? " selected" : "")>\($0.rawValue)</option>" }.joined()
        let privs = SNMPPrivProtocol.allCases.map { "<option>\($0.rawValue)</option>" }.joined()
        return page(frame, title: "SNMP", current: .snmp, main: """
        <section><h2>SNMP users</h2>
        \(message.map { Self.problem($0) } ?? "")
        \(lists)
        </section>
        <section><h2>Add SNMPv3 user</h2>
        <p>The keys are derived from the pass phrases and localized to this agent's engine ID (RFC 3414), as net-snmp's
        <code>net-snmp-create-v3-user</code> does; the pass phrases are not stored. A manager uses the same pass phrases.</p>
        <form id="snmp-user-add" method="post" action="/snmp/users">
        \(csrfField(frame.csrf))
        <label>Name <input name="name" required maxlength="32"></label>
        <label>Role <select name="role"><option>viewer</option><option>operator</option><option>admin</option></select></label>
        <label>Authentication <select name="authProtocol">\(auths)</select></label>
        <label>Authentication pass phrase <input name="authPassphrase" type="password" autocomplete="new-password" required minlength="8" maxlength="\(SNMPChange.maximumPassphraseLength)"></label>
        <label>Privacy <select name="privProtocol">\(privs)</select></label>
        <label>Privacy pass phrase <input name="privPassphrase" type="password" autocomplete="new-password" required minlength="8" maxlength="\(SNMPChange.maximumPassphraseLength)"></label>
        <button type="submit" id="snmp-user-add-submit">Add user</button>
        </form>
        </section>
        <section><h2>New trap receiver</h2>
        <form id="snmp-trap-add" method="post" action="/snmp/traps">
        \(csrfField(frame.csrf))
        <label>Host <input name="host" required maxlength="253"></label>
        <label>Port <input name="port" inputmode="numeric" placeholder="162"></label>
        <label>User <input name="user" required maxlength="32"></label>
        <label>Kind <select name="kind"><option>trap</option><option>inform</option></select></label>
        <button type="submit" id="snmp-trap-add-submit">Add receiver</button>
        </form>
        </section>
        """)
    }
}
