import ApplianceCore
import ApplianceProtocol
import Configuration
import HTTPTypes
import Hummingbird

/// A remote audit destination as `/audit` shows it: the configuration and
/// auditd's live status of it (nil when auditd did not answer).
public struct AuditDestinationView: Codable, Sendable, Equatable {
    public var host: String
    public var port: Int
    /// `ca-signed` or `fingerprint`.
    public var trust: String
    public var caBundle: String?
    public var permittedPeer: String?
    public var fingerprint: String?
    public var state: String?
    public var lastError: String?
    public var backlog: UInt64?

    public init(_ destination: SyslogDestination, status: DestinationStatus?) {
        host = destination.host.description
        port = Int(destination.port)
        switch destination.trust {
        case .caSigned(let bundle): trust = "ca-signed"; caBundle = bundle
        case .fingerprint(let print): trust = "fingerprint"; fingerprint = print.description
        }
        permittedPeer = destination.permittedPeer?.description
        state = status?.state
        lastError = status?.lastError
        backlog = status?.backlog
    }
}

/// `logging remote ...` lines and the audit query, from API bodies and forms.
public enum AuditChange {
    public struct NewDestination: Decodable, Sendable {
        public var host: String
        public var port: Int?
        /// `ca-signed` or `fingerprint`.
        public var trust: String
        public var caBundle: String?
        public var permittedPeer: String?
        public var fingerprint: String?

        public init(host: String, port: Int? = nil, trust: String, caBundle: String? = nil, permittedPeer: String? = nil, fingerprint: String? = nil) {
            self.host = host
            self.port = port
            self.trust = trust
            self.caBundle = caBundle
            self.permittedPeer = permittedPeer
            self.fingerprint = fingerprint
        }

        public static let shape = #"{"host": "...", "port": 6514, "trust": "ca-signed|fingerprint", "caBundle": "/path.pem", "permittedPeer": "...", "fingerprint": "sha256:HEX"}"#
    }

    public static func add(_ d: NewDestination) throws(WebError) -> [String] {
        var words = ["logging remote", try ConfigLines.text(d.host, field: "host", limit: 253)]
        if let port = d.port {
            guard (1...65535).contains(port) else { throw WebError(.badRequest, "port: expected 1-65535") }
            words += ["port", String(port)]
        }
        switch d.trust {
        case "ca-signed":
            guard let bundle = d.caBundle, !bundle.isEmpty else { throw WebError(.badRequest, "caBundle: ca-signed trust needs the CA bundle's path") }
            words += ["trust ca-signed ca-bundle", try ConfigLines.text(bundle, field: "caBundle", limit: 1024)]
            if let peer = d.permittedPeer, !peer.isEmpty { words += ["permitted-peer", try ConfigLines.text(peer, field: "permittedPeer", limit: 253)] }
        case "fingerprint":
            guard let print = d.fingerprint, !print.isEmpty else { throw WebError(.badRequest, "fingerprint: fingerprint trust needs sha256:HEX") }
            words += ["trust fingerprint", try ConfigLines.text(print, field: "fingerprint", limit: 100)]
        default:
            throw WebError(.badRequest, "trust: expected ca-signed or fingerprint")
        }
        return try ConfigLines.checked([("host", words.joined(separator: " "))])
    }

    public static func remove(host: String, port: Int?) throws(WebError) -> [String] {
        let word = try ConfigLines.text(host, field: "host", limit: 253)
        var line = "logging remote \(word)"
        if let port {
            guard (1...65535).contains(port) else { throw WebError(.badRequest, "port: expected 1-65535") }
            line += " port \(port)"
        }
        _ = try ConfigLines.checked([("host", line + " trust fingerprint sha256:" + String(repeating: "0", count: 64))])
        return ["no " + line]
    }

    /// The filters of `/audit` and `/api/v1/audit/events` as auditd's query.
    public static func query(text: String?, account: String?, service: String?, severity: String?, last: String?) throws(WebError) -> AuditdMethod.QueryParameters {
        func filter(_ value: String?, _ field: String) throws(WebError) -> String? {
            guard let value, !value.isEmpty else { return nil }
            _ = try ConfigLines.text(value, field: field, limit: 256)
            return value
        }
        var query = AuditdMethod.QueryParameters(appName: try filter(service, "service"), account: try filter(account, "account"), text: try filter(text, "text"), limit: 50)
        if let severity, !severity.isEmpty {
            guard let level = Int(severity), (0...7).contains(level) else { throw WebError(.badRequest, "severity: expected 0 (emergency) to 7 (debug)") }
            query.maximumSeverity = level
        }
        if let last, !last.isEmpty {
            guard let count = Int(last), (1...1000).contains(count) else { throw WebError(.badRequest, "last: expected 1 to 1000") }
            query.limit = count
        }
        return query
    }
}

/// Audit: remote destinations with auditd's live status, and the local
/// audit log searched through auditd's `query` with the session (auditd
/// requires an admin's).
extension WebRoutes {
    /// `GET /api/v1/audit/destinations`: `auditd` says why the live status is missing.
    struct AuditDestinationList: Codable { var destinations: [AuditDestinationView]; var auditd: String? }

