#if canImport(FoundationEssentials)
import ApplianceProtocol
import FoundationEssentials
#else
import Foundation
#endif
import Configuration
import HTTPTypes
import Hummingbird

/// The security policy (`/policy`, `/api/v1/policy`) and the system
/// settings (`/system`, `PATCH /api/v1/system`, revert and diff).
extension WebRoutes {
    func addSettingsRoutes(to router: Router<WebRequestContext>) {
        // MARK: policy
        router.get("/policy") { request, context -> Response in
            guard let who = try await pageSession(request, context: context) else { return Self.seeOther(await pageRedirect(request, context: context)) }
            return await policyPage(who)
        }
        router.post("/policy") { request, context -> Response in
            let (who, form) = try await formSession(request, context: context)
            do throws(WebError) {
                let commands = try PolicyView(form: form).commands()
                _ = try await applyChange(commands, who: who, context: context, kind: "web-policy-change", facts: [], what: "change the security policy")
                return Self.seeOther("/policy")
            } catch {
                return await policyPage(who, message: error.message, status: error.status)
            }
        }
        api(router, .get, "/api/v1/policy") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            return JSONBody.response(PolicyView(try await backends.running(session: who.token, sections: [.policy]).config.policy))
        }
        api(router, .patch, "/api/v1/policy") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let commands = try await JSONBody.decode(PolicyView.self, from: request, shape: PolicyView.shape).commands()
            let applied = try await applyChange(commands, who: who, context: context, kind: "web-policy-change", facts: [], what: "change the security policy")
            return JSONBody.response(ChangeView(name: nil, revision: applied.revision, diff: applied.diff))
        }

        // MARK: system
        router.get("/system") { request, context -> Response in
            guard let who = try await pageSession(request, context: context) else { return Self.seeOther(await pageRedirect(request, context: context)) }
            return await systemPage(who)
        }
        router.post("/system") { request, context -> Response in
            let (who, form) = try await formSession(request, context: context)
            // The browser sends CRLF in a textarea; the banner keeps LF.
            let change = SystemChange(hostname: form["hostname"], banner: form["banner"]?.replacing("\r\n", with: "\n"),
                                      location: form["location"], contact: form["contact"])
            return await systemChange(change, who: who, context: context)
        }
        router.post("/system/ntp") { request, context -> Response in
            let (who, form) = try await formSession(request, context: context)
            return await systemChange(SystemChange(addNtpServers: [form["server"] ?? ""]), who: who, context: context)
        }
        router.post("/system/ntp/delete") { request, context -> Response in
            let (who, form) = try await formSession(request, context: context)
            return await systemChange(SystemChange(removeNtpServers: [form["server"] ?? ""]), who: who, context: context)
        }
        router.post("/system/save") { request, context -> Response in
            let (who, _) = try await formSession(request, context: context)
            do throws(WebError) {
                _ = try await saveConfiguration(who, context: context)
                return Self.seeOther("/system")
            } catch {
                return await systemPage(who, message: error.message, status: error.status)
            }
        }
        router.post("/system/revert") { request, context -> Response in
            let (who, _) = try await formSession(request, context: context)
            do throws(WebError) {
                _ = try await revertConfiguration(who, context: context)
                return Self.seeOther("/system")
            } catch {
                return await systemPage(who, message: error.message, status: error.status)
            }
        }
        api(router, .patch, "/api/v1/system") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let commands = try await JSONBody.decode(SystemChange.self, from: request, shape: SystemChange.shape).commands()
            let applied = try await applyChange(commands, who: who, context: context, kind: "web-system-change", facts: [], what: "change the system settings")
            return JSONBody.response(ChangeView(name: nil, revision: applied.revision, diff: applied.diff))
        }
        api(router, .post, "/api/v1/config/revert") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            return JSONBody.response(try await revertConfiguration(who, context: context))
        }
        api(router, .get, "/api/v1/config/diff") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            return JSONBody.response(try await backends.diff(session: who.token))
        }
    }

    func saveConfiguration(_ who: SignedIn, context: WebRequestContext) async throws(WebError) -> ConfigdMethod.Revision {
        do throws(WebError) {
            let saved = try await backends.save(session: who.token, peer: context.peer)
            record(who, context, "web-config-save", [("revision", String(saved.revision))], "\(who.account) saved the configuration from \(context.peer)")
            return saved
        } catch {
            record(who, context, "web-config-save-failed", [("error", error.message)], "\(who.account) could not save the configuration from \(context.peer): \(error.message)", severity: .warning)
            throw error
        }
    }

    func revertConfiguration(_ who: SignedIn, context: WebRequestContext) async throws(WebError) -> ConfigdMethod.Revision {
        do throws(WebError) {
            let reverted = try await backends.revert(session: who.token, peer: context.peer)
            record(who, context, "web-config-revert", [("revision", String(reverted.revision))], "\(who.account) reverted the configuration to startup from \(context.peer)")
            return reverted
        } catch {
            record(who, context, "web-config-revert-failed", [("error", error.message)], "\(who.account) could not revert the configuration from \(context.peer): \(error.message)", severity: .warning)
            throw error
        }
    }

    func systemChange(_ change: SystemChange, who: SignedIn, context: WebRequestContext) async -> Response {
        do throws(WebError) {
            _ = try await applyChange(try change.commands(), who: who, context: context, kind: "web-system-change", facts: [], what: "change the system settings")
            return Self.seeOther("/system")
        } catch {
            return await systemPage(who, message: error.message, status: error.status)
        }
    }

    func policyPage(_ who: SignedIn, message: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        let pages = backends.forPages
        async let frame = frame(who)
        let policy = await Self.outcome { () async throws(WebError) in try await pages.running(session: who.token, sections: [.policy]) }
        let page: String
        var status = status
        switch policy {
        case .success(let snapshot): page = HTMLPage.policy(await frame, policy: PolicyView(snapshot.config.policy), problem: nil, message: message)
        case .failure(let error):
            page = HTMLPage.policy(await frame, policy: nil, problem: error.message, message: message)
            status = Self.pageStatus(status, refusedBy: error)
        }
        return Self.html(page, status: status)
    }

    func systemPage(_ who: SignedIn, message: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        let pages = backends.forPages
        async let frame = frame(who)
        async let snapshot = Self.outcome { () async throws(WebError) in try await pages.running(session: who.token, sections: [.system, .time]) }
        async let diff = Self.outcome { () async throws(WebError) in try await pages.diff(session: who.token) }
        var view = HTMLPage.SystemView(system: nil, ntpServers: nil, diff: nil, time: Date().ISO8601Format(), problem: nil)
        switch await snapshot {
        case .success(let result): view.system = result.config.system; view.ntpServers = result.config.time.ntpServers.map(\.description)
        case .failure(let error): view.problem = error.message
        }
        if case .success(let result) = await diff { view.diff = result.lines }
        view.certificate = try? certificates?.current()
        return Self.html(HTMLPage.system(await frame, view, message: message), status: status)
    }
}
