import Glibc
import Synchronization
import Testing
@testable import ApplianceCore

@Suite struct AuditClientTests {
    @Test func withoutAuditdTheEventIsCountedAndLoggedNotBlocked() {
        let fallback = Mutex<[String]>([])
        let client = AuditClient(socketPath: "/nonexistent/audit.sock", appName: "test") { line in fallback.withLock { $0.append(line) } }
        client.record(AuditEvent("service-restart", facts: [("service", "webd")], message: "webd restarted"))
        #expect(client.undelivered == 1 && client.delivered == 0)
        #expect(fallback.withLock { $0.first?.contains("service-restart [audit@32473 service=\"webd\"] webd restarted") } == true)
    }

    @Test func anEventReachesADatagramSocketAsRFC5424() throws {
        var template = Array("/tmp/audit-test-XXXXXX".utf8CString)
        let folder = String(cString: mkdtemp(&template)!)
        let path = folder + "/audit.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd); unlink(path); rmdir(folder) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        try #require(bound == 0)
        let client = AuditClient(socketPath: path, appName: "procmon")
        client.record(AuditEvent("login-failure", severity: .warning, facts: [("user", "alice")], message: "bad credentials"))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        try #require(n > 0)
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        #expect(text.hasPrefix("<108>1 "))
        #expect(text.contains(" procmon \(getpid()) login-failure [audit@32473 user=\"alice\"] bad credentials"))
        #expect(client.delivered == 1 && client.undelivered == 0)
    }
}
