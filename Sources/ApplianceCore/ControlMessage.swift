#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One request a daemon answers on its control socket, typed at both ends.
///
/// Each daemon's library declares its methods as types conforming to this
/// protocol; the server and the client share them, so a request and its
/// answer are checked by the compiler, not by convention.
public protocol ControlMethod: Sendable {
    associatedtype Parameters: Codable & Sendable
    associatedtype Result: Codable & Sendable
    /// The method's name on the wire, e.g. `processes`.
    static var name: String { get }
}

/// Parameters or result of a method that has none.
public struct NoValue: Codable, Sendable, Equatable {
    public init() {}
}

/// An error answered over a control socket: what went wrong in words a user
/// can act on, and a stable code for programs.
public struct ControlError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Codable, Sendable {
        case malformedRequest = "malformed-request"
        case messageTooLarge = "message-too-large"
        case unknownMethod = "unknown-method"
        case invalidParameters = "invalid-parameters"
        case permissionDenied = "permission-denied"
        case timeout
        case unavailable
        case failed
    }

    public var code: Code
    public var message: String
    /// For a refusal because the daemon is busy (`unavailable`): when to try
    /// again, in seconds (webd's `Retry-After`). Nil otherwise.
    public var retryAfterSeconds: Int?

    public init(_ code: Code, _ message: String, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code.rawValue): \(message)" }
}

/// The wire format of the control sockets: one JSON object per line.
///
///     → {"id":1,"method":"processes","params":{}}
///     ← {"id":1,"result":{...}}            or
///     ← {"id":1,"error":{"code":"permission-denied","message":"..."}}
///
/// Pure: bytes in, values out. Framing is `LineFramer`'s job.
public enum ControlCodec {
    /// The largest message either side accepts, newline excluded.
    public static let maximumMessageSize = 1 << 20

    struct RequestHeader: Decodable {
        var id: UInt64
        var method: String
    }

    struct Request<Parameters: Encodable>: Encodable {
        var id: UInt64
        var method: String
        var params: Parameters
    }

    struct ParametersOnly<Parameters: Decodable>: Decodable {
        var params: Parameters
    }

    struct Response<Result: Codable>: Codable {
        var id: UInt64?
        var result: Result?
        var error: ControlError?
    }

    /// The id and method of a request line, or why it is not one.
    public static func decodeHeader(_ line: some Collection<UInt8>) throws(ControlError) -> (id: UInt64, method: String) {
        do {
            let header = try JSONDecoder().decode(RequestHeader.self, from: Data(line))
            return (header.id, header.method)
        } catch {
            throw ControlError(.malformedRequest, "a request is one JSON object with a numeric \"id\" and a string \"method\"")
        }
    }

    /// The typed parameters of a request line whose header was valid.
    public static func decodeParameters<M: ControlMethod>(
        _ method: M.Type, from line: some Collection<UInt8>
    ) throws(ControlError) -> M.Parameters {
        do {
            return try JSONDecoder().decode(ParametersOnly<M.Parameters>.self, from: Data(line)).params
        } catch {
            throw ControlError(.invalidParameters, "parameters of \(M.name) do not match: \(describe(error, under: "params"))")
        }
    }

    public static func encodeRequest<M: ControlMethod>(
        _ method: M.Type, id: UInt64, parameters: M.Parameters
    ) throws -> [UInt8] {
        try line(Request(id: id, method: M.name, params: parameters))
    }

    public static func encodeResult<R: Codable>(_ result: R, id: UInt64) throws -> [UInt8] {
        try line(Response(id: id, result: result, error: nil))
    }

    public static func encodeError(_ error: ControlError, id: UInt64?) -> [UInt8] {
        // Encoding a String-only struct cannot fail; keep a literal fallback anyway.
        (try? line(Response<NoValue>(id: id, result: nil, error: error)))
            ?? Array(#"{"error":{"code":"failed","message":"unencodable error"}}"#.utf8) + [10]
    }

    /// Decodes an answer line: the result, or the error the server sent.
    public static func decodeResponse<M: ControlMethod>(
        _ method: M.Type, id: UInt64, from line: some Collection<UInt8>
    ) throws(ControlError) -> M.Result {
        let response: Response<M.Result>
        do {
            response = try JSONDecoder().decode(Response<M.Result>.self, from: Data(line))
        } catch {
            throw ControlError(.malformedRequest, "the answer to \(M.name) is not valid: \(describe(error))")
        }
        if let error = response.error { throw error }
        guard response.id == id, let result = response.result else {
            throw ControlError(.malformedRequest, "the answer to \(M.name) carries no result for request \(id)")
        }
        return result
    }

    static func line(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Array(try encoder.encode(value))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// What is wrong, with the field path relative to `under` (the envelope key).
    static func describe(_ error: any Error, under envelope: String? = nil) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            var keys = keys
            if let envelope, keys.first?.stringValue == envelope { keys.removeFirst() }
            return ControlCodec.path(keys)
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "missing \(path(context.codingPath + [key]))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at \(path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "invalid value at \(path(context.codingPath))"
        default:
            return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "top level" : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
