import ApplianceCore
import Configuration
import Foundation
import Glibc
import Testing

/// Sign-ins under load (issue 13 #5): a burst of sign-ins from one address
/// is answered 429 with Retry-After before configd hashes anything, while a
/// client at another address still signs in at once.
@Suite(.serialized) struct WebdSignInLoadSystemTests {
    @Test func aBurstFromOneAddressGets429sWhileAnotherClientSignsIn() throws {
        let harness = try WebdSystemTests.start()
        defer { harness.stop() }
        let burst = 40
        let output = harness.root + "/burst.txt"
        // Wrong sign-ins for a name that does not exist (no account is
        // throttled or locked by them), all at once, from 127.0.0.1.
        let flood = try ChildProcess("/usr/bin/curl", ["-sS", "-k", "--max-time", "30", "-Z", "--parallel-max", String(burst),
                                                       "-o", "/dev/null", "-w", "%{http_code}\n", "-H", "Content-Type: application/json",
                                                       "--data", #"{"account":"nobody-here","password":"Wrong-Guess-123"}"#]
                                                      + Array(repeating: WebdSystemTests.url("/api/v1/session"), count: burst),
                                     standardOutput: .file(output))
        // Meanwhile another client (source address 127.0.0.2) signs in.
        let began = ContinuousClock.now
        let other = try WebdSystemTests.curl(["-k", "--interface", "127.0.0.2", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json",
                                              "--data", #"{"account":"admin","password":"\#(WebdSystemTests.password)"}"#, WebdSystemTests.url("/api/v1/session")])
        let otherTook = ContinuousClock.now - began
        #expect(other.output == "200", "the other client's sign-in: \(other.output) \(other.error)")
        #expect(flood.waitUntilExit() == 0)
        // curl's -o names the first URL's output only: the other bodies are in the file too.
        let codes = (try String(contentsOfFile: output, encoding: .utf8)).split(separator: "\n").map(String.init)
            .filter { $0.count == 3 && $0.allSatisfy(\.isNumber) }
        #expect(codes.count == burst, "\(codes)")
        let limited = codes.filter { $0 == "429" }.count
        let refused = codes.filter { $0 == "401" }.count
        #expect(limited >= burst - 15, "429s: \(limited) of \(burst): \(codes)")
        #expect(refused >= 1 && refused <= 15, "the first few reach configd and are refused as wrong: \(codes)")
        #expect(otherTook < .seconds(10), "the other client waited \(otherTook)")
        // A limited answer says when to come back (a token or two may have
        // come back meanwhile: ask until the limit answers).
        var head = ""
        for _ in 0..<5 {
            head = try WebdSystemTests.curl(["-k", "-D", "-", "-o", "/dev/null", "-H", "Content-Type: application/json",
                                             "--data", #"{"account":"nobody-here","password":"Wrong-Guess-123"}"#, WebdSystemTests.url("/api/v1/session")]).output.lowercased()
            if head.hasPrefix("http/1.1 429") { break }
        }
        #expect(head.hasPrefix("http/1.1 429") && head.contains("retry-after: "), "\(head)")
    }
}
