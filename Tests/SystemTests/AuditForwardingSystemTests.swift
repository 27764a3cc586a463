import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Audit
import Configuration
import Foundation
import Glibc
import Testing

/// auditd forwarding to a real collector (rsyslogd with GnuTLS, RFC 5425)
/// configured through configd, under procmon: delivery with the right
/// structured data, certificate checks, collector outages, auditd crashes.
@Suite(.serialized) struct AuditForwardingSystemTests {
    /// A running appliance (auditd + configd), test certificates and a collector.
    final class Setup: @unchecked Sendable {
        let harness: ProcmonHarness
        let certificates: TestCertificates
        let collector: SyslogCollector

        init(collectorCertificate: KeyPath<TestCertificates, String> = \.server, collectorKey: KeyPath<TestCertificates, String> = \.serverKey,
             requireClientCertificate: Bool = true) throws {
            harness = try AuditdSystemTests.start()
            certificates = try TestCertificates(folder: harness.root + "/etc/appliance/tls")
            certificates.giveClientKey(to: getuid() == 0 ? "appliance-audit" : String(cString: getpwuid(getuid()).pointee.pw_name))
            collector = try SyslogCollector(folder: harness.root + "/collector", port: SyslogCollector.freePort(), ca: certificates.ca,
                                            certificate: certificates[keyPath: collectorCertificate], key: certificates[keyPath: collectorKey],
                                            requireClientCertificate: requireClientCertificate)
        }

        func stop() {
            collector.stop()
            harness.stop()
        }

        var configd: ControlClient { ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(10)) }
        var auditd: ControlClient { ControlClient(paths: harness.paths, daemon: "auditd", timeout: .seconds(10)) }

        /// `logging remote` for this collector with mutual TLS and `trust`.
        func destination(trust: String) -> String {
            "logging remote 127.0.0.1 port \(collector.port) trust \(trust) client-certificate \(certificates.client) client-key \(certificates.clientKey)"
        }

        /// Applies through configd and waits until auditd runs that revision.
        func apply(_ commands: [String]) throws {
            let applied = try configd.callBlocking(ConfigdMethod.Apply.self, .init(commands: commands))
            harness.waitUntil("auditd follows revision \(applied.revision)") {
                (try auditd.callBlocking(AuditdMethod.Status.self, NoValue()).configurationRevision ?? 0) >= applied.revision
            }
        }

        func status() throws -> DestinationStatus? {
            try auditd.callBlocking(AuditdMethod.Status.self, NoValue()).destinations.first
        }

