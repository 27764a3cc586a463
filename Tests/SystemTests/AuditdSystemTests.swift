import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Audit
import Configuration
import Foundation
import Glibc
import Testing

/// auditd under procmon with its intake socket bound by procmon, one behaviour per test.
@Suite(.serialized) struct AuditdSystemTests {
    static let manifest = """
    [service auditd]
    exec = {bin}/auditd --foreground --root {root}
    user = appliance-audit
    listen = intake unixgram audit.sock
    listen = control unix auditd.sock
    stable-after = 100ms
    restart-delay-max = 200ms
    start-limit = 1000

    [service configd]
    exec = {bin}/configd --foreground --root {root}
    user = appliance-config
    listen = control unix configd.sock
    pass-env = APPLIANCE_ADMIN_PASSWORD
    """

    static func start(auditdOptions: String = "") throws -> ProcmonHarness {
        let manifest = Self.manifest.replacingOccurrences(of: "--root {root}\nuser = appliance-audit", with: "--root {root} \(auditdOptions)\nuser = appliance-audit")
        let harness = try ProcmonHarness(manifest: manifest, environment: ["APPLIANCE_ADMIN_PASSWORD": "Audit-Trail-Password-5"], auditStandIn: false)
        harness.waitUntil("auditd and configd running", timeout: .seconds(60)) { harness.running("auditd") != nil && harness.running("configd") != nil }
        return harness
    }

    static func query(_ harness: ProcmonHarness, _ parameters: AuditdMethod.QueryParameters) throws -> [ReceivedSyslogMessage] {
        let client = ControlClient(paths: harness.paths, daemon: "auditd", timeout: .seconds(10))
        return try client.callBlocking(AuditdMethod.Query.self, parameters).entries.map { try RFC5424Parser.parse(Array($0.text.utf8)) }
    }

    /// Sends one datagram to the intake from a separate process and returns that process's pid.
    static func send(_ harness: ProcmonHarness, _ payload: String, size: Int? = nil) throws -> Int32 {
        let script = """
        import os, socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        data = sys.argv[2].encode() if sys.argv[3] == "-" else b"A" * int(sys.argv[3])
        s.sendto(data, sys.argv[1])
        print(os.getpid())
        """
        let result = try run("/usr/bin/python3", ["-c", script, harness.paths.auditSocket, payload, size.map(String.init) ?? "-"])
        return try #require(Int32(result.output.trimmingCharacters(in: .whitespacesAndNewlines)), "sender failed: \(result.error)")
    }

