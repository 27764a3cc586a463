import ApplianceProtocol
import ApplianceCore
import Glibc

// `certificate install` and `show certificate`: the web interface's TLS
// certificate from the CLI. The pair goes to webd's control socket, where
// the web upload's own checks, messages, files and switch apply (webd owns
// its certificate); webd checks the caller (an admin's session, or root)
// and audits the act, never the key. The CLI reads the two PEM files as the
// account's own OS user, or takes the pair pasted. Its words are
// CommandTree.certificateInstall.

/// Where the pasted form of `certificate install` reads its lines.
public protocol PasteSource: AnyObject {
    /// Shows how to paste; called once before the first line.
    func begin(_ instructions: String)
    /// One line without its line break; `secret` when it belongs to a
    /// private key (not shown). nil at the end of input or when cancelled.
    func line(secret: Bool) -> String?
    /// After the last line (or a refusal): the terminal as it was.
    func end()
}

/// A PEM certificate chain and then its private key, pasted line by line;
/// the input ends at the key's END line. Text outside the blocks (openssl's
/// `subject=` lines, bag attributes) and blank lines are skipped, an
/// `EC PARAMETERS` block (`openssl ecparam -genkey`) too. Nothing of the key
/// ever appears in an error message.
public struct PastedPEM: Sendable {
    /// As the web upload: a chain of a few certificates and a key.
    public static let maximumBytes = 64 * 1024

    public private(set) var certificateLines: [String] = []
    public private(set) var keyLines: [String] = []
    public private(set) var certificates = 0
    /// The key's END line was read: the pair is whole.
    public private(set) var complete = false
    /// The next line belongs to the private key (not echoed).
    public var readingKey: Bool { open.map { $0.isKey } ?? false }

    var open: (label: String, isKey: Bool, skipped: Bool)?
    var lineNumber = 0
    var bytes = 0

    public init() {}

    static let keyLabels: Set<String> = ["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"]

    /// Takes the next line; returns true once the key's END line is in.
    public mutating func feed(_ raw: String) throws(CommandError) -> Bool {
        guard !complete else { return true }
        lineNumber += 1
        bytes += raw.utf8.count + 1
        guard bytes <= Self.maximumBytes else {
            throw CommandError(column: -1, "the pasted text is over \(Self.maximumBytes) bytes; nothing was installed")
        }
        let line = Self.trimmed(raw)
        if let block = open {
            if line == "-----END \(block.label)-----" {
                open = nil
                if block.skipped { return false }
                if block.isKey {
                    keyLines.append(line)
                    complete = true
                    return true
                }
                certificateLines.append(line)
                certificates += 1
                return false
            }
            if line.isEmpty, !block.isKey { return false }
            guard !line.hasPrefix("-----") else {
                throw CommandError(column: -1, "line \(lineNumber): the \(block.label) block ends without its -----END \(block.label)----- line")
            }
            guard line.utf8.allSatisfy(Self.isBase64) else {
                throw CommandError(column: -1, "line \(lineNumber): not base64 inside the \(block.label) block" + (block.isKey ? "" : " (\"\(line.prefix(40))\")"))
            }
            if block.isKey { keyLines.append(line) } else if !block.skipped { certificateLines.append(line) }
            return false
        }
        guard line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count > 16 else { return false }
        let label = String(line.dropFirst(11).dropLast(5))
        switch label {
        case "CERTIFICATE":
            guard keyLines.isEmpty else { throw CommandError(column: -1, "line \(lineNumber): a certificate after the key; paste the chain first") }
            open = (label, false, false)
            certificateLines.append(line)
        case _ where Self.keyLabels.contains(label):
            guard certificates > 0 else {
                throw CommandError(column: -1, "line \(lineNumber): the key came first; paste the certificate chain (the server's certificate first), then the key")
            }
            open = (label, true, false)
            keyLines.append(line)
        case "ENCRYPTED PRIVATE KEY":
            throw CommandError(column: -1, "line \(lineNumber): the key is encrypted; give it without a pass phrase (openssl pkey -in KEY.pem -out PLAIN.pem)")
        case "EC PARAMETERS":
            open = (label, false, true)
        default:
            throw CommandError(column: -1, "line \(lineNumber): a \(label.prefix(40)) block; paste CERTIFICATE blocks, then the PRIVATE KEY")
        }
        return false
    }

