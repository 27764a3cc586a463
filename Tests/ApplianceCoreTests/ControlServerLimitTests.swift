import Foundation
import Glibc
import Logging
import Testing
@testable import ApplianceCore

/// A control socket is mode 0666 and buffers up to 1 MiB per connection:
/// without a cap, one local user could open connections until the daemon runs
/// out of memory or descriptors. These tests open connections as other users
/// (helper processes that drop to those uids) and need root.
@Suite(.serialized, .enabled(if: geteuid() == 0, "needs root to connect as other users"))
struct ControlServerLimitTests {
    /// Opens `count` connections as each uid, in order, sends an echo call on
    /// each, reports per uid how many were answered and refused, then keeps
    /// them all open until its standard input closes.
    static let hog = #"""
    import json, os, socket, sys
    path = sys.argv[1]
    hold_r, hold_w = os.pipe()
    for spec in sys.argv[2:]:
        uid, count = (int(x) for x in spec.split(":"))
        r, w = os.pipe()
        if os.fork() == 0:
            os.close(r); os.close(hold_w)
            os.setgroups([]); os.setresgid(uid, uid, uid); os.setresuid(uid, uid, uid)
            sockets = []
            for i in range(count):
                s = socket.socket(socket.AF_UNIX); s.connect(path); sockets.append(s)
            answered, refused, refusal = 0, 0, None
            for i, s in enumerate(sockets):
                s.settimeout(20)
                try:
                    s.sendall(b'{"id":%d,"method":"echo","params":{"count":1,"text":"hi"}}\n' % (i + 1))
                except OSError:
                    pass
                data = b""
                while not data.endswith(b"\n"):
                    try:
                        chunk = s.recv(65536)
                    except OSError:
                        break
                    if not chunk:
                        break
                    data += chunk
                if b'"result"' in data:
                    answered += 1
                else:
                    refused += 1
                    refusal = refusal or data.decode(errors="replace").strip()
            os.write(w, (json.dumps({"uid": uid, "answered": answered, "refused": refused, "refusal": refusal}) + "\n").encode())
            os.close(w)
            os.read(hold_r, 1)
            os._exit(0)
        os.close(w)
        line = b""
        while not line.endswith(b"\n"):
            chunk = os.read(r, 4096)
            if not chunk:
                break
            line += chunk
        os.close(r)
        sys.stdout.write(line.decode()); sys.stdout.flush()
    print("holding", flush=True)
    sys.stdin.read()
    """#

    struct Report: Decodable {
        var uid: UInt32, answered: Int, refused: Int, refusal: String?
        var counts: [Int] { [answered, refused] }
    }

    @Test func connectionsOverThePerUIDAndTotalCapsAreRefusedAtOnceWhileOthersAreServed() async throws {
        var template = Array("/tmp/control-limit-XXXXXX".utf8CString)
        let folder = String(cString: mkdtemp(&template)!)
        chmod(folder, 0o755)
        defer { unlink(folder + "/test.sock"); rmdir(folder) }
        var routes = ControlRoutes()
        routes.register(Echo.self, permission: .anyone) { parameters, caller in
            Array(repeating: parameters.text, count: parameters.count) + ["uid \(caller.uid)"]
        }
        let refusals = RefusalLog()
        let server = ControlServer(path: folder + "/test.sock", routes: routes, socketMode: 0o666, logger: Logger(label: "test")) { refusal in
            refusals.list.withLock { $0.append(refusal) }
        }
        let serving = Task { try? await server.run() }
        defer { serving.cancel() }
        for _ in 0..<200 where access(folder + "/test.sock", F_OK) != 0 { try await Task.sleep(for: .milliseconds(10)) }

        // 20 from one user (16 admitted), then 16 from each of three more
        // (64 in all), then 2 from a fifth, over the total.
        let plan = ["65534:20", "65533:16", "65532:16", "65531:16", "65530:2"]
        let hog = Process()
        hog.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        hog.arguments = ["-c", Self.hog, folder + "/test.sock"] + plan
        let output = Pipe(), input = Pipe()
        hog.standardOutput = output
        hog.standardInput = input
        try hog.run()
        defer {
            try? input.fileHandleForWriting.close()
            hog.waitUntilExit()
        }
        var reports: [UInt32: Report] = [:]
        var text = ""
        while !text.contains("holding\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        for line in text.split(separator: "\n") where line.hasPrefix("{") {
            let report = try JSONDecoder().decode(Report.self, from: Data(line.utf8))
            reports[report.uid] = report
        }
        #expect(reports[65534]?.counts == [16, 4], "\(text)")
        #expect(reports[65534]?.refusal?.contains(#""code":"unavailable""#) == true, "\(text)")
        for uid: UInt32 in [65533, 65532, 65531] {
            #expect(reports[uid]?.counts == [16, 0], "\(text)")
        }
        #expect(reports[65530]?.counts == [0, 2], "\(text)")
        // While all of those are held open, root (the local administrator,
        // procmon) is still answered.
        let client = ControlClient(socketPath: folder + "/test.sock", peerName: "test", timeout: .seconds(5))
        #expect(try await client.call(Echo.self, .init(text: "root", count: 1)) == ["root", "uid 0"])
        #expect(server.counters.refusedConnections == 6)
        // One audit event for the burst, not one per refused connection.
        #expect(refusals.list.withLock { $0.filter { $0.error.code == .unavailable }.count } == 1)
    }
}
