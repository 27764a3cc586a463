#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Configuration
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /api/v1/system` (settings, time, host figures, configuration
/// state) and the running configuration: as text, and saved to startup.
extension WebRoutes {
    struct SystemView: Codable {
        var hostname: String; var location: String?; var contact: String?; var banner: String?; var ntpServers: [String]; var time: String
        var host: HostStatus; var configurationRevision: UInt64; var unsavedChanges: Bool; var sessions: Int
    }

    func addSystemRoutes(to router: Router<WebRequestContext>) {
        api(router, .get, "/api/v1/system") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            async let snapshot = backends.running(session: who.token, sections: [.system, .time])
            async let status = backends.configdStatus()
            let config = try await snapshot.config
            let configd = try await status
            return JSONBody.response(SystemView(hostname: config.system.hostname, location: config.system.location, contact: config.system.contact,
                                                banner: config.system.loginBanner, ntpServers: config.time.ntpServers.map(\.description),
                                                time: Date().ISO8601Format(), host: HostStatus.current(), configurationRevision: configd.revision,
                                                unsavedChanges: configd.unsavedChanges, sessions: configd.sessions))
        }
        api(router, .get, "/api/v1/config/running") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            let snapshot = try await backends.running(session: who.token)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: snapshot.text)))
        }
        api(router, .post, "/api/v1/config/save") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            return JSONBody.response(try await saveConfiguration(who, context: context))
        }
    }
}
