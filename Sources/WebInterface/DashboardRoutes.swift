import Configuration
import HTTPTypes
import Hummingbird
import ApplianceProtocol

/// The dashboard (`/`) and `GET /api/v1/processes`: procmon's processes,
/// sessmgrd's streams and the host's figures.
extension WebRoutes {
    struct ProcessList: Codable { var processes: [ProcessStatus] }

    func addDashboardRoutes(to router: Router<WebRequestContext>) {
        router.get("/") { request, context -> Response in
            let who: SignedIn
            do throws(WebError) {
                who = try await signedIn(request, context: context, changing: false, allowExpired: true)
            } catch {
                guard error.status == .unauthorized else { throw error }
                return Self.seeOther("/login")
            }
            if who.mustChangePassword {
                return Self.html(HTMLPage.passwordChange(account: who.account, csrf: csrf.token(for: who.token), message: "Your password has expired: choose a new one."))
            }
            return await dashboard(who)
        }
        api(router, .get, "/api/v1/processes") { request, context -> Response in
            _ = try await signedIn(request, context: context, changing: false)
            return JSONBody.response(ProcessList(processes: try await backends.processes()))
        }
    }

    func dashboard(_ who: SignedIn) async -> Response {
        let backends = self.backends.forPages
        async let system = try? backends.running(session: who.token, sections: [.system])
        async let processes = Self.outcome { () async throws(WebError) in try await backends.processes() }
        async let streams = Self.outcome { () async throws(WebError) in try await backends.streams(session: who.token) }
        var problems: [String] = []
        let processList: [ProcessStatus]?
        switch await processes {
        case .success(let list): processList = list
        case .failure(let error): processList = nil; problems.append(error.message)
        }
        let streamList: [StreamStatus]?
        switch await streams {
        case .success(let status): streamList = status.streams
        case .failure(let error): streamList = nil; problems.append(error.message)
        }
        let view = HTMLPage.Dashboard(account: who.account, role: who.role, hostname: await system?.config.system.hostname ?? SystemSettings.defaultHostname,
                                      host: HostStatus.current(), processes: processList, streams: streamList, problems: problems)
        return Self.html(HTMLPage.dashboard(view, csrf: csrf.token(for: who.token)))
    }
}
