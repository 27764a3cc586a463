import ApplianceCore
import Foundation
import Glibc
import Testing

/// The outside judges Debian ships, run against the real daemons under
/// procmon: `ssh-audit` against the appliance's sshd and `testssl.sh`
/// against webd's HTTPS port. Each reads the server from the network as an
/// auditor would, with no knowledge of our code.
@Suite(.serialized) struct OutsideJudgesSystemTests {
    static let portBase = 26000

    /// True once something accepts TCP connections on 127.0.0.1:`port`.
    static func listening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// ssh-audit finds no `[fail]` in the appliance's sshd (kex, host key,
    /// ciphers, MACs), only an ed25519 host key is offered, and the server
    /// offers no compression (`none` only).
    @Test func sshAuditFindsNoFailureInTheAppliancesSSHD() throws {
        let harness = try ProcmonHarness(manifest: CLISystemTests.manifest, portBase: Self.portBase,
                                         environment: ["APPLIANCE_ADMIN_PASSWORD": "Judges-Test-Password-9"], auditStandIn: false)
        defer { harness.stop() }
        let port = Self.portBase + 22
        #expect(harness.waitUntil("sshd listening on \(port)", timeout: .seconds(60)) { Self.listening(port) },
                "\(harness.serviceLog("sshd"))")
        // -n: no colours; -p: the port. ssh-audit exits non-zero on warnings too, so its text is judged.
        let audit = try run("/usr/bin/ssh-audit", ["-n", "-p", String(port), "127.0.0.1"])
        #expect(audit.output.contains("(gen) banner: SSH-2.0-OpenSSH"), "ssh-audit did not reach sshd: \(audit.output) \(audit.error)")
        let failures = audit.output.split(separator: "\n").filter { $0.contains("[fail]") }
        #expect(failures.isEmpty, "ssh-audit fails:\n\(failures.joined(separator: "\n"))")
        let hostKeys = audit.output.split(separator: "\n").filter { $0.hasPrefix("(key)") }
        #expect(!hostKeys.isEmpty && hostKeys.allSatisfy { $0.contains("ssh-ed25519") }, "host keys: \(hostKeys)")
        #expect(audit.output.contains("(gen) compression: disabled"), "\(audit.output)")
    }

    /// testssl.sh against webd: protocols, cipher suites, forward secrecy,
    /// server preferences, the known vulnerabilities and the HTTP security
    /// headers. No finding is "NOT ok" except those about the self-signed
    /// certificate's chain of trust (the appliance makes its own certificate
    /// on the first start; an operator installs one from their CA).
    @Test func testsslFindsNothingNotOkInWebdsTLSBesideTheSelfSignedChain() throws {
        let harness = try ProcmonHarness(manifest: WebdSystemTests.manifest(), portBase: Self.portBase,
                                         environment: ["APPLIANCE_ADMIN_PASSWORD": "Judges-Test-Password-9"])
        defer { harness.stop() }
        let port = Self.portBase + 443
        #expect(harness.waitUntil("webd listening on \(port)", timeout: .seconds(60)) { Self.listening(port) },
                "\(harness.serviceLog("webd"))")
        let jsonFile = harness.root + "/testssl.json"
        // -p protocols, -s standard cipher lists, -f forward secrecy, -P server
        // preference, -U vulnerabilities, -h headers, -S certificate; --fast skips
        // the slowest per-cipher loops; the JSON file carries each finding's severity.
        let result = try run("/usr/bin/testssl", ["--quiet", "--color", "0", "--warnings", "off", "--sneaky", "--fast",
                                                  "-p", "-s", "-f", "-P", "-U", "-h", "-S",
                                                  "--jsonfile", jsonFile, "127.0.0.1:\(port)"])
        let data = try Data(contentsOf: URL(fileURLWithPath: jsonFile))
        let findings = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]], "\(result.output) \(result.error)")
        #expect(findings.count > 20, "testssl.sh reported too little to have tested webd: \(result.output)")
        #expect(findings.contains { ($0["id"] as? String) == "TLS1_3" && ($0["finding"] as? String)?.hasPrefix("offered") == true },
                "TLS 1.3 not seen: \(result.output)")
        // What a self-signed certificate cannot have (a chain to a trusted CA,
        // a CRL or OCSP address) and a CAA record (127.0.0.1 has no DNS name)
        // are expected; every other finding must be OK or INFO.
        let expected: Set<String> = ["cert_chain_of_trust", "cert_revocation", "DNS_CAArecord"]
        let bad = findings.filter { finding in
            let severity = finding["severity"] as? String ?? ""
            let id = finding["id"] as? String ?? ""
            return ["LOW", "MEDIUM", "HIGH", "CRITICAL"].contains(severity) && !expected.contains(id)
        }
        let notOK = result.output.split(separator: "\n").filter {
            $0.contains("NOT ok") && !$0.contains("Chain of trust") && !$0.contains("neither CRL nor OCSP URI")
        }
        #expect(notOK.isEmpty, "testssl.sh says NOT ok: \(notOK.joined(separator: "\n"))")
        #expect(bad.isEmpty, "testssl.sh findings: \(bad.map { "\($0["id"] ?? "?") [\($0["severity"] ?? "?")]: \($0["finding"] ?? "")" })")
    }
}
