/// What a type's fields cannot say by their Swift types: limits, patterns,
/// formats, allowed values and descriptions, as JSON Schema keywords per
/// field (merged over the recorded `type`).
public protocol OpenAPIFields {
    static var openAPIFields: JSONValue { get }
}

/// One schema of the document's `components`: a type and how it is used
/// (a PATCH body reads every field optionally; a view always writes them).
public struct APISchema {
    public var name: String
    public let type: any Decodable.Type
    /// Overrides the recorded required keys (nil: the non-optional fields).
    public var required: [String]?
    /// Further keywords of the object (`minProperties`, `oneOf`, a description).
    public var extra: JSONValue

    public init(_ name: String, _ type: any Decodable.Type, required: [String]? = nil, extra: JSONValue = [:]) {
        self.name = name
        self.type = type
        self.required = required
        self.extra = extra
    }
}

/// A parameter of an operation (path or query).
public struct APIParameter: Sendable {
    public var name: String
    public var location: String
    public var required: Bool
    public var schema: JSONValue

    public static func path(_ name: String, _ schema: JSONValue = ["type": "string"]) -> APIParameter {
        APIParameter(name: name, location: "path", required: true, schema: schema)
    }
    public static func query(_ name: String, _ schema: JSONValue) -> APIParameter {
        APIParameter(name: name, location: "query", required: false, schema: schema)
    }
}

/// A body: a component schema by name, a type written inline, or a schema as is.
public enum APIBody {
    case component(String)
    case inline(any Decodable.Type)
    case schema(JSONValue, contentType: String = "application/json")
}

/// Who may call an operation: anyone, a session (cookie or bearer), or a
/// session with the CSRF header for a change (cookie) or a bearer token.
public enum APISecurity: Sendable {
    case none, session, changing

    var requirements: JSONValue {
        switch self {
        case .none: []
        case .session: [["session": []], ["bearer": []]]
        case .changing: [["session": [], "csrf": []], ["bearer": []]]
        }
    }
}

/// One operation of the API: what the router serves at `method path`.
public struct APIOperation {
    public var method: String
    /// With `{parameter}` segments, as the document writes them.
    public var path: String
    public var summary: String
    public var security: APISecurity
    public var parameters: [APIParameter]
    public var request: APIBody?
    /// The success status, its description and body.
    public var success: (status: Int, description: String, body: APIBody)
    /// The statuses it may answer with `{"error": "..."}`.
    public var errors: [Int]

    public init(_ method: String, _ path: String, _ summary: String, security: APISecurity = .session, parameters: [APIParameter] = [],
                request: APIBody? = nil, success: (status: Int, description: String, body: APIBody), errors: [Int]) {
        self.method = method
        self.path = path
        self.summary = summary
        self.security = security
        self.parameters = parameters
        self.request = request
        self.success = success
        self.errors = errors
    }

    public static func ok(_ body: APIBody) -> (status: Int, description: String, body: APIBody) { (200, "OK", body) }
    public static func created(_ body: APIBody) -> (status: Int, description: String, body: APIBody) { (201, "Created", body) }
}

/// Turns recorded shapes, the components and the operations into the
/// OpenAPI 3.0 document.
public struct OpenAPIBuilder {
    public let components: [APISchema]
    private let named: [ObjectIdentifier: String]

    public init(components: [APISchema]) {
        self.components = components
        var named: [ObjectIdentifier: String] = [:]
        // The first component of a type is the one others refer to.
        for component in components where named[ObjectIdentifier(component.type)] == nil {
            named[ObjectIdentifier(component.type)] = component.name
        }
        self.named = named
    }

