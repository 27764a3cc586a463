import Configuration
import Testing
@testable import WebInterface

/// The schema recorder, the ordered JSON writer and the document builder
/// that make the OpenAPI document from the API's own types.
@Suite struct SchemaRecorderTests {
    struct Inner: Codable { var label: String }
    struct Sample: Codable {
        var name: String
        var count: Int?
        var total: UInt64
        var ratio: Double
        var on: Bool
        var role: Role
        var tags: [String]
        var inners: [Inner]?
        var extra: [String: Int]
    }

    /// Reads `first`, then refuses the placeholder, as a validating type would.
    struct Validating: Decodable {
        enum Keys: String, CodingKey { case first, second }
        struct Refused: Error {}
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            _ = try container.decode(String.self, forKey: .first)
            if container.contains(.second) { _ = try container.decode(Int.self, forKey: .second) }
            throw Refused()
        }
    }

    static func fields(_ type: any Decodable.Type) throws -> [RecordedField] {
        guard case .object(let object) = SchemaRecorder.shape(of: type) else { throw SchemaError() }
        return object.fields
    }
    struct SchemaError: Error {}

    @Test func aSynthesizedDecoderGivesEveryKeyItsJSONTypeAndWhetherItIsOptional() throws {
        let fields = try Self.fields(Sample.self)
        #expect(fields.map(\.key) == ["name", "count", "total", "ratio", "on", "role", "tags", "inners", "extra"])
        #expect(fields.filter(\.optional).map(\.key) == ["count", "inners"])
        let shapes = Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.shape) })
        #expect(shapes["name"] == .string)
        #expect(shapes["count"] == .integer(unsigned: false))
        #expect(shapes["total"] == .integer(unsigned: true))
        #expect(shapes["ratio"] == .number)
        #expect(shapes["on"] == .boolean)
        #expect(shapes["role"] == .enumeration(["admin", "operator", "viewer"]))
        #expect(shapes["tags"] == .array(.string))
        #expect(shapes["extra"] == .dictionary(.integer(unsigned: false)))
        guard case .array(.object(let inner))? = shapes["inners"] else { Issue.record("inners: \(String(describing: shapes["inners"]))"); return }
        #expect(inner.type == ObjectIdentifier(Inner.self) && inner.fields == [RecordedField(key: "label", shape: .string, optional: false)])
    }

    @Test func aTypeThatRefusesThePlaceholdersKeepsTheKeysItReadAndOneAskedForWithContainsIsOptional() throws {
        #expect(try Self.fields(Validating.self) == [RecordedField(key: "first", shape: .string, optional: false),
                                                      RecordedField(key: "second", shape: .integer(unsigned: false), optional: true)])
    }

    @Test func jsonIsWrittenInKeyOrderIndentedWithEveryNonASCIICharacterEscaped() {
        let value: JSONValue = ["b": 1, "a": ["x", true, .null], "empty": [:], "none": [], "text": "q\"\\\n§é"]
        #expect(value.rendered() == """
        {
          "b": 1,
          "a": [
            "x",
            true,
            null
          ],
          "empty": {},
          "none": [],
          "text": "q\\"\\\\\\n\\u00a7\\u00e9"
        }
        """)
    }

    @Test func settingAMemberReplacesItInPlaceAndMergingAddsTheRest() {
        var value: JSONValue = ["type": "integer", "minimum": 0]
        value["minimum"] = 1
        #expect(value.merging(["maximum": 9, "type": "number"]) == ["type": "number", "minimum": 1, "maximum": 9])
    }

    @Test func aComponentInsideAnotherIsAReferenceAndFieldKeywordsMergeOverTheRecordedType() {
        struct Outer: Decodable { var inner: Inner; var port: Int? }
        struct Limited: Decodable, OpenAPIFields {
            var port: Int
            static var openAPIFields: JSONValue { ["port": ["minimum": 1, "maximum": 65535]] }
        }
        let builder = OpenAPIBuilder(components: [APISchema("Inner", Inner.self), APISchema("Outer", Outer.self)])
        #expect(builder.schema(of: builder.components[1]) == [
            "type": "object", "required": ["inner"],
            "properties": ["inner": ["$ref": "#/components/schemas/Inner"], "port": ["type": "integer"]],
        ])
        #expect(builder.schema(of: APISchema("Limited", Limited.self, required: [], extra: ["minProperties": 1])) == [
            "type": "object", "properties": ["port": ["type": "integer", "minimum": 1, "maximum": 65535]], "minProperties": 1,
        ])
    }
}
