import TestSupport
import Testing
@testable import ApplianceCore

/// Bounded randomised input (fixed seed, 20,000 cases) to the control-socket
/// framing and codec: never a trap, always a line, an oversized report or a
/// typed error; valid requests mutated stay answerable.
@Suite struct ControlCodecRandomTests {
    @Test func randomAndMutatedRequestsNeverTrapTheCodec() throws {
        var random = SeededGenerator(seed: 0xC0DEC)
        let valid = Array(try ControlCodec.encodeRequest(Echo.self, id: 1, parameters: .init(text: "hi \"there\" \u{e9}", count: 3)))
        let alphabet = Array(#"{}[]":,\0123456789abcdeftrunlsidmethodparams -eE+.\u"#.utf8) + [0, 0xff, 0xc3, 10]
        var answered = 0
        for _ in 0..<20_000 {
            var bytes = valid
            switch Int.random(in: 0..<3, using: &random) {
            case 0:
                bytes = (0..<Int.random(in: 0..<200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1:
                bytes = (0..<Int.random(in: 0..<120, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
            default:
                for _ in 0..<Int.random(in: 1...6, using: &random) {
                    let at = Int.random(in: 0..<bytes.count, using: &random)
                    bytes[at] = alphabet.randomElement(using: &random)!
                }
            }
            var framer = LineFramer(maximumLength: 256)
            for frame in framer.append(bytes + [10]) {
                guard case .line(let line) = frame else { continue }
                do {
                    let header = try ControlCodec.decodeHeader(line)
                    _ = try? ControlCodec.decodeParameters(Echo.self, from: line)
                    _ = header
                    answered += 1
                } catch {
                    #expect(error.code == .malformedRequest)
                }
                _ = try? ControlCodec.decodeResponse(Echo.self, id: 1, from: line)
            }
        }
        #expect(answered > 100, "mutations should often keep a valid header")
    }
}