    public static func reference(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/" + name)] }

    /// A component's schema: its type's own, written out (never a
    /// reference to itself), with the component's overrides.
    public func schema(of component: APISchema) -> JSONValue {
        guard case .object(let object) = SchemaRecorder.shape(of: component.type) else { return schema(SchemaRecorder.shape(of: component.type)) }
        var result = objectSchema(object, type: component.type, required: component.required)
        for member in extraMembers(component.extra) { result[member.key] = member.value }
        return result
    }

    /// The schema of an inline type: components it contains are references.
    public func schema(of type: any Decodable.Type) -> JSONValue {
        guard case .object(let object) = SchemaRecorder.shape(of: type) else { return schema(SchemaRecorder.shape(of: type)) }
        return objectSchema(object, type: type, required: nil)
    }

    func schema(_ shape: RecordedShape) -> JSONValue {
        switch shape {
        case .string: ["type": "string"]
        case .integer(let unsigned): unsigned ? ["type": "integer", "minimum": 0] : ["type": "integer"]
        case .number: ["type": "number"]
        case .boolean: ["type": "boolean"]
        case .array(let element): ["type": "array", "items": schema(element)]
        case .dictionary(let value): ["type": "object", "additionalProperties": schema(value)]
        case .enumeration(let cases): ["type": "string", "enum": .array(cases.map(JSONValue.string))]
        case .unknown: [:]
        case .object(let object):
            if let name = named[object.type] { Self.reference(name) } else { objectSchema(object, type: nil, required: nil) }
        }
    }

    func objectSchema(_ object: RecordedObject, type: (any Decodable.Type)?, required: [String]?) -> JSONValue {
        let fields = (type ?? object.metatype) as? any OpenAPIFields.Type
        let extra = fields?.openAPIFields ?? [:]
        var properties: [JSONValue.Member] = []
        for field in object.fields {
            var property = schema(field.shape)
            if let keywords = extra[field.key] { property = property.merging(keywords) }
            properties.append(JSONValue.Member(key: field.key, value: property))
        }
        var result: JSONValue = ["type": "object"]
        let requiredKeys = required ?? object.fields.filter { !$0.optional }.map(\.key)
        if !requiredKeys.isEmpty { result["required"] = .array(requiredKeys.map(JSONValue.string)) }
        result["properties"] = .object(properties)
        return result
    }

    func extraMembers(_ value: JSONValue) -> [JSONValue.Member] {
        if case .object(let members) = value { members } else { [] }
    }

    func body(_ body: APIBody) -> (contentType: String, schema: JSONValue) {
        switch body {
        case .component(let name): ("application/json", Self.reference(name))
        case .inline(let type): ("application/json", schema(of: type))
        case .schema(let schema, let contentType): (contentType, schema)
        }
    }

    /// The whole document: `info`, the security schemes, the components
    /// and every operation grouped by path in the order given.
    public func document(info: JSONValue, securitySchemes: JSONValue, operations: [APIOperation]) -> JSONValue {
        var schemas: [JSONValue.Member] = []
        for component in components { schemas.append(JSONValue.Member(key: component.name, value: schema(of: component))) }
        var paths: JSONValue = [:]
        for operation in operations {
            var entry: JSONValue = ["summary": .string(operation.summary)]
            if operation.security != .session { entry["security"] = operation.security.requirements }
            if !operation.parameters.isEmpty {
                entry["parameters"] = .array(operation.parameters.map {
                    ["name": .string($0.name), "in": .string($0.location), "required": .bool($0.required), "schema": $0.schema]
                })
            }
            if let request = operation.request {
                let (type, schema) = body(request)
                entry["requestBody"] = ["required": true, "content": [type: ["schema": schema]]]
            }
            let (type, schema) = body(operation.success.body)
            var responses: JSONValue = [String(operation.success.status): ["description": .string(operation.success.description), "content": [type: ["schema": schema]]]]
            for status in operation.errors { responses[String(status)] = ["$ref": "#/components/responses/Error"] }
            entry["responses"] = responses
            var item = paths[operation.path] ?? [:]
            item[operation.method] = entry
            paths[operation.path] = item
        }
        return [
            "openapi": "3.0.3",
            "info": info,
            "servers": [["url": "/"]],
            "security": APISecurity.session.requirements,
            "components": [
                "securitySchemes": securitySchemes,
                "responses": ["Error": ["description": "An error", "content": ["application/json": ["schema": Self.reference("Error")]]]],
                "schemas": .object(schemas),
            ],
            "paths": paths,
        ]
    }
}
