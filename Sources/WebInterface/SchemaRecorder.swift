/// The JSON shape of a `Decodable` type as its own `init(from:)` reads it:
/// each key, its JSON type, and whether it is read with `decodeIfPresent`
/// (optional). The API's request and response types are so the one source
/// of the OpenAPI schemas: a field added to a type is in the document.
public indirect enum RecordedShape: Equatable {
    case string
    case integer(unsigned: Bool)
    case number
    case boolean
    case array(RecordedShape)
    /// `[String: Value]`.
    case dictionary(RecordedShape)
    case object(RecordedObject)
    case enumeration([String])
    /// Read in a way the recorder cannot follow (a nested container).
    case unknown
}

public struct RecordedObject: Equatable {
    public var metatype: any Decodable.Type
    public var fields: [RecordedField]
    public var type: ObjectIdentifier { ObjectIdentifier(metatype) }

    public static func == (a: RecordedObject, b: RecordedObject) -> Bool { a.type == b.type && a.fields == b.fields }
}

public struct RecordedField: Equatable {
    public var key: String
    public var shape: RecordedShape
    public var optional: Bool
}

/// A string enumeration whose cases the schema lists.
public protocol SchemaEnumeration: Decodable {
    static var schemaCases: [String] { get }
    static var schemaPlaceholder: Self { get }
}

extension SchemaEnumeration where Self: CaseIterable & RawRepresentable, RawValue == String {
    public static var schemaCases: [String] { allCases.map(\.rawValue) }
    public static var schemaPlaceholder: Self { allCases.first! }
}

/// What the recorder needs of the generic containers it cannot decode:
/// their element type and an empty value.
protocol SchemaContainer {
    static var schemaElement: any Decodable.Type { get }
    static var schemaEmpty: Self { get }
}

extension Array: SchemaContainer where Element: Decodable {
    static var schemaElement: any Decodable.Type { Element.self }
    static var schemaEmpty: Self { [] }
}

extension Set: SchemaContainer where Element: Decodable {
    static var schemaElement: any Decodable.Type { Element.self }
    static var schemaEmpty: Self { [] }
}

protocol SchemaDictionary {
    static var schemaValue: any Decodable.Type { get }
    static var schemaEmpty: Self { get }
}

extension Dictionary: SchemaDictionary where Key == String, Value: Decodable {
    static var schemaValue: any Decodable.Type { Value.self }
    static var schemaEmpty: Self { [:] }
}

protocol SchemaOptional {
    static var schemaWrapped: any Decodable.Type { get }
    static var schemaNone: Self { get }
}

extension Optional: SchemaOptional where Wrapped: Decodable {
    static var schemaWrapped: any Decodable.Type { Wrapped.self }
    static var schemaNone: Self { nil }
}

/// A `Decoder` that answers every read with a placeholder and notes what
/// was read. Nothing is parsed; a type whose `init(from:)` throws on a
/// placeholder keeps the fields it read before.
final class SchemaRecorder: Decoder {
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    private(set) var fields: [RecordedField] = []
    private(set) var single: RecordedShape?
    /// Keys asked about with `contains`: read only when present, so optional.
    private var asked: Set<String> = []
    let depth: Int

    init(depth: Int) { self.depth = depth }

    struct TooDeep: Error {}

    /// The shape of `type`.
    static func shape(of type: any Decodable.Type, depth: Int = 0) -> RecordedShape {
        if let primitive = primitive(type) { return primitive }
        if let enumeration = type as? any SchemaEnumeration.Type { return .enumeration(enumeration.schemaCases) }
        if let container = type as? any SchemaContainer.Type { return .array(shape(of: container.schemaElement, depth: depth)) }
        if let dictionary = type as? any SchemaDictionary.Type { return .dictionary(shape(of: dictionary.schemaValue, depth: depth)) }
        if let optional = type as? any SchemaOptional.Type { return shape(of: optional.schemaWrapped, depth: depth) }
        guard depth < 16 else { return .unknown }
        let recorder = SchemaRecorder(depth: depth + 1)
        _ = try? type.init(from: recorder)
        if let single = recorder.single { return single }
        return .object(RecordedObject(metatype: type, fields: recorder.fields))
    }

    static func primitive(_ type: Any.Type) -> RecordedShape? {
        switch type {
        case is String.Type: .string
        case is Bool.Type: .boolean
        case is Double.Type, is Float.Type: .number
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type: .integer(unsigned: false)
        case is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type: .integer(unsigned: true)
        default: nil
        }
    }

