import Testing
@testable import ApplianceCore

enum Echo: ControlMethod {
    struct Parameters: Codable, Sendable, Equatable { var text: String; var count: Int }
    typealias Result = [String]
    static let name = "echo"
}

@Suite struct ControlCodecTests {
    @Test func requestEncodesAsOneSortedJSONLine() throws {
        let line = try ControlCodec.encodeRequest(Echo.self, id: 7, parameters: .init(text: "a/b", count: 2))
        #expect(String(decoding: line, as: UTF8.self) == #"{"id":7,"method":"echo","params":{"count":2,"text":"a/b"}}"# + "\n")
    }

    @Test func headerAndTypedParametersDecode() throws {
        let line = Array(#"{"id":3,"method":"echo","params":{"text":"hi","count":1}}"#.utf8)
        #expect(try ControlCodec.decodeHeader(line) == (3, "echo"))
        #expect(try ControlCodec.decodeParameters(Echo.self, from: line) == .init(text: "hi", count: 1))
    }

    @Test(arguments: ["", "not json", "[1,2]", #"{"method":"echo"}"#, #"{"id":"1","method":"echo"}"#, #"{"id":-1,"method":"echo"}"#, #"{"id":1}"#])
    func malformedRequestsAreRefusedWithAMessage(text: String) {
        #expect(throws: ControlError(.malformedRequest, "a request is one JSON object with a numeric \"id\" and a string \"method\"")) {
            _ = try ControlCodec.decodeHeader(Array(text.utf8))
        }
    }

    @Test func wrongParameterTypesNameTheField() {
        let line = Array(#"{"id":3,"method":"echo","params":{"text":"hi","count":"many"}}"#.utf8)
        #expect(throws: ControlError(.invalidParameters, "parameters of echo do not match: wrong type at count")) {
            _ = try ControlCodec.decodeParameters(Echo.self, from: line)
        }
        let missing = Array(#"{"id":3,"method":"echo","params":{"text":"hi"}}"#.utf8)
        #expect(throws: ControlError(.invalidParameters, "parameters of echo do not match: missing count")) {
            _ = try ControlCodec.decodeParameters(Echo.self, from: missing)
        }
    }

    @Test func responsesRoundTripResultsAndErrors() throws {
        let result = try ControlCodec.encodeResult(["x", "y"], id: 9)
        #expect(try ControlCodec.decodeResponse(Echo.self, id: 9, from: result.dropLast()) == ["x", "y"])
        let error = ControlCodec.encodeError(ControlError(.permissionDenied, "no"), id: 9)
        #expect(throws: ControlError(.permissionDenied, "no")) {
            _ = try ControlCodec.decodeResponse(Echo.self, id: 9, from: error.dropLast())
        }
        #expect(throws: ControlError.self) {
            _ = try ControlCodec.decodeResponse(Echo.self, id: 10, from: result.dropLast())
        }
    }
}
