#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A daemon's permission table: every method it answers, who may call it,
/// and the handler. Anything not in the table is refused.
public struct ControlRoutes: Sendable {
    typealias Answer = @Sendable (_ id: UInt64, _ line: [UInt8], _ caller: PeerCredentials) async -> [UInt8]

    struct Route: Sendable {
        var permission: ControlPermission
        /// Overrides the server's call timeout (a long poll needs more).
        var timeout: Duration?
        var answer: Answer
    }

    private(set) var routes: [String: Route] = [:]

    public init() {}

    /// Adds `method` to the table; `handler` runs only for callers `permission` allows.
    public mutating func register<M: ControlMethod>(
        _ method: M.Type,
        permission: ControlPermission,
        timeout: Duration? = nil,
        _ handler: @escaping @Sendable (M.Parameters, PeerCredentials) async throws -> M.Result
    ) {
        precondition(routes[M.name] == nil, "control method \(M.name) registered twice")
        routes[M.name] = Route(permission: permission, timeout: timeout) { id, line, caller in
            do {
                let parameters = try ControlCodec.decodeParameters(M.self, from: line)
                let result = try await handler(parameters, caller)
                return try ControlCodec.encodeResult(result, id: id)
            } catch let error as ControlError {
                return ControlCodec.encodeError(error, id: id)
            } catch {
                return ControlCodec.encodeError(ControlError(.failed, "\(error)"), id: id)
            }
        }
    }

    /// The names of the methods in the table, sorted.
    public var methodNames: [String] { routes.keys.sorted() }
}