    /// A value of `type` to hand back to the `init(from:)` being recorded.
    func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
        switch type {
        case is String.Type: return "" as! T
        case is Bool.Type: return false as! T
        case is Double.Type: return 0.0 as! T
        case is Float.Type: return Float(0) as! T
        case is Int.Type: return 0 as! T
        case is Int8.Type: return Int8(0) as! T
        case is Int16.Type: return Int16(0) as! T
        case is Int32.Type: return Int32(0) as! T
        case is Int64.Type: return Int64(0) as! T
        case is UInt.Type: return UInt(0) as! T
        case is UInt8.Type: return UInt8(0) as! T
        case is UInt16.Type: return UInt16(0) as! T
        case is UInt32.Type: return UInt32(0) as! T
        case is UInt64.Type: return UInt64(0) as! T
        default: break
        }
        if let enumeration = type as? any SchemaEnumeration.Type { return enumeration.schemaPlaceholder as! T }
        if let container = type as? any SchemaContainer.Type { return container.schemaEmpty as! T }
        if let dictionary = type as? any SchemaDictionary.Type { return dictionary.schemaEmpty as! T }
        if let optional = type as? any SchemaOptional.Type { return optional.schemaNone as! T }
        guard depth < 16 else { throw TooDeep() }
        return try T(from: SchemaRecorder(depth: depth + 1))
    }

    func record<T: Decodable>(_ key: String, _ type: T.Type, optional: Bool) throws -> T {
        if !fields.contains(where: { $0.key == key }) {
            fields.append(RecordedField(key: key, shape: Self.shape(of: type, depth: depth), optional: optional || asked.contains(key)))
        }
        return try placeholder(type)
    }

    func recordSingle<T: Decodable>(_ type: T.Type) throws -> T {
        if single == nil { single = Self.shape(of: type, depth: depth) }
        return try placeholder(type)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Keyed<Key>(recorder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        if single == nil { single = .array(.unknown) }
        return Unkeyed()
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { Single(recorder: self) }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: SchemaRecorder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }
        func contains(_ key: Key) -> Bool { recorder.asked.insert(key.stringValue); return true }
        func decodeNil(forKey key: Key) throws -> Bool { false }
        func value<T: Decodable>(_ type: T.Type, _ key: Key, optional: Bool) throws -> T {
            try recorder.record(key.stringValue, type, optional: optional)
        }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(type, key, optional: false) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(type, key, optional: false) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(type, key, optional: false) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(type, key, optional: false) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(type, key, optional: false) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(type, key, optional: false) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(type, key, optional: false) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(type, key, optional: false) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(type, key, optional: false) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(type, key, optional: false) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(type, key, optional: false) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(type, key, optional: false) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(type, key, optional: false) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(type, key, optional: false) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(type, key, optional: false) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try value(type, key, optional: true) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try value(type, key, optional: true) }
        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try value(type, key, optional: true) }
        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            recorder.noteUnknown(key.stringValue)
            return KeyedDecodingContainer(Keyed<NestedKey>(recorder: SchemaRecorder(depth: recorder.depth + 1)))
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            recorder.noteUnknown(key.stringValue)
            return Unkeyed()
        }
        func superDecoder() throws -> any Decoder { recorder }
        func superDecoder(forKey key: Key) throws -> any Decoder {
            recorder.noteUnknown(key.stringValue)
            return SchemaRecorder(depth: recorder.depth + 1)
        }
    }

    func noteUnknown(_ key: String) {
        if !fields.contains(where: { $0.key == key }) { fields.append(RecordedField(key: key, shape: .unknown, optional: asked.contains(key))) }
    }

    /// Always empty: an array's element type comes from its Swift type instead.
    struct Unkeyed: UnkeyedDecodingContainer {
        var codingPath: [any CodingKey] { [] }
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }
        func end() -> DecodingError { DecodingError.valueNotFound(Any.self, .init(codingPath: [], debugDescription: "recording")) }
        mutating func decodeNil() throws -> Bool { throw end() }
        mutating func decode(_ type: Bool.Type) throws -> Bool { throw end() }
        mutating func decode(_ type: String.Type) throws -> String { throw end() }
        mutating func decode(_ type: Double.Type) throws -> Double { throw end() }
        mutating func decode(_ type: Float.Type) throws -> Float { throw end() }
        mutating func decode(_ type: Int.Type) throws -> Int { throw end() }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { throw end() }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { throw end() }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { throw end() }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { throw end() }
        mutating func decode(_ type: UInt.Type) throws -> UInt { throw end() }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { throw end() }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { throw end() }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { throw end() }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { throw end() }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { throw end() }
        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> { throw end() }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { throw end() }
        mutating func superDecoder() throws -> any Decoder { throw end() }
    }

    struct Single: SingleValueDecodingContainer {
        let recorder: SchemaRecorder
        var codingPath: [any CodingKey] { [] }
        func decodeNil() -> Bool { false }
        func decode(_ type: Bool.Type) throws -> Bool { try recorder.recordSingle(type) }
        func decode(_ type: String.Type) throws -> String { try recorder.recordSingle(type) }
        func decode(_ type: Double.Type) throws -> Double { try recorder.recordSingle(type) }
        func decode(_ type: Float.Type) throws -> Float { try recorder.recordSingle(type) }
        func decode(_ type: Int.Type) throws -> Int { try recorder.recordSingle(type) }
        func decode(_ type: Int8.Type) throws -> Int8 { try recorder.recordSingle(type) }
        func decode(_ type: Int16.Type) throws -> Int16 { try recorder.recordSingle(type) }
        func decode(_ type: Int32.Type) throws -> Int32 { try recorder.recordSingle(type) }
        func decode(_ type: Int64.Type) throws -> Int64 { try recorder.recordSingle(type) }
        func decode(_ type: UInt.Type) throws -> UInt { try recorder.recordSingle(type) }
        func decode(_ type: UInt8.Type) throws -> UInt8 { try recorder.recordSingle(type) }
        func decode(_ type: UInt16.Type) throws -> UInt16 { try recorder.recordSingle(type) }
        func decode(_ type: UInt32.Type) throws -> UInt32 { try recorder.recordSingle(type) }
        func decode(_ type: UInt64.Type) throws -> UInt64 { try recorder.recordSingle(type) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try recorder.recordSingle(type) }
    }
}