    func addAuditRoutes(to router: Router<WebRequestContext>) {

        api(router, .get, "/api/v1/audit/destinations") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            let (list, problem) = try await auditDestinations(who, backends: backends)
            return JSONBody.response(AuditDestinationList(destinations: list, auditd: problem))
        }
        api(router, .post, "/api/v1/audit/destinations") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let destination = try await JSONBody.decode(AuditChange.NewDestination.self, from: request, shape: AuditChange.NewDestination.shape)
            let applied = try await applyChange(try AuditChange.add(destination), who: who, context: context, kind: "web-audit-destination-add",
                                                facts: [("host", destination.host)], what: "add audit destination \(destination.host)")
            return JSONBody.response(ChangeView(name: destination.host, revision: applied.revision, diff: applied.diff), status: .created)
        }
        api(router, .delete, "/api/v1/audit/destinations/{host}") { request, context -> Response in
            let host = context.parameters.get("host") ?? ""
            let who = try await signedIn(request, context: context, changing: true)
            let port = request.uri.queryParameters.get("port").flatMap { Int($0) }
            let applied = try await applyChange(try AuditChange.remove(host: host, port: port), who: who, context: context, kind: "web-audit-destination-delete",
                                                facts: [("host", host)], what: "delete audit destination \(host)")
            return JSONBody.response(ChangeView(name: host, revision: applied.revision, diff: applied.diff))
        }
        api(router, .get, "/api/v1/audit/events") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            let q = request.uri.queryParameters
            var query = try AuditChange.query(text: q.get("text"), account: q.get("account"), service: q.get("service"), severity: q.get("severity"), last: q.get("last"))
            query.session = who.token
            return JSONBody.response(try await backends.call("auditd", AuditdMethod.Query.self, query))
        }

        router.get("/audit") { request, context -> Response in
            guard let who = try await pageSession(request, context: context) else { return Self.seeOther(await pageRedirect(request, context: context)) }
            let q = request.uri.queryParameters
            return await auditPage(who, filters: AuditFilters(text: q.get("text"), account: q.get("account"), service: q.get("service"),
                                                              severity: q.get("severity"), last: q.get("last")))
        }
        for action in ["destinations", "destinations/delete"] {
            router.post("/audit/\(action)") { request, context -> Response in
                let (who, form) = try await formSession(request, context: context)
                do throws(WebError) {
                    let host = form["host"] ?? ""
                    if action == "destinations" {
                        let d = AuditChange.NewDestination(host: host, port: form["port"].flatMap { Int($0) }, trust: form["trust"] ?? "",
                                                           caBundle: form["caBundle"], permittedPeer: form["permittedPeer"], fingerprint: form["fingerprint"])
                        _ = try await applyChange(try AuditChange.add(d), who: who, context: context, kind: "web-audit-destination-add",
                                                  facts: [("host", host)], what: "add audit destination \(host)")
                    } else {
                        _ = try await applyChange(try AuditChange.remove(host: host, port: form["port"].flatMap { Int($0) }), who: who, context: context,
                                                  kind: "web-audit-destination-delete", facts: [("host", host)], what: "delete audit destination \(host)")
                    }
                    return Self.seeOther("/audit")
                } catch {
                    return await auditPage(who, filters: AuditFilters(), message: error.message, status: error.status)
                }
            }
        }
    }

    /// The configured destinations with auditd's status; auditd's problem
    /// (not answering) is returned beside them, configd's is thrown.
    func auditDestinations(_ who: SignedIn, backends: ApplianceBackends) async throws(WebError) -> ([AuditDestinationView], String?) {
        async let status = Self.outcome { () async throws(WebError) in try await backends.call("auditd", AuditdMethod.Status.self, NoValue()) }
        let config = try await backends.running(session: who.token, sections: [.audit]).config.audit
        var statuses: [String: DestinationStatus] = [:]
        var problem: String?
        switch await status {
        case .success(let result): for d in result.destinations { statuses[d.destination] = d }
        case .failure(let error): problem = error.message
        }
        return (config.remoteDestinations.map { AuditDestinationView($0, status: statuses[$0.label]) }, problem)
    }

    func auditPage(_ who: SignedIn, filters: AuditFilters, message: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        let pages = backends.forPages
        async let frame = frame(who)
        async let destinations = Self.outcome { () async throws(WebError) in try await auditDestinations(who, backends: pages) }
        async let events = Self.outcome { () async throws(WebError) -> AuditdMethod.QueryResult in
            var query = try AuditChange.query(text: filters.text, account: filters.account, service: filters.service, severity: filters.severity, last: filters.last)
            query.session = who.token
            return try await pages.call("auditd", AuditdMethod.Query.self, query)
        }
        var view = HTMLPage.AuditView(filters: filters)
        var status = status
        switch await destinations {
        case .success(let (list, problem)): view.destinations = list; view.statusProblem = problem
        case .failure(let error): view.destinationsProblem = error.message
        }
        switch await events {
        case .success(let result): view.events = result.entries.map(\.text)
        case .failure(let error): view.eventsProblem = error.message
        }
        // 403 when the role may read neither the destinations nor the events.
        if case .failure(let refused) = await destinations, case .failure(let alsoRefused) = await events, alsoRefused.status == .forbidden {
            status = Self.pageStatus(status, refusedBy: refused)
        }
        return Self.html(HTMLPage.audit(await frame, view, message: message), status: status)
    }
}