    /// The pair, once whole; otherwise why not (the input ended early).
    public func pair() throws(CommandError) -> (certificate: String, key: String) {
        guard complete else {
            if certificates == 0 { throw CommandError(column: -1, "no certificate was pasted; nothing was installed") }
            throw CommandError(column: -1, "the input ended before the private key's END line; nothing was installed")
        }
        return (certificateLines.joined(separator: "\n") + "\n", keyLines.joined(separator: "\n") + "\n")
    }

    static func trimmed(_ text: String) -> String {
        var scalars = Substring(text)
        while let first = scalars.first, first == " " || first == "\t" || first == "\r" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }

    static func isBase64(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): true
        default: false
        }
    }
}

extension CommandRunner {
    func showCertificate(_ parsed: ParsedCommand) throws(CommandError) {
        let summary = try call("webd", WebdMethod.CurrentCertificate.self, .init(session: identity.session))
        if parsed.json { return emit(json: summary) }
        write(Render.certificate(summary))
    }

    func installCertificate(_ parsed: ParsedCommand) throws(CommandError) {
        // webd decides; asking first spares an operator the paste.
        guard identity.role == .admin else { throw CommandError(column: -1, "not permitted: only an admin installs the web certificate; \(identity.account) is \(identity.role.rawValue)") }
        let pair: (certificate: String, key: String)
        if let certificatePath = parsed.arguments["CERT"], let keyPath = parsed.arguments["KEY"] {
            pair = (try Self.readPEMFile(certificatePath), try Self.readPEMFile(keyPath))
        } else {
            pair = try readPastedPair()
        }
        let installed = try call("webd", WebdMethod.CertificateInstall.self,
                                 .init(session: identity.session, certificate: pair.certificate, key: pair.key,
                                       channel: identity.origin.channel, peer: identity.origin.peer))
        if parsed.json { return emit(json: installed) }
        write("Installed: new connections to the web interface present it.\n" + Render.certificate(installed))
    }

    func readPastedPair() throws(CommandError) -> (certificate: String, key: String) {
        var pasted = PastedPEM()
        paste.begin("Paste the certificate chain (PEM, the server's certificate first), then its private key (PEM, not shown); the input ends at the key's END line.\n")
        defer { paste.end() }
        while !pasted.complete {
            guard let line = paste.line(secret: pasted.readingKey) else { break }
            _ = try pasted.feed(line)
        }
        return try pasted.pair()
    }

    /// A PEM file the CLI's own user may read: a regular file of at most
    /// 64 KiB (no device, FIFO or folder).
    static func readPEMFile(_ path: String) throws(CommandError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { throw CommandError(column: -1, "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw CommandError(column: -1, "\(path) is not a regular file") }
        guard info.st_size <= PastedPEM.maximumBytes else { throw CommandError(column: -1, "\(path) is over \(PastedPEM.maximumBytes) bytes: not a PEM certificate or key") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw CommandError(column: -1, "cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += buffer[0..<n]
            guard bytes.count <= PastedPEM.maximumBytes else { throw CommandError(column: -1, "\(path) is over \(PastedPEM.maximumBytes) bytes") }
        }
        // The key's bytes leave with the call; the buffers go now.
        for index in buffer.indices { buffer[index] = 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Render {
    static func certificate(_ summary: WebdMethod.CertificateSummary) -> String {
        let rows = [
            ("Subject", summary.subject),
            ("Names", summary.subjectAlternativeNames.isEmpty ? "-" : summary.subjectAlternativeNames.joined(separator: ", ")),
            ("Issuer", summary.issuer + (summary.selfSigned ? " (self-signed)" : "")),
            ("Not before", summary.notValidBefore),
            ("Not after", summary.notValidAfter),
            ("SHA-256", summary.sha256Fingerprint),
        ]
        return rows.map { $0.0 + String(repeating: " ", count: 12 - $0.0.count) + TerminalText.field($0.1) }.joined(separator: "\n") + "\n"
    }
}

/// A paste read from standard input (`-c`, a pipe, an ssh command): one line
/// at a time as `readLine` gives them; on a terminal, echo is off for the
/// whole paste (the terminal would otherwise show the key as it arrives).
public final class StandardInputPaste: PasteSource {
    var saved: termios?

    public init() {}

    public func begin(_ instructions: String) {
        guard isatty(0) != 0 else { return }
        _ = Array(instructions.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        saved = Shell.echoOff(keepingNewline: false)
    }

    public func line(secret: Bool) -> String? { readLine(strippingNewline: true) }

    public func end() {
        guard let saved else { return }
        Shell.restoreEcho(saved)
        self.saved = nil
    }
}
