import Foundation
import Testing
@testable import WebInterface

/// PATCH bodies name every field they take; any other key is refused.
@Suite struct PartialBodyTests {
    static func schemaProperties(_ name: String) throws -> Set<String> {
        let components = try #require(try OpenAPITests.document()["components"] as? [String: Any])
        let schema = try #require((components["schemas"] as? [String: Any])?[name] as? [String: Any], "no schema \(name)")
        return Set(try #require(schema["properties"] as? [String: Any]).keys)
    }

    @Test func eachPatchBodyTakesExactlyTheFieldsItsOpenAPISchemaDescribes() throws {
        #expect(Set(PolicyView.fields) == (try Self.schemaProperties("PolicyPatch")))
        #expect(Set(SystemChange.fields) == (try Self.schemaProperties("SystemPatch")))
        #expect(Set(StreamChange.fields) == (try Self.schemaProperties("StreamPatch")))
    }

    @Test func unknownKeysAreNamedSortedAndKnownOnesPass() {
        let known = SystemChange.fields
        #expect(JSONBody.unknownFields(in: Array(#"{"hostname":"a","hostnmae":"b","x":{"y":1}}"#.utf8), known: known) == ["hostnmae", "x"])
        #expect(JSONBody.unknownFields(in: Array(#"{"hostname":"a","banner":""}"#.utf8), known: known).isEmpty)
        // Not an object: nothing to name here; the typed decoding reports it.
        #expect(JSONBody.unknownFields(in: Array("[1,2]".utf8), known: known).isEmpty)
        #expect(JSONBody.unknownFields(in: Array("{".utf8), known: known).isEmpty)
    }
}
