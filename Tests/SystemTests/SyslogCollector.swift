import Audit
import Foundation
import Glibc
import Testing

/// Test certificates made with openssl: a CA, a collector certificate it
/// signed (CN and SAN localhost, 127.0.0.1), a client certificate it signed,
/// and an impostor: a second CA with a collector certificate of the same names.
struct TestCertificates {
    let folder: String
    var ca: String { folder + "/ca.pem" }
    var server: String { folder + "/server.pem" }
    var serverKey: String { folder + "/server.key" }
    var client: String { folder + "/client.pem" }
    var clientKey: String { folder + "/client.key" }
    var impostorCA: String { folder + "/impostor-ca.pem" }
    var impostor: String { folder + "/impostor.pem" }
    var impostorKey: String { folder + "/impostor.key" }

    /// Made in `folder` (created 0755 so auditd's account can read the public parts).
    init(folder: String) throws {
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let script = """
        set -e
        cd "$1"
        ext='basicConstraints=CA:FALSE\\nsubjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth,clientAuth\\nkeyUsage=digitalSignature'
        for ca in ca impostor-ca; do
          openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=test-$ca -keyout $ca.key -out $ca.pem 2>/dev/null
        done
        for who in server:ca client:ca impostor:impostor-ca; do
          name=${who%%:*}; ca=${who#*:}
          openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost -keyout $name.key -out $name.csr 2>/dev/null
          printf "$ext" > $name.ext
          openssl x509 -req -in $name.csr -CA $ca.pem -CAkey $ca.key -CAcreateserial -days 2 -extfile $name.ext -out $name.pem 2>/dev/null
        done
        chmod 644 *.pem
        chmod 600 *.key
        """
        let result = try run("/bin/bash", ["-c", script, "certs", folder])
        guard result.code == 0 else { throw CollectorError(description: "openssl failed: \(result.error)") }
    }

    /// `sha256:…` of a PEM certificate, as openssl computes it.
    func fingerprint(of pem: String) throws -> String {
        let result = try run("/usr/bin/openssl", ["x509", "-in", pem, "-noout", "-fingerprint", "-sha256"])
        guard result.code == 0, let value = result.output.split(separator: "=").last else { throw CollectorError(description: "openssl: \(result.error)") }
        return "sha256:" + value.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Gives the client key to auditd's account, as an installer would.
    func giveClientKey(to user: String) {
        if let account = getpwnam(user) { chown(clientKey, account.pointee.pw_uid, account.pointee.pw_gid) }
    }
}

struct CollectorError: Error, CustomStringConvertible {
    var description: String
}

/// A real RFC 5425 collector: rsyslogd with imtcp and the GnuTLS driver on
/// 127.0.0.1, octet-counted framing, writing each message as received
/// (`%rawmsg%`) on a line of `received`. Started and stopped by the test.
final class SyslogCollector: @unchecked Sendable {
    let folder: String
    let port: UInt16
    private var process: ChildProcess?

    /// `certificate`/`key`: what the collector presents. `requireClientCertificate`:
    /// x509/certvalid (mutual TLS, the client's certificate must chain to `ca`).
    init(folder: String, port: UInt16, ca: String, certificate: String, key: String, requireClientCertificate: Bool) throws {
        self.folder = folder
        self.port = port
        try FileManager.default.createDirectory(atPath: folder + "/work", withIntermediateDirectories: true)
        let config = """
        global(workDirectory="\(folder)/work" maxMessageSize="64k"
               DefaultNetstreamDriver="gtls"
               DefaultNetstreamDriverCAFile="\(ca)"
               DefaultNetstreamDriverCertFile="\(certificate)"
               DefaultNetstreamDriverKeyFile="\(key)")
        module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1"
               StreamDriver.AuthMode="\(requireClientCertificate ? "x509/certvalid" : "anon")")
        template(name="raw" type="string" string="%rawmsg%\\n")
        ruleset(name="collect") {
          action(type="omfile" file="\(folder)/received.log" template="raw" flushOnTXEnd="on")
        }
        input(type="imtcp" port="\(port)" address="127.0.0.1" ruleset="collect" SupportOctetCountedFraming="on")
        """
        try config.write(toFile: folder + "/rsyslog.conf", atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: folder + "/received.log", contents: nil)
        try start()
    }

    /// Starts rsyslogd and waits until it listens.
    func start() throws {
        FileManager.default.createFile(atPath: folder + "/rsyslogd.err", contents: nil)
        // ChildProcess starts it with no signal blocked (the test runner blocks
        // SIGTERM, which rsyslogd would otherwise never see).
        let process = try ChildProcess("/usr/sbin/rsyslogd", ["-n", "-f", folder + "/rsyslog.conf", "-i", folder + "/rsyslogd.pid"],
                                       standardError: .file(folder + "/rsyslogd.err"))
        self.process = process
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if (try? run("/usr/bin/ss", ["-Hltn", "sport = :\(port)"]).output.isEmpty) == false { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        throw CollectorError(description: "rsyslogd did not listen on \(port): \((try? String(contentsOfFile: folder + "/rsyslogd.err", encoding: .utf8)) ?? "")")
    }

    /// Stops rsyslogd with `signal` (SIGTERM: a clean stop; SIGKILL: a crash) and waits for it.
    func stop(signal: Int32 = SIGTERM) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        self.process = nil
    }

    /// Every line received so far (each a whole RFC 5424 message).
    func received() -> [String] {
        guard let text = try? String(contentsOfFile: folder + "/received.log", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// How many times each marker (`<prefix>NUMBER`) arrived.
    func markerCounts(prefix: String) -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for line in received() {
            guard let range = line.range(of: prefix) else { continue }
            let digits = line[range.upperBound...].prefix { $0.isNumber }
            if let number = Int(digits) { counts[number, default: 0] += 1 }
        }
        return counts
    }

    /// A free TCP port on 127.0.0.1.
    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Int32 in
                _ = bind(fd, pointer, length)
                return getsockname(fd, pointer, &length)
            }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// Sends numbered RFC 5424 events (`MARKER-N`) to auditd's intake from a
/// separate process, blocking while the socket's queue is full (so every
/// send is delivered to the socket, which procmon keeps while auditd restarts).
final class EventSender: @unchecked Sendable {
    let process: ChildProcess

    /// Numbers `first..<first+count`, `perSecond` of them a second (0: as fast as possible).
    init(socket: String, marker: String, first: Int = 0, count: Int, perSecond: Int = 0) throws {
        let script = """
        import socket, sys, time
        path, marker, first, count, rate = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        s.settimeout(30)
        start = time.monotonic()
        for i in range(first, first + count):
            message = f'<110>1 - - loadgen - test-event [test@32473 n="{i}"] {marker}-{i} end'.encode()
            while True:
                try:
                    s.sendto(message, path)
                    break
                except (BlockingIOError, ConnectionRefusedError, FileNotFoundError, socket.timeout):
                    time.sleep(0.005)
            if rate > 0:
                ahead = (i - first + 1) / rate - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)
        """
        process = try ChildProcess("/usr/bin/python3", ["-c", script, socket, marker, String(first), String(count), String(perSecond)])
    }

    func wait() {
        process.waitUntilExit()
    }
}
