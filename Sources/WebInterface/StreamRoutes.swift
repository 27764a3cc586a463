import Configuration
import HTTPTypes
import Hummingbird
import ApplianceProtocol

/// What a change through configd answers: the new revision and its diff.
struct ChangeView: Codable {
    var name: String?
    var revision: UInt64
    var diff: [String]
}

/// Streams: the pages `/streams`, `/streams/{name}` with their forms, and
/// `/api/v1/streams/{name}` (GET, POST, PATCH, DELETE). Changes are
/// configd `apply` calls of `stream ...` lines built by `StreamChange`.
extension WebRoutes {
    func addStreamRoutes(to router: Router<WebRequestContext>) {
        // MARK: pages
        router.get("/streams") { request, context -> Response in
            guard let who = try await pageSession(request, context: context) else { return Self.seeOther(await pageRedirect(request, context: context)) }
            return await streamsPage(who)
        }
        router.post("/streams") { request, context -> Response in
            let (who, form) = try await formSession(request, context: context)
            do throws(WebError) {
                let change = try StreamChange(form: form, checkboxes: true)
                let name = change.name ?? ""
                _ = try await createStream(name, change, who: who, context: context)
                return Self.seeOther("/streams/\(name)")
            } catch {
                return await streamsPage(who, message: error.message, status: error.status)
            }
        }
        router.get("/streams/:name") { request, context -> Response in
            guard let who = try await pageSession(request, context: context) else { return Self.seeOther(await pageRedirect(request, context: context)) }
            return await streamPage(who, name: try Self.streamName(context))
        }
        router.post("/streams/:name") { request, context -> Response in
            let (who, form) = try await formSession(request, context: context)
            let name = try Self.streamName(context)
            do throws(WebError) {
                var change = try StreamChange(form: form, checkboxes: true)
                change.name = nil
                _ = try await editStream(name, change, who: who, context: context)
                return Self.seeOther("/streams/\(name)")
            } catch {
                return await streamPage(who, name: name, message: error.message, status: error.status)
            }
        }
        for action in ["start", "stop", "delete"] {
            router.post("/streams/:name/\(action)") { request, context -> Response in
                let (who, _) = try await formSession(request, context: context)
                let name = try Self.streamName(context)
                do throws(WebError) {
                    switch action {
                    case "delete":
                        _ = try await deleteStream(name, who: who, context: context)
                        return Self.seeOther("/streams")
                    default:
                        _ = try await startOrStop(action, name, who: who, context: context)
                        return Self.seeOther("/streams/\(name)")
                    }
                } catch {
                    return await streamPage(who, name: name, message: error.message, status: error.status)
                }
            }
        }

        // MARK: API
        api(router, .get, "/api/v1/streams") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            return JSONBody.response(try await backends.streams(session: who.token))
        }
        for action in ["start", "stop"] {
            api(router, .post, "/api/v1/streams/{name}/\(action)") { request, context -> Response in
                guard let name = context.parameters.get("name"), Self.isStreamName(name) else {
                    throw WebError(.badRequest, "a stream name is 1-64 letters, digits, '.', '_' or '-'")
                }
                let who = try await signedIn(request, context: context, changing: true)
                do throws(WebError) {
                    let result = action == "start"
                        ? try await backends.start(stream: name, session: who.token)
                        : try await backends.stop(stream: name, session: who.token)
                    record(who, context, "web-stream-\(action)", [("stream", name), ("state", result.state)], "\(who.account) \(action == "start" ? "started" : "stopped") stream \(name) from \(context.peer)")
                    return JSONBody.response(result)
                } catch {
                    record(who, context, "web-stream-\(action)-failed", [("stream", name), ("error", error.message)], "\(who.account) could not \(action) stream \(name) from \(context.peer): \(error.message)", severity: .warning)
                    throw error
                }
            }
        }
        api(router, .get, "/api/v1/streams/{name}") { request, context -> Response in
            let name = try Self.streamName(context)
            let who = try await signedIn(request, context: context, changing: false)
            guard let stream = try await backends.streams(session: who.token).streams.first(where: { $0.name == name }) else {
                throw WebError(.notFound, "no stream named \(name)")
            }
            return JSONBody.response(stream)
        }
        api(router, .post, "/api/v1/streams") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let change = try await JSONBody.decode(StreamChange.self, from: request, shape: StreamChange.shape)
            guard let name = change.name else { throw WebError(.badRequest, "name: a new stream needs a name") }
            let applied = try await createStream(name, change, who: who, context: context)
            var response = JSONBody.response(ChangeView(name: name, revision: applied.revision, diff: applied.diff), status: .created)
            response.headers[.location] = "/api/v1/streams/\(name)"
            return response
        }
        api(router, .patch, "/api/v1/streams/{name}") { request, context -> Response in
            let name = try Self.streamName(context)
            let who = try await signedIn(request, context: context, changing: true)
            var change = try await JSONBody.decode(StreamChange.self, from: request, shape: StreamChange.shape)
            guard change.name == nil || change.name == name else { throw WebError(.badRequest, "name: a stream cannot be renamed") }
            change.name = nil
            let applied = try await editStream(name, change, who: who, context: context)
            return JSONBody.response(ChangeView(name: name, revision: applied.revision, diff: applied.diff))
        }
        api(router, .delete, "/api/v1/streams/{name}") { request, context -> Response in
            let name = try Self.streamName(context)
            let who = try await signedIn(request, context: context, changing: true)
            let applied = try await deleteStream(name, who: who, context: context)
            return JSONBody.response(ChangeView(name: name, revision: applied.revision, diff: applied.diff))
        }
    }

    static func streamName(_ context: WebRequestContext) throws(WebError) -> String {
        guard let name = context.parameters.get("name"), isStreamName(name) else {
            throw WebError(.badRequest, "name: a stream name is 1-64 letters, digits, '.', '_' or '-'")
        }
        return name
    }

    // MARK: changes

    func configuredStream(_ name: String, who: SignedIn) async throws(WebError) -> StreamConfig? {
        try await backends.running(session: who.token, sections: [.streams]).config.streams.first { $0.name == name }
    }

    func createStream(_ name: String, _ change: StreamChange, who: SignedIn, context: WebRequestContext) async throws(WebError) -> ConfigdMethod.Applied {
        let commands = try change.commands(for: name, creating: true)
        guard try await configuredStream(name, who: who) == nil else { throw WebError(.conflict, "name: stream \(name) exists (PATCH changes it)") }
        return try await applyChange(commands, who: who, context: context, kind: "web-stream-create", facts: [("stream", name)], what: "create stream \(name)")
    }

    func editStream(_ name: String, _ change: StreamChange, who: SignedIn, context: WebRequestContext) async throws(WebError) -> ConfigdMethod.Applied {
        let commands = try change.commands(for: name, creating: false)
        guard try await configuredStream(name, who: who) != nil else { throw WebError(.notFound, "no stream named \(name)") }
        return try await applyChange(commands, who: who, context: context, kind: "web-stream-change", facts: [("stream", name)], what: "change stream \(name)")
    }

    func deleteStream(_ name: String, who: SignedIn, context: WebRequestContext) async throws(WebError) -> ConfigdMethod.Applied {
        guard try await configuredStream(name, who: who) != nil else { throw WebError(.notFound, "no stream named \(name)") }
        return try await applyChange(["no stream \(StreamChange.configWord(name))"], who: who, context: context,
                                     kind: "web-stream-delete", facts: [("stream", name)], what: "delete stream \(name)")
    }

    func startOrStop(_ action: String, _ name: String, who: SignedIn, context: WebRequestContext) async throws(WebError) -> SessmgrdMethod.Started {
        do throws(WebError) {
            let result = action == "start"
                ? try await backends.start(stream: name, session: who.token)
                : try await backends.stop(stream: name, session: who.token)
            record(who, context, "web-stream-\(action)", [("stream", name), ("state", result.state)], "\(who.account) \(action == "start" ? "started" : "stopped") stream \(name) from \(context.peer)")
            return result
        } catch {
            record(who, context, "web-stream-\(action)-failed", [("stream", name), ("error", error.message)], "\(who.account) could not \(action) stream \(name) from \(context.peer): \(error.message)", severity: .warning)
            throw error
        }
    }

    /// One configd `apply`, audited by webd with the client's address
    /// (configd audits the change itself too). `what` never holds a secret;
    /// the secrets of `commands` (SNMP keys) are redacted from configd's
    /// messages (ConfigRedaction, the rule the CLI's audit uses too).
    func applyChange(_ commands: [String], who: SignedIn, context: WebRequestContext, kind: String, facts: [(name: String, value: String)],
                     what: String) async throws(WebError) -> ConfigdMethod.Applied {
        do throws(WebError) {
            var applied = try await backends.apply(commands, session: who.token, peer: context.peer)
            applied.diff = applied.diff.map { ConfigRedaction.redacted($0, secretsOf: commands) }
            record(who, context, kind, facts + [("revision", String(applied.revision))], "\(who.account) did \(what) from \(context.peer)")
            return applied
        } catch {
            let message = ConfigRedaction.redacted(error.message, secretsOf: commands)
            record(who, context, kind + "-failed", facts + [("error", message)], "\(who.account) could not \(what) from \(context.peer): \(message)", severity: .warning)
            throw WebError(error.status, message)
        }
    }

    // MARK: rendering

    func streamsPage(_ who: SignedIn, message: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        let pages = backends.forPages
        async let frame = frame(who)
        async let streams = Self.outcome { () async throws(WebError) in try await pages.streams(session: who.token) }
        let list: [StreamStatus]?
        let problem: String?
        switch await streams {
        case .success(let result): list = result.streams; problem = nil
        case .failure(let error): list = nil; problem = error.message
        }
        return Self.html(HTMLPage.streams(await frame, streams: list, problem: problem, message: message), status: status)
    }

    func streamPage(_ who: SignedIn, name: String, message: String? = nil, status: HTTPResponse.Status = .ok) async -> Response {
        let pages = backends.forPages
        async let frame = frame(who)
        async let streams = Self.outcome { () async throws(WebError) in try await pages.streams(session: who.token) }
        async let config = Self.outcome { () async throws(WebError) in try await pages.running(session: who.token, sections: [.streams]) }
        var problems: [String] = []
        var stream: StreamStatus?
        switch await streams {
        case .success(let result): stream = result.streams.first { $0.name == name }
        case .failure(let error): problems.append(error.message)
        }
        var configured: StreamConfig?
        switch await config {
        case .success(let snapshot): configured = snapshot.config.streams.first { $0.name == name }
        case .failure(let error): problems.append(error.message)
        }
        let page = HTMLPage.stream(await frame, name: name, status: stream, config: configured,
                                   problem: problems.isEmpty ? nil : problems.joined(separator: "; "), message: message)
        return Self.html(page, status: stream == nil && configured == nil && problems.isEmpty && status == .ok ? .notFound : status)
    }
}