        /// Waits until every number in `numbers` arrived with `marker`.
        @discardableResult
        func waitForAll(_ marker: String, _ numbers: Range<Int>, timeout: Duration = .seconds(90)) -> [Int: Int] {
            var counts: [Int: Int] = [:]
            harness.waitUntil("\(numbers.count) \(marker) events at the collector", timeout: timeout) {
                counts = collector.markerCounts(prefix: "] \(marker)-")
                return numbers.allSatisfy { counts[$0] != nil }
            }
            return counts
        }
    }

    /// Events sent through the intake reach a collector configured through
    /// configd (CA-signed trust, permitted peer name, client certificate), as
    /// RFC 5424 with the configured hostname and the kernel-verified origin.
    @Test func eventsReachTheCollectorAsRFC5424WithTheirOrigin() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try setup.apply(["hostname encoder-07", setup.destination(trust: "ca-signed ca-bundle \(setup.certificates.ca) permitted-peer localhost")])
        let sender = try EventSender(socket: setup.harness.paths.auditSocket, marker: "delivery", count: 500)
        sender.wait()
        let counts = setup.waitForAll("delivery", 0..<500)
        #expect((0..<500).allSatisfy { counts[$0] != nil }, "every event arrived")
        let lines = setup.collector.received().filter { $0.contains("] delivery-") }
        let parsed = try lines.map { try RFC5424Parser.parse(Array($0.utf8)) }
        let first = try #require(parsed.first { $0.message == "delivery-0 end" })
        #expect(first.hostname == "encoder-07")
        #expect(first.appName == "loadgen")
        #expect(first.messageID == "test-event")
        #expect(first.parameter("n", in: "test@32473") == "0")
        #expect(first.parameter("pid", in: "origin@32473") == String(sender.process.processIdentifier))
        #expect(first.parameter("uid", in: "origin@32473") == String(getuid()))
        #expect(first.processID == String(sender.process.processIdentifier), "PROCID is the kernel-verified pid")
        var status: DestinationStatus?
        setup.harness.waitUntil("backlog confirmed") {
            status = try setup.status()
            return status?.backlog == 0
        }
        #expect(status?.state == "connected")
        #expect(status?.destination == "127.0.0.1:\(setup.collector.port)")
        #expect((status?.sent ?? 0) >= 500)
        #expect(status?.lastError == nil)
    }

    /// A collector whose certificate another CA signed is refused in
    /// ca-signed mode, a wrong permitted peer name too, and a certificate
    /// that does not match the pinned fingerprint; the status and the
    /// journal say why. The right pin then delivers.
    @Test func aCollectorWithTheWrongCertificateIsRefusedAndTheStatusSaysWhy() throws {
        let setup = try Setup(collectorCertificate: \.impostor, collectorKey: \.impostorKey, requireClientCertificate: false)
        defer { setup.stop() }
        let ca = "ca-signed ca-bundle \(setup.certificates.ca)"
        try setup.apply([setup.destination(trust: ca)])
        var status: DestinationStatus?
        setup.harness.waitUntil("refusal in the status") { status = try setup.status(); return status?.lastError != nil }
        #expect(status?.lastError?.contains("failed validation against the CA bundle") == true, "\(status?.lastError ?? "none")")
        #expect(status?.state == "waiting" || status?.state == "connecting")
        #expect(status?.connections == 0)

        let pinned = try setup.certificates.fingerprint(of: setup.certificates.server)
        try setup.apply([setup.destination(trust: "fingerprint \(pinned)")])
        setup.harness.waitUntil("pin refusal in the status") { status = try setup.status(); return status?.lastError?.contains("pinned") == true }
        let impostor = try setup.certificates.fingerprint(of: setup.certificates.impostor)
        #expect(status?.lastError == "the collector's certificate fingerprint \(CertificateFingerprint(impostor)!) does not match the pinned \(CertificateFingerprint(pinned)!)")
        let refusals = try AuditdSystemTests.query(setup.harness, .init(appName: "auditd", text: "forward-certificate-refused"))
        #expect(refusals.count >= 2, "each refusal is an audit event")

        // The impostor's own CA with the wrong permitted peer: the name check refuses it.
        try setup.apply([setup.destination(trust: "ca-signed ca-bundle \(setup.certificates.impostorCA) permitted-peer collector.example.net")])
        setup.harness.waitUntil("name refusal in the status") { status = try setup.status(); return status?.lastError?.contains("permitted peer") == true }
        #expect(status?.lastError?.contains("permitted peer") == true, "\(status?.lastError ?? "none")")

        // Pinning the certificate the collector really has delivers.
        try setup.apply([setup.destination(trust: "fingerprint \(impostor)")])
        let sender = try EventSender(socket: setup.harness.paths.auditSocket, marker: "pinned", count: 50)
        sender.wait()
        let counts = setup.waitForAll("pinned", 0..<50)
        #expect((0..<50).allSatisfy { counts[$0] != nil })
        setup.harness.waitUntil("connected") { try setup.status()?.state == "connected" }
        #expect(try setup.status()?.peerCertificate == CertificateFingerprint(impostor)!.description)
    }

    /// The collector stops cleanly, later crashes (SIGKILL) in the middle of a
    /// stream of events: every event arrives; duplicates are counted as resent.
    @Test func collectorOutagesLoseNothing() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try setup.apply([setup.destination(trust: "ca-signed ca-bundle \(setup.certificates.ca)")])
        let total = 6_000
        let sender = try EventSender(socket: setup.harness.paths.auditSocket, marker: "outage", count: total, perSecond: 1_000)
        usleep(1_000_000)
        setup.collector.stop(signal: SIGTERM)
        var status: DestinationStatus?
        setup.harness.waitUntil("the outage in the status") { status = try setup.status(); return status?.state == "waiting" }
        #expect(status?.lastError != nil)
        usleep(1_500_000)
        try setup.collector.start()
        usleep(1_500_000)
        setup.collector.stop(signal: SIGKILL)
        usleep(500_000)
        try setup.collector.start()
        sender.wait()
        let counts = setup.waitForAll("outage", 0..<total, timeout: .seconds(120))
        let missing = (0..<total).filter { counts[$0] == nil }
        #expect(missing.count == 0, "events never arrived, the first: \(Array(missing.prefix(10)))")
        let duplicates = counts.values.reduce(0) { $0 + $1 - 1 }
        setup.harness.waitUntil("backlog confirmed") { status = try setup.status(); return status?.backlog == 0 }
        #expect(UInt64(duplicates) <= status?.resent ?? 0, "every duplicate was a counted resend")
        #expect((status?.connections ?? 0) >= 2, "the forwarder reconnected after the outage")
        let journal = try AuditdSystemTests.query(setup.harness, .init(appName: "auditd", text: "forward-"))
        #expect(journal.contains { $0.messageID == "forward-connection-lost" } && journal.contains { $0.messageID == "forward-restored" })
    }

    /// auditd is killed (SIGKILL) 20 times at random moments of a burst:
    /// every event the journal accepted is at the collector.
    @Test func auditdKilledTwentyTimesDuringABurstLosesNoAcceptedEvent() throws {
        let setup = try Setup()
        defer { setup.stop() }
        try setup.apply([setup.destination(trust: "ca-signed ca-bundle \(setup.certificates.ca)")])
        let total = 20_000
        let sender = try EventSender(socket: setup.harness.paths.auditSocket, marker: "crash", count: total, perSecond: 2_000)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        while kills < 20 {
            usleep(UInt32.random(in: 50_000...400_000, using: &generator))
            guard let pid = setup.harness.running("auditd")?.pid else { continue }
            kill(pid, SIGKILL)
            kills += 1
            setup.harness.waitUntil("auditd back", timeout: .seconds(20)) { setup.harness.running("auditd").map { $0.pid != pid } ?? false }
        }
        sender.wait()
        // What the journal accepted (forward paging over the whole journal).
        var accepted = Set<Int>()
        var after: UInt64 = 0
        for _ in 0..<(total / 1000 + 10) {
            let page = try setup.auditd.callBlocking(AuditdMethod.Query.self, .init(text: "] crash-", limit: 1000, afterSequence: after)).entries
            for entry in page {
                if let range = entry.text.range(of: "] crash-"), let number = Int(entry.text[range.upperBound...].prefix { $0.isNumber }) { accepted.insert(number) }
            }
            guard page.count == 1000, let last = page.last else { break }
            after = last.sequence
        }
        #expect(accepted.count > total / 2, "most of the burst was accepted (\(accepted.count) of \(total))")
        var counts: [Int: Int] = [:]
        setup.harness.waitUntil("accepted events at the collector", timeout: .seconds(120)) {
            counts = setup.collector.markerCounts(prefix: "] crash-")
            return accepted.allSatisfy { counts[$0] != nil }
        }
        let missing = accepted.filter { counts[$0] == nil }.sorted()
        #expect(missing.count == 0, "accepted events never reached the collector, the first: \(Array(missing.prefix(10)))")
    }
}