/// The search form's fields, as the browser sent them.
public struct AuditFilters: Sendable, Equatable {
    public var text: String?
    public var account: String?
    public var service: String?
    public var severity: String?
    public var last: String?

    public init(text: String? = nil, account: String? = nil, service: String? = nil, severity: String? = nil, last: String? = nil) {
        self.text = text
        self.account = account
        self.service = service
        self.severity = severity
        self.last = last
    }
}

extension HTMLPage {
    public struct AuditView: Sendable {
        public var filters: AuditFilters
        public var destinations: [AuditDestinationView]?
        public var destinationsProblem: String?
        /// auditd's status did not answer: the destinations show no state.
        public var statusProblem: String?
        public var events: [String]?
        public var eventsProblem: String?

        public init(filters: AuditFilters, destinations: [AuditDestinationView]? = nil, events: [String]? = nil) {
            self.filters = filters
            self.destinations = destinations
            self.events = events
        }
    }

    /// `/audit`: remote destinations with their live state, the add form,
    /// and the search of the local audit log.
    public static func audit(_ frame: Frame, _ view: AuditView, message: String? = nil) -> String {
        let destinations: String
        if let list = view.destinations {
            destinations = (view.statusProblem.map { Self.problem($0) } ?? "")
                + "<table id=\"audit-destinations\"><thead><tr><th>Host</th><th>Port</th><th>Trust</th><th>State</th><th>Last error</th><th>Backlog</th><th></th></tr></thead><tbody>\n"
                + list.map { d in
                    let trust = d.trust == "ca-signed"
                        ? "ca-signed (\(escape(d.caBundle ?? ""))\(d.permittedPeer.map { ", peer " + escape($0) } ?? ""))"
                        : "fingerprint \(escape(d.fingerprint ?? ""))"
                    return "<tr data-name=\"\(escape(d.host))\"><td>\(escape(d.host))</td><td>\(d.port)</td><td>\(trust)</td>"
                        + "<td class=\"state\">\(escape(d.state ?? "-"))</td><td>\(escape(d.lastError ?? ""))</td><td>\(d.backlog.map(String.init) ?? "-")</td>"
                        + "<td><form method=\"post\" action=\"/audit/destinations/delete\">\(csrfField(frame.csrf))<input type=\"hidden\" name=\"host\" value=\"\(escape(d.host))\">"
                        + "<input type=\"hidden\" name=\"port\" value=\"\(d.port)\"><button type=\"submit\">Delete</button></form></td></tr>"
                }.joined(separator: "\n") + "\n</tbody></table>"
        } else {
            destinations = Self.problem(view.destinationsProblem ?? "configd is not answering")
        }
        let events: String
        if let list = view.events {
            events = "<pre id=\"audit-events\">\(list.isEmpty ? "No matching events." : escape(list.joined(separator: "\n")))</pre>"
        } else {
            events = Self.problem(view.eventsProblem ?? "auditd is not answering")
        }
        let f = view.filters
        func input(_ name: String, _ label: String, _ value: String?) -> String {
            "<label>\(label) <input name=\"\(name)\" value=\"\(escape(value ?? ""))\"></label>"
        }
        return page(frame, title: "Audit", current: .audit, main: """
        \(message.map { Self.problem($0) } ?? "")
        <section><h2>Remote destinations</h2>
        \(destinations)
        <form id="audit-destination-add" method="post" action="/audit/destinations">
        \(csrfField(frame.csrf))
        <label>Host <input name="host" required maxlength="253"></label>
        <label>Port <input name="port" inputmode="numeric" placeholder="6514"></label>
        <label>Trust <select name="trust"><option>ca-signed</option><option>fingerprint</option></select></label>
        <label>CA bundle <input name="caBundle" placeholder="/etc/appliance/ca.pem"></label>
        <label>Permitted peer <input name="permittedPeer"></label>
        <label>Fingerprint <input name="fingerprint" placeholder="sha256:..."></label>
        <button type="submit" id="audit-destination-add-submit">Add destination</button>
        </form>
        </section>
        <section><h2>Local audit log</h2>
        <form id="audit-search" method="get" action="/audit">
        \(input("text", "Text", f.text)) \(input("account", "Account", f.account)) \(input("service", "Service", f.service))
        \(input("severity", "Severity at most (0-7)", f.severity)) \(input("last", "Last", f.last ?? "50"))
        <button type="submit" id="audit-search-submit">Search</button>
        </form>
        \(events)
        </section>
        """)
    }
}
