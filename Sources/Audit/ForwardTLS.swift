import Configuration
import Crypto
import NIOCore
import NIOSSL

/// The TLS side of one destination (RFC 5425 §5): TLS 1.2 or newer, and the
/// collector's certificate checked one of the two ways the configuration
/// allows. Built once per forwarder; `handler()` makes one per connection.
struct ForwardTLS {
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    /// Why the last handshake's certificate check failed, in words for the
    /// status (BoringSSL's own error says only "certificate verify failed").
    /// Confined to the forwarder's event loop.
    final class VerificationNote: @unchecked Sendable {
        var refusal: String?
        var peerFingerprint: String?
    }

    let context: NIOSSLContext
    /// SNI and the name checked in `ca-signed` mode; nil checks the connected
    /// address against the certificate's IP addresses instead.
    let serverHostname: String?
    let pin: CertificateFingerprint?
    /// In `ca-signed` mode, the name the certificate must carry.
    let permittedPeer: NetworkHost?

    init(destination: SyslogDestination) throws(SetupError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        switch destination.trust {
        case .caSigned(let bundlePath):
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(bundlePath)
            } catch {
                throw SetupError(description: "cannot read the CA bundle \(bundlePath): \(Self.describe(error))")
            }
            guard !roots.isEmpty else { throw SetupError(description: "the CA bundle \(bundlePath) holds no certificate") }
            configuration.trustRoots = .certificates(roots)
            configuration.certificateVerification = .fullVerification
            let peer = destination.expectedPeer
            serverHostname = peer.address == nil ? "\(peer)" : nil
            permittedPeer = peer
            pin = nil
        case .fingerprint(let fingerprint):
            // The pin replaces path validation entirely (RFC 5425 §5.2.1
            // fingerprint matching): the custom callback below is the check.
            configuration.certificateVerification = .noHostnameVerification
            serverHostname = destination.host.address == nil ? "\(destination.host)" : nil
            permittedPeer = nil
            pin = fingerprint
        }
        if let certificatePath = destination.clientCertificatePath, let keyPath = destination.clientKeyPath {
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) }
            } catch {
                throw SetupError(description: "cannot read the client certificate \(certificatePath): \(Self.describe(error))")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyPath, format: .pem))
            } catch {
                throw SetupError(description: "cannot read the client key \(keyPath): \(Self.describe(error))")
            }
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SetupError(description: "cannot set up TLS: \(Self.describe(error))")
        }
    }

    func handler(note: VerificationNote) throws -> NIOSSLClientHandler {
        note.refusal = nil
        note.peerFingerprint = nil
        guard let pin else {
            return try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
        }
        return try NIOSSLClientHandler(context: context, serverHostname: serverHostname) { chain, promise in
            guard let leaf = chain.first, let der = try? leaf.toDERBytes() else {
                note.refusal = "the collector presented no certificate"
                promise.succeed(.failed)
                return
            }
            let seen = CertificateFingerprint(sha256: Array(SHA256.hash(data: der)))
            note.peerFingerprint = seen.description
            if seen == pin {
                promise.succeed(.certificateVerified)
            } else {
                note.refusal = "the collector's certificate fingerprint \(seen) does not match the pinned \(pin)"
                promise.succeed(.failed)
            }
        }
    }

    /// After the handshake in `ca-signed` mode: nil when the collector's
    /// certificate names the permitted peer, else why not. NIOSSL's own
    /// check also accepts a certificate naming the connected address, which
    /// would let any certificate of the CA with that address in it pass for
    /// the permitted peer; RFC 5425 §5.2 asks for the configured name.
    func refusal(of certificate: NIOSSLCertificate?) -> String? {
        guard let permittedPeer else { return nil }
        guard let certificate else { return "the collector presented no certificate" }
        var dnsNames: [String] = []
        var addresses: [[UInt8]] = []
        for name in certificate._subjectAlternativeNames() {
            let bytes = name.contents.withUnsafeBufferPointer { Array($0) }
            if name.nameType == .dnsName { dnsNames.append(String(decoding: bytes, as: UTF8.self)) }
            if name.nameType == .ipAddress { addresses.append(bytes) }
        }
        if PermittedPeer.matches(permittedPeer, dnsNames: dnsNames, addresses: addresses) { return nil }
        let named = (dnsNames + addresses.compactMap { IPAddress(octets: $0).map { "\($0)" } }).joined(separator: ", ")
        return "the collector's certificate does not name the permitted peer \(permittedPeer) (it names: \(named.isEmpty ? "nothing in subjectAltName" : named))"
    }

    /// The words for a handshake that failed on the collector's certificate
    /// (untrusted issuer, expired, wrong name); nil for any other failure.
    static func certificateRefusal(_ error: any Error) -> String? {
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            return "the collector's certificate does not name the permitted peer: \(error)"
        }
        let text = "\(error)"
        guard text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate verify failed") else { return nil }
        return "the collector's certificate failed validation against the CA bundle: \(describe(error))"
    }

    /// NIOSSL's errors in words an operator can act on.
    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOSSLError {
            switch error {
            case .handshakeFailed(let reason): return "TLS handshake failed: \(reason)"
            default: return "\(error)"
            }
        }
        if let error = error as? NIOSSLExtraError { return "\(error)" }
        return "\(error)"
    }
}

/// RFC 5425 §5.2 / RFC 6125 name matching against a certificate's
/// subjectAltName entries. Pure. A name matches a dNSName exactly (case
/// folded, trailing dot ignored) or a wildcard `*.rest` whose star stands for
/// exactly one whole left-most label; an address matches an iPAddress entry.
/// The subject's common name is never consulted.
public enum PermittedPeer {
    public static func matches(_ peer: NetworkHost, dnsNames: [String], addresses: [[UInt8]]) -> Bool {
        if let address = peer.address { return addresses.contains(address.octets) }
        let wanted = normalized("\(peer)")
        let wantedLabels = wanted.split(separator: ".", omittingEmptySubsequences: false)
        for name in dnsNames.map(normalized) {
            if name == wanted { return true }
            guard name.hasPrefix("*."), wantedLabels.count >= 3 else { continue }
            let rest = name.dropFirst(2)
            // "*.com"-style wildcards (one label after the star) are never honoured.
            guard rest.contains("."), !rest.contains("*") else { continue }
            if wantedLabels.dropFirst().joined(separator: ".") == rest, !wantedLabels[0].isEmpty { return true }
        }
        return false
    }

    static func normalized(_ name: String) -> String {
        let lowered = name.lowercased()
        return lowered.hasSuffix(".") ? String(lowered.dropLast()) : lowered
    }
}
