import ApplianceProtocol
import ApplianceCore
import Configuration
import Testing
@testable import CLIShell

/// The pasted form of `certificate install`: a PEM chain, then the key; the
/// input ends at the key's END line.
@Suite struct PastedPEMTests {
    static let certificateBody = ["MIIBszCCAVmgAwIBAgIUQk1hZ2ljQ2VydGlmaWNhdGVBQkNERUZHMAoGCCqGSM49", "BAMCMBkxFzAVBgNVBAMMDmNhbWVyYS1lbmNvZGVyMB4XDTI2MTIwMzE0MDAwMFo="]
    static let keyBody = ["MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgU2VjcmV0S2V5TWF0", "ZXJpYWxOZXZlckxvZ2dlZA=="]
    static let certificate = ["-----BEGIN CERTIFICATE-----"] + certificateBody + ["-----END CERTIFICATE-----"]
    static let key = ["-----BEGIN PRIVATE KEY-----"] + keyBody + ["-----END PRIVATE KEY-----"]

    /// Feeds lines until the pair is whole; returns how many were taken.
    func feed(_ pasted: inout PastedPEM, _ lines: [String]) throws(CommandError) -> Int {
        for (index, line) in lines.enumerated() where try pasted.feed(line) { return index + 1 }
        return lines.count
    }

    @Test func aChainThenAKeyEndsAtTheKeysEndLineAndSkipsTextAround() throws {
        var pasted = PastedPEM()
        let lines = ["subject=CN = camera-encoder", "issuer=CN = camera-encoder", ""] + Self.certificate + ["", "Bag Attributes"] + Self.key + ["show processes"]
        let taken = try feed(&pasted, lines)
        #expect(taken == lines.count - 1, "the line after the key's END is not read")
        #expect(pasted.complete && pasted.certificates == 1)
        let pair = try pasted.pair()
        #expect(pair.certificate == Self.certificate.joined(separator: "\n") + "\n")
        #expect(pair.key == Self.key.joined(separator: "\n") + "\n")
    }

    /// A chain of two, pasted with CR LF line ends and indented, as a
    /// terminal or a Windows editor may give it.
    @Test func crlfAndIndentationAreTrimmedAndEveryCertificateOfTheChainKept() throws {
        var pasted = PastedPEM()
        let lines = (Self.certificate + Self.certificate + Self.key).map { "  " + $0 + "\r" }
        _ = try feed(&pasted, lines)
        #expect(pasted.certificates == 2)
        #expect(try pasted.pair().certificate == (Self.certificate + Self.certificate).joined(separator: "\n") + "\n")
    }

    /// `openssl ecparam -genkey` writes EC PARAMETERS before the EC key.
    @Test func anECParametersBlockIsSkippedAndAnECKeyAccepted() throws {
        var pasted = PastedPEM()
        let ecKey = ["-----BEGIN EC PARAMETERS-----", "BggqhkjOPQMBBw==", "-----END EC PARAMETERS-----",
                     "-----BEGIN EC PRIVATE KEY-----"] + Self.keyBody + ["-----END EC PRIVATE KEY-----"]
        _ = try feed(&pasted, Self.certificate + ecKey)
        let pair = try pasted.pair()
        #expect(pair.key.hasPrefix("-----BEGIN EC PRIVATE KEY-----") && !pair.key.contains("PARAMETERS") && !pair.certificate.contains("PARAMETERS"))
    }

    /// The key's lines are flagged while they come (not echoed); the BEGIN
    /// line itself says nothing secret.
    @Test func readingKeyIsSetFromTheKeysBeginLineToItsEnd() throws {
        var pasted = PastedPEM()
        var flags: [Bool] = []
        for line in Self.certificate + Self.key {
            flags.append(pasted.readingKey)
            _ = try pasted.feed(line)
        }
        let c = Self.certificate.count
        #expect(flags == Array(repeating: false, count: c + 1) + Array(repeating: true, count: Self.key.count - 1))
        #expect(!pasted.readingKey)
    }

    @Test func refusalsSayWhatIsWrongAndNeverQuoteTheKey() throws {
        func refusal(_ lines: [String]) -> String {
            var pasted = PastedPEM()
            do {
                _ = try feed(&pasted, lines)
                _ = try pasted.pair()
                return ""
            } catch {
                return error.message
            }
        }
        #expect(refusal(Self.key + Self.certificate).contains("the key came first"))
        #expect(refusal(Self.certificate + ["-----BEGIN ENCRYPTED PRIVATE KEY-----"]).contains("encrypted"))
        #expect(refusal(Self.certificate + Array(Self.key.dropLast())).contains("ended before the private key's END line"))
        #expect(refusal([]).contains("no certificate"))
        #expect(refusal(["-----BEGIN CERTIFICATE-----", "-----BEGIN PRIVATE KEY-----"]).contains("without its -----END CERTIFICATE----- line"))
        #expect(refusal(["-----BEGIN PUBLIC KEY-----"]).contains("PUBLIC KEY block"))
        let badKeyLine = "S3VwZXJTZWNyZXQ*notbase64"
        let keyRefusal = refusal(Self.certificate + ["-----BEGIN PRIVATE KEY-----", badKeyLine])
        #expect(keyRefusal.contains("not base64 inside the PRIVATE KEY block") && !keyRefusal.contains("S3VwZXJTZWNyZXQ"), "\(keyRefusal)")
        let flood = refusal(Self.certificate + ["-----BEGIN CERTIFICATE-----"] + Array(repeating: String(repeating: "A", count: 64), count: 1100))
        #expect(flood.contains("over 65536 bytes"))
    }

    /// The runner asks for each line with the secret flag of where the paste
    /// is, stops at the key's END line and hands the source back its terminal.
    @Test func theRunnerReadsAPasteUpToTheKeysEndLineWithTheKeyHidden() throws {
        final class Script: PasteSource {
            var lines: [String]
            var asked: [(String, Bool)] = []
            var began = false, ended = false
            init(_ lines: [String]) { self.lines = lines }
            func begin(_ instructions: String) { began = true }
            func line(secret: Bool) -> String? {
                guard !lines.isEmpty else { return nil }
                asked.append((lines[0], secret))
                return lines.removeFirst()
            }
            func end() { ended = true }
        }
        let runner = CommandRunner(paths: AppliancePaths(root: "/nonexistent"),
                                   identity: CLIIdentity(account: "console:root", role: .admin, session: nil, origin: RequestOrigin(channel: "cli", peer: "local")),
                                   write: { _ in }, readSecret: { _ in nil })
        let script = Script(Self.certificate + Self.key + ["exit"])
        runner.paste = script
        let pair = try runner.readPastedPair()
        #expect(pair.key == Self.key.joined(separator: "\n") + "\n")
        #expect(script.lines == ["exit"], "nothing after the key's END line is read")
        #expect(script.began && script.ended)
        #expect(script.asked.filter(\.1).map(\.0) == Array(Self.key.dropFirst()), "only the key's lines after its BEGIN are read hidden")

        let short = Script(Self.certificate)
        runner.paste = short
        #expect(throws: CommandError.self) { _ = try runner.readPastedPair() }
        #expect(short.ended, "the terminal is restored after a refusal too")
    }
}
