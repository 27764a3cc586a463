#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON in and out of the API: bodies read up to a limit and decoded into a
/// typed request, answers encoded with sorted keys.
public enum JSONBody {
    /// The largest request body the API and the forms accept.
    public static let maximumRequestBytes = 16 * 1024

    public static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(value)).map(Array.init) ?? Array(#"{"error":"the answer could not be encoded"}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes + [0x0a])))
    }

    /// The body, refused with 413 past `limit` (by Content-Length before
    /// reading, or while reading when it is chunked).
    public static func read(_ request: Request, limit: Int = maximumRequestBytes) async throws(WebError) -> [UInt8] {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw WebError(.contentTooLarge, "the request body is larger than \(limit) bytes")
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw WebError(.contentTooLarge, "the request body is larger than \(limit) bytes")
        }
    }

    /// Decodes a JSON request body; needs `Content-Type: application/json`
    /// (a cross-site HTML form cannot send that type without a CORS
    /// preflight, which webd never answers).
    public static func decode<T: Decodable>(_ type: T.Type, from request: Request, shape: String) async throws(WebError) -> T {
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("application/json") else {
            throw WebError(.unsupportedMediaType, "send the body as application/json: \(shape)")
        }
        let bytes = try await read(request)
        if let strict = T.self as? any PartialBody.Type {
            let unknown = unknownFields(in: bytes, known: strict.fields)
            if !unknown.isEmpty {
                let names = unknown.prefix(8).map { "\"\(String($0.unicodeScalars.prefix(64)))\"" }.joined(separator: ", ")
                throw WebError(.badRequest, "unknown field\(unknown.count == 1 ? "" : "s") \(names); this body takes \(strict.fields.joined(separator: ", "))")
            }
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw WebError(.badRequest, Self.explain(error, shape: shape))
        } catch {
            throw WebError(.badRequest, "the body is not \(shape)")
        }
    }

    /// The top-level keys of a JSON object that are not among `known`,
    /// sorted; none when the body is not an object (the typed
    /// decoding then says what is wrong).
    static func unknownFields(in bytes: [UInt8], known: [String]) -> [String] {
        struct AnyValue: Decodable { init(from decoder: any Decoder) throws {} }
        struct Keys: Decodable {
            var names: [String]
            init(from decoder: any Decoder) throws {
                names = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
            }
        }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        guard let keys = try? JSONDecoder().decode(Keys.self, from: Data(bytes)) else { return [] }
        return keys.names.filter { !known.contains($0) }.sorted()
    }

    /// A decoding error as "FIELD: ..." when it concerns one field.
    static func explain(_ error: DecodingError, shape: String) -> String {
        func field(_ path: [any CodingKey]) -> String? { path.isEmpty ? nil : path.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            if let name = field(context.codingPath) { return "\(name): expected \(Self.typeName(type))" }
        case .keyNotFound(let key, let context):
            return "\(field(context.codingPath + [key]) ?? key.stringValue): required"
        case .dataCorrupted(let context):
            if let name = field(context.codingPath) { return "\(name): not a valid value" }
        @unknown default: break
        }
        return "the body is not \(shape)"
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Bool.Type: "true or false"
        case is Int.Type, is UInt64.Type: "an integer"
        case is String.Type: "a string"
        default: "a value of type \(type)"
        }
    }
}

/// A PATCH body: every field optional, so `init()` makes the empty one, and
/// its fields are its stored properties' names (the JSON keys). A key it does
/// not know is a 400 naming it, not a change silently dropped.
public protocol PartialBody: Decodable {
    init()
}

extension PartialBody {
    /// The JSON keys this body takes.
    public static var fields: [String] { Mirror(reflecting: Self()).children.compactMap(\.label) }
}
