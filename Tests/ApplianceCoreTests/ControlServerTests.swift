import Glibc
import Logging
import Synchronization
import Testing
@testable import ApplianceCore

enum Slow: ControlMethod {
    typealias Parameters = NoValue
    typealias Result = NoValue
    static let name = "slow"
}

enum Secret: ControlMethod {
    typealias Parameters = NoValue
    typealias Result = String
    static let name = "secret"
}

final class ControlHarness: Sendable {
    let folder: String
    let server: ControlServer
    let task: Task<Void, Never>
    let refusals = RefusalLog()

    init(callTimeout: Duration = .seconds(5)) async throws {
        var template = Array("/tmp/control-test-XXXXXX".utf8CString)
        folder = String(cString: mkdtemp(&template)!)
        var routes = ControlRoutes()
        routes.register(Echo.self, permission: .anyone) { parameters, caller in
            Array(repeating: parameters.text, count: parameters.count) + ["uid \(caller.uid)"]
        }
        routes.register(Slow.self, permission: .anyone) { _, _ in
            try? await Task.sleep(for: .seconds(30))
            return NoValue()
        }
        routes.register(Secret.self, permission: ControlPermission("nobody") { _ in false }) { _, _ in "never" }
        let refusals = self.refusals
        server = ControlServer(path: folder + "/test.sock", routes: routes, callTimeout: callTimeout,
                               logger: Logger(label: "test")) { refusal in refusals.list.withLock { $0.append(refusal) } }
        let server = server
        task = Task { try? await server.run() }
        for _ in 0..<200 where access(folder + "/test.sock", F_OK) != 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    var client: ControlClient { ControlClient(socketPath: folder + "/test.sock", peerName: "test", timeout: .seconds(5)) }

    func raw(_ text: String) async throws -> String {
        String(decoding: try await client.exchange(Array(text.utf8)), as: UTF8.self)
    }

    func stop() async {
        task.cancel()
        await task.value
        rmdir(folder)
    }
}

final class RefusalLog: Sendable {
    let list = Mutex<[ControlServer.Refusal]>([])
}

/// A real ControlServer on a Unix socket in a temporary folder, reached with
/// the real client: hostile input gets an error answer and the server keeps
/// serving the next client.
@Suite struct ControlServerTests {
    @Test func aTypedCallIsAnsweredWithTheCallersUid() async throws {
        let harness = try await ControlHarness()
        let result = try await harness.client.call(Echo.self, .init(text: "hi", count: 2))
        #expect(result == ["hi", "hi", "uid \(getuid())"])
        #expect(harness.server.counters.requests == 1)
        await harness.stop()
    }

    @Test func socketFileGetsTheRequestedModeAndIsRemovedOnStop() async throws {
        let harness = try await ControlHarness()
        var info = stat()
        #expect(stat(harness.folder + "/test.sock", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        await harness.stop()
        #expect(access(harness.folder + "/test.sock", F_OK) != 0)
    }

    @Test func malformedJSONGetsAnErrorAndTheNextClientIsServed() async throws {
        let harness = try await ControlHarness()
        let answer = try await harness.raw("{this is not json\n")
        #expect(answer.contains(#""code":"malformed-request""#))
        #expect(try await harness.client.call(Echo.self, .init(text: "next", count: 1)) == ["next", "uid \(getuid())"])
        #expect(harness.server.counters.malformed == 1)
        #expect(harness.refusals.list.withLock { $0.count } == 1)
        await harness.stop()
    }

    @Test func anOversizedLineIsRefusedWithoutBufferingItAndTheServerGoesOn() async throws {
        let harness = try await ControlHarness()
        let huge = String(repeating: "x", count: ControlCodec.maximumMessageSize + 10) + "\n"
        let answer = try await harness.raw(huge)
        #expect(answer.contains(#""code":"message-too-large""#))
        #expect(try await harness.client.call(Echo.self, .init(text: "after", count: 1)).first == "after")
        #expect(harness.server.counters.oversized == 1)
        await harness.stop()
    }

    @Test func anUnknownMethodIsRefusedNamingTheKnownOnes() async throws {
        let harness = try await ControlHarness()
        let answer = try await harness.raw(#"{"id":5,"method":"format-disk","params":{}}"# + "\n")
        #expect(answer.contains(#""id":5"#))
        #expect(answer.contains("no method \\\"format-disk\\\"; known: echo, secret, slow"))
        #expect(harness.server.counters.unknownMethods == 1)
        await harness.stop()
    }

    @Test func anUnpermittedCallerIsDeniedAndTheRefusalIsReported() async throws {
        let harness = try await ControlHarness()
        await #expect(throws: ControlError(.permissionDenied, "secret is allowed to nobody, not to uid \(getuid())")) {
            _ = try await harness.client.call(Secret.self, NoValue())
        }
        let refusal = try #require(harness.refusals.list.withLock { $0.first })
        #expect(refusal.caller.pid == getpid() && refusal.method == "secret")
        await harness.stop()
    }

    @Test func aHandlerPastTheCallTimeoutIsAnsweredWithTimeoutAndOthersStillServed() async throws {
        let harness = try await ControlHarness(callTimeout: .milliseconds(200))
        await #expect(throws: ControlError(.timeout, "slow did not finish within 0.2 seconds")) {
            _ = try await harness.client.call(Slow.self, NoValue())
        }
        #expect(try await harness.client.call(Echo.self, .init(text: "alive", count: 1)).first == "alive")
        await harness.stop()
    }

    @Test func wrongParametersAreAnsweredAndTheConnectionStaysUsable() async throws {
        let harness = try await ControlHarness()
        let answer = try await harness.raw(#"{"id":1,"method":"echo","params":{"text":3}}"# + "\n")
        #expect(answer.contains("invalid-parameters"))
        await harness.stop()
    }

    @Test func aClientGivesUpAtItsDeadlineWhenThePeerNeverAnswers() async throws {
        var template = Array("/tmp/control-test-XXXXXX".utf8CString)
        let folder = String(cString: mkdtemp(&template)!)
        let path = folder + "/mute.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        listen(fd, 4)
        let client = ControlClient(socketPath: path, peerName: "mute", timeout: .milliseconds(300))
        #expect(throws: ControlError(.timeout, "mute did not answer within 0.3 seconds")) {
            _ = try client.callBlocking(Echo.self, .init(text: "x", count: 1))
        }
        close(fd)
        unlink(path)
        rmdir(folder)
        #expect(throws: ControlError(.unavailable, "mute is not running (no listener at \(path))")) {
            _ = try client.callBlocking(Echo.self, .init(text: "x", count: 1))
        }
    }
}