    /// configd's first-start event is in the journal, stamped with configd's
    /// real pid and uid by the kernel, not by configd.
    @Test func serviceEventsAreJournaledWithTheirKernelVerifiedOrigin() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let configd = try #require(harness.running("configd")?.pid)
        var found: ReceivedSyslogMessage?
        harness.waitUntil("account-created journaled") {
            found = try Self.query(harness, .init(appName: "configd", text: "account-created")).first
            return found != nil
        }
        let event = try #require(found)
        #expect(event.parameter("pid", in: "origin@32473") == String(configd))
        let expectedUID = getuid() == 0 ? getpwnam("appliance-config")!.pointee.pw_uid : getuid()
        #expect(event.parameter("uid", in: "origin@32473") == String(expectedUID))
        #expect(event.parameter("account", in: "audit@32473") == "admin")
        // procmon's own start event was sent before auditd ran: it waited in procmon's socket, stamped.
        harness.waitUntil("procmon-start journaled") { try Self.query(harness, .init(appName: "procmon")).contains { $0.messageID == "procmon-start" } }
        let procmon = try #require(try Self.query(harness, .init(appName: "procmon")).first { $0.messageID == "procmon-start" })
        #expect(procmon.parameter("pid", in: "origin@32473") == String(harness.process.processIdentifier))
    }

    /// A disk with less free space than the reserve is reported: a critical
    /// event in the journal and the status flag (the reserve set above the
    /// free space of any test machine's disk).
    @Test func aNearlyFullDiskIsReportedAsAnEventAndInTheStatus() throws {
        let harness = try Self.start(auditdOptions: "--disk-reserve-mib 1048576")
        defer { harness.stop() }
        var found: ReceivedSyslogMessage?
        harness.waitUntil("disk-nearly-full journaled") { found = try Self.query(harness, .init(appName: "auditd", text: "disk-nearly-full")).first; return found != nil }
        #expect(found?.severity == 2, "critical")
        #expect(found.flatMap { $0.parameter("free-bytes", in: "audit@32473") }.flatMap(UInt64.init) != nil)
        let status = try ControlClient(paths: harness.paths, daemon: "auditd").callBlocking(AuditdMethod.Status.self, NoValue())
        #expect(status.diskNearlyFull)
    }

    /// A process claiming to be pid 1 and root gets its real pid recorded.
    @Test func aForgedOriginGetsTheRealPidRecorded() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let pid = try Self.send(harness, #"<109>1 - - configd 1 login-success [origin@32473 pid="1" uid="0"] forged login"#)
        var found: ReceivedSyslogMessage?
        harness.waitUntil("forged event journaled") { found = try Self.query(harness, .init(text: "forged login")).first; return found != nil }
        let event = try #require(found)
        #expect(event.processID == String(pid))
        #expect(event.parameter("pid", in: "origin@32473") == String(pid))
        #expect(event.parameter("uid", in: "origin@32473") == String(getuid()))
        #expect(event.parameter("claimed-procid", in: "origin@32473") == "1")
        #expect(event.parameter("forged-origin", in: "origin@32473") == "true")
        let status = try ControlClient(paths: harness.paths, daemon: "auditd").callBlocking(AuditdMethod.Status.self, NoValue())
        #expect(status.intake.forged == 1)
    }

    /// Malformed and oversized datagrams are counted and kept as error records naming their sender.
    @Test func malformedAndOversizedInputIsKeptAsErrorRecords() throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let garbler = try Self.send(harness, "this is not RFC 5424")
        _ = try Self.send(harness, "", size: 70_000)
        harness.waitUntil("error records journaled") { try Self.query(harness, .init(appName: "auditd", text: "intake-")).count == 2 }
        let records = try Self.query(harness, .init(appName: "auditd", text: "intake-"))
        #expect(records.map(\.messageID) == ["intake-malformed", "intake-oversized"])
        #expect(records[0].parameter("pid", in: "origin@32473") == String(garbler))
        #expect(records[0].parameter("prefix", in: "intake@32473") == "this is not RFC 5424")
        #expect(records[1].parameter("detail", in: "intake@32473") == "70000 bytes, more than 65536")
        let status = try ControlClient(paths: harness.paths, daemon: "auditd").callBlocking(AuditdMethod.Status.self, NoValue())
        #expect(status.intake.malformed == 1 && status.intake.oversized == 1)
    }

    /// SIGTERM (an orderly restart) during a burst loses nothing: auditd
    /// commits what it holds and leaves the rest queued for the next one.
    @Test func sigtermDuringABurstLosesNothing() async throws {
        let harness = try Self.start()
        defer { harness.stop() }
        let total = 5_000
        let sender = Task.detached { Self.sendBurst(harness, count: total, tag: "orderly") }
        for _ in 0..<5 {
            usleep(100_000)
            if let pid = harness.running("auditd")?.pid { kill(pid, SIGTERM) }
        }
        #expect(await sender.value == total)
        harness.waitUntil("all journaled", timeout: .seconds(60)) { try Self.query(harness, .init(text: "orderly-\(total - 1)")).count == 1 }
        var numbers: [Int] = []
        var after: UInt64 = 0
        for _ in 0..<(total / 1000 + 3) {  // bounded: a paging bug must fail, not hang
            let page = try ControlClient(paths: harness.paths, daemon: "auditd").callBlocking(AuditdMethod.Query.self, .init(text: "] orderly-", limit: 1000, afterSequence: after)).entries
            numbers += page.compactMap { Int($0.text[$0.text.range(of: "] orderly-")!.upperBound...]) }
            guard page.count == 1000, let last = page.last else { break }
            after = last.sequence
        }
        #expect(Set(numbers).count == total, "every event of the burst is in the journal")
    }

    static func sendBurst(_ harness: ProcmonHarness, count: Int, tag: String) -> Int {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(harness.paths.auditSocket.utf8)) }
        var sent = 0
        for index in 0..<count {
            let bytes = Array("<110>1 - - burst \(getpid()) burst-event - \(tag)-\(index)".utf8)
            let n = bytes.withUnsafeBytes { buffer in
                withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            }
            if n == bytes.count { sent += 1 }
            if index % 200 == 0 { usleep(2_000) }
        }
        return sent
    }

    /// SIGKILL auditd 20 times at random moments during a burst: the journal
    /// is never torn, events appear once each in the order sent, and the only
    /// ones missing are those in auditd's memory at a kill (at most one batch
    /// per kill), since the datagram queue is procmon's and outlives auditd.
    @Test func sigkillDuringABurstTearsNothingAndLosesAtMostTheBatchInFlight() async throws {
        let harness = try Self.start()
        let total = 20_000
        let sender = Task.detached { Self.sendBurst(harness, count: total, tag: "burst") }
        var kills = 0
        var killed: Set<Int32> = []
        var generator = SystemRandomNumberGenerator()
        while kills < 20 {
            usleep(UInt32.random(in: 20_000...120_000, using: &generator))
            // procmon may still list the instance just killed until it reaps
            // it: only a new instance counts as a kill (and as a start).
            guard let pid = harness.running("auditd")?.pid, !killed.contains(pid) else { continue }
            kill(pid, SIGKILL)
            killed.insert(pid)
            kills += 1
        }
        let sent = await sender.value
        #expect(sent == total, "the sender blocks rather than drops while auditd restarts")
        harness.waitUntil("auditd drained the queue", timeout: .seconds(60)) {
            let status = try ControlClient(paths: harness.paths, daemon: "auditd").callBlocking(AuditdMethod.Status.self, NoValue())
            return try Self.query(harness, .init(text: "burst-19999")).count == 1 && status.intake.pending == 0
        }
        let journalFolder = harness.paths.stateDirectory("auditd") + "/journal"
        kill(harness.process.processIdentifier, SIGTERM)
        harness.process.waitUntilExit()
        let journal = try AuditJournal(folder: journalFolder)
        let records = journal.records(from: 1, limit: 100_000)
        #expect(records.map(\.sequence) == Array(1...UInt64(records.count)), "sequences have no gap")
        let burst = records.compactMap { record -> Int? in
            guard record.text.contains(" burst-event "), let range = record.text.range(of: "] burst-") else { return nil }
            return Int(record.text[range.upperBound...])
        }
        #expect(burst == burst.sorted() && Set(burst).count == burst.count, "each event once, in the order sent")
        let lost = total - burst.count
        #expect(lost <= kills * AuditIntake.batchLimit, "lost \(lost) events in \(kills) kills")
        #expect(records.filter { $0.text.contains("auditd-start") }.count == kills + 1)
        print("auditd burst: \(total) sent, \(burst.count) journaled, \(lost) lost in \(kills) SIGKILLs, torn bytes cut at last start: \(journal.recoveredTornBytes)")
        harness.stop()
    }
}
