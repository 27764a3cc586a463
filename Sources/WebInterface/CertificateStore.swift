#if canImport(FoundationEssentials)
import ApplianceProtocol
import FoundationEssentials
#else
import Foundation
#endif
import ApplianceCore
import Configuration
import Glibc
import Crypto
import SwiftASN1
import X509

/// webd's TLS identity under `var/lib/appliance/webd/`: `certificate.pem`
/// and `key.pem` (mode 0600). On a first start with neither, a self-signed
/// ECDSA P-256 certificate is made for the configured host name, 127.0.0.1
/// and ::1, so the interface is reachable over HTTPS before anyone has
/// installed a certificate.
public struct CertificateStore: Sendable {
    public let folder: String
    public var certificatePath: String { folder + "/certificate.pem" }
    public var keyPath: String { folder + "/key.pem" }

    public init(folder: String) {
        self.folder = folder
    }

    public struct Identity: Sendable {
        public var certificatePEM: String
        public var keyPEM: String
        /// Whether it was made just now.
        public var generated: Bool
    }

    public struct StoreError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Present while the pair in use is the one webd made itself (removed by
    /// an install): only such a pair is renewed by `loadOrCreate`.
    var generatedMarkerPath: String { folder + "/certificate.generated" }
    var previousCertificatePath: String { folder + "/certificate.pem.previous" }
    var previousKeyPath: String { folder + "/key.pem.previous" }

    /// How long before its end a certificate webd made is replaced by a new one.
    public static let renewalMargin: TimeInterval = 30 * 86_400

    /// The stored identity, or a new self-signed one written first. A pair
    /// that does not match (an install cut between its two renames) falls
    /// back to the pair it replaced. A pair webd made itself that ends within
    /// `renewalMargin` is replaced by a new one (the old kept as `*.previous`);
    /// an installed pair is never replaced.
    public func loadOrCreate(hostname: String, now: Date = Date()) throws -> Identity {
        let certificate = try AtomicFile.read(certificatePath)
        let key = try AtomicFile.read(keyPath)
        if let certificate, let key {
            let identity = Identity(certificatePEM: String(decoding: certificate, as: UTF8.self), keyPEM: String(decoding: key, as: UTF8.self), generated: false)
            if (try? Self.check(certificatePEM: identity.certificatePEM, keyPEM: identity.keyPEM, now: nil)) != nil {
                guard access(generatedMarkerPath, F_OK) == 0, let leaf = try? Certificate(pemEncoded: identity.certificatePEM),
                      leaf.notValidAfter.timeIntervalSince(now) < Self.renewalMargin else { return identity }
                let made = try Self.selfSigned(hostname: hostname, now: now)
                try install(certificatePEM: made.certificatePEM, keyPEM: made.keyPEM)
                try AtomicFile.write("", to: generatedMarkerPath, mode: 0o600)
                return made
            }
            if let oldCertificate = try AtomicFile.read(previousCertificatePath), let oldKey = try AtomicFile.read(previousKeyPath) {
                let previous = Identity(certificatePEM: String(decoding: oldCertificate, as: UTF8.self), keyPEM: String(decoding: oldKey, as: UTF8.self), generated: false)
                if (try? Self.check(certificatePEM: previous.certificatePEM, keyPEM: previous.keyPEM, now: nil)) != nil { return previous }
            }
            return identity  // TLSPolicy will say what is wrong with it
        }
        if (certificate == nil) != (key == nil) {
            throw StoreError(description: "\(folder) holds only one of certificate.pem and key.pem; restore the other or remove both to generate a new pair")
        }
        let made = try Self.selfSigned(hostname: hostname, now: now)
        try AtomicFile.makeFolders(folder, mode: 0o700)
        try AtomicFile.write(made.keyPEM, to: keyPath, mode: 0o600)
        try AtomicFile.write(made.certificatePEM, to: certificatePath, mode: 0o644)
        try AtomicFile.write("", to: generatedMarkerPath, mode: 0o600)
        return made
    }

    /// What a certificate says, for the system page, the API and the CLI.
    public typealias Summary = WebdMethod.CertificateSummary

    /// Checks an uploaded pair and returns what its certificate says: PEM
    /// certificate chain (leaf first, then each issuer: each certificate
    /// named and signed by the next) and key; the key must be ECDSA P-256 or
    /// P-384 (TLSPolicy's TLS 1.2 suites are ECDSA's) and the leaf's own;
    /// with `now`, every certificate of the chain must be valid at that time.
    public static func check(certificatePEM: String, keyPEM: String, now: Date?) throws(StoreError) -> Summary {
        let chain = try Self.chain(certificatePEM)
        let leaf = chain[0]
        let key: Certificate.PrivateKey
        do { key = try Certificate.PrivateKey(pemEncoded: keyPEM) } catch { throw StoreError(description: "the key is not a PEM private key: \(error)") }
        guard P256.Signing.PublicKey(key.publicKey) != nil || P384.Signing.PublicKey(key.publicKey) != nil else {
            throw StoreError(description: "the key must be ECDSA P-256 or P-384 (webd's TLS 1.2 suites are ECDHE-ECDSA)")
        }
        guard key.publicKey == leaf.publicKey else { throw StoreError(description: "the key does not belong to the certificate (their public keys differ)") }
        for index in chain.indices.dropFirst() {
            let (issued, issuer) = (chain[index - 1], chain[index])
            guard issued.issuer == issuer.subject, issuer.publicKey.isValidSignature(issued.signature, for: issued) else {
                throw StoreError(description: "the chain is out of order: certificate \(index + 1) (\(issuer.subject)) did not issue certificate \(index) (\(issued.subject)); give the server's certificate first, then each issuer in turn")
            }
        }
        if let now {
            guard leaf.notValidBefore <= now else { throw StoreError(description: "the certificate is not valid before \(leaf.notValidBefore)") }
            guard leaf.notValidAfter > now else { throw StoreError(description: "the certificate expired on \(leaf.notValidAfter)") }
            for (index, issuer) in chain.enumerated().dropFirst() {
                guard issuer.notValidBefore <= now, issuer.notValidAfter > now else {
                    throw StoreError(description: "certificate \(index + 1) of the chain (\(issuer.subject)) is valid only from \(issuer.notValidBefore) to \(issuer.notValidAfter)")
                }
            }
        }
        var names: [String] = []
        if let alternatives = try? leaf.extensions.subjectAlternativeNames {
            for name in alternatives {
                switch name {
                case .dnsName(let dns): names.append("DNS:" + dns)
                case .ipAddress(let octets): names.append("IP:" + Self.addressText(Array(octets.bytes)))
                default: names.append(String(describing: name))
                }
            }
        }
        var der = DER.Serializer()
        let fingerprint = (try? der.serialize(leaf)).map { _ in
            SHA256.hash(data: der.serializedBytes).map { byte in
                let digits = Array("0123456789ABCDEF".utf8)
                return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]], as: UTF8.self)
            }.joined(separator: ":")
        } ?? ""
        return Summary(subject: String(describing: leaf.subject), issuer: String(describing: leaf.issuer), subjectAlternativeNames: names,
                       notValidBefore: String(describing: leaf.notValidBefore), notValidAfter: String(describing: leaf.notValidAfter),
                       sha256Fingerprint: fingerprint, selfSigned: leaf.subject == leaf.issuer)
    }

    /// The most certificates a chain may hold (the server's and its issuers).
    public static let maximumChainLength = 8

    /// The certificates of a PEM chain, in the order given; only
    /// `CERTIFICATE` blocks (text around them, as openssl writes, is ignored).
    static func chain(_ pem: String) throws(StoreError) -> [Certificate] {
        let documents: [PEMDocument]
        do { documents = try PEMDocument.parseMultiple(pemString: pem) } catch {
            throw StoreError(description: "the certificate is not a PEM X.509 certificate: \(error)")
        }
        guard !documents.isEmpty else { throw StoreError(description: "the certificate is not a PEM X.509 certificate: no -----BEGIN CERTIFICATE----- block") }
        guard documents.count <= maximumChainLength else {
            throw StoreError(description: "the chain holds \(documents.count) certificates; at most \(maximumChainLength)")
        }
        var chain: [Certificate] = []
        for (index, document) in documents.enumerated() {
            guard document.discriminator == "CERTIFICATE" else {
                throw StoreError(description: "block \(index + 1) of the certificate chain is a \(document.discriminator), not a CERTIFICATE (the key goes on its own)")
            }
            do { chain.append(try Certificate(derEncoded: document.derBytes)) } catch {
                throw StoreError(description: "certificate \(index + 1) of the chain is not an X.509 certificate: \(error)")
            }
        }
        return chain
    }

    /// Installs a checked pair: the current one is kept as `*.previous`, then
    /// the key (0600) and the certificate replace it, each by rename.
    public func install(certificatePEM: String, keyPEM: String) throws {
        for (current, previous) in [(keyPath, previousKeyPath), (certificatePath, previousCertificatePath)] {
            if let bytes = try AtomicFile.read(current) { try AtomicFile.write(bytes, to: previous, mode: current == keyPath ? 0o600 : 0o644) }
        }
        unlink(generatedMarkerPath)
        try AtomicFile.write(keyPEM, to: keyPath, mode: 0o600)
        try AtomicFile.write(certificatePEM, to: certificatePath, mode: 0o644)
    }

    /// An IP SAN as text: IPv6 compressed as RFC 5952 says (`::1`, not
    /// `0:0:0:0:0:0:0:1`), as the configuration writes it.
    static func addressText(_ octets: [UInt8]) -> String {
        IPAddress(octets: octets)?.description ?? octets.map { String($0, radix: 16) }.joined(separator: ":")
    }

    /// A self-signed P-256 certificate: SANs DNS:hostname, IP:127.0.0.1,
    /// IP:::1; serverAuth; not a CA; valid `validity` in all, from an hour
    /// before `now` (397 days: within the 398-day ceiling browsers and
    /// testssl.sh apply; webd renews its own before the end).
    public static let validity: TimeInterval = 397 * 86_400

    public static func selfSigned(hostname: String, now: Date) throws -> Identity {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(hostname) }
        let loopbackV6: [UInt8] = Array(repeating: 0, count: 15) + [1]
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames([
                .dnsName(hostname),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice(loopbackV6))),
            ])
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(-3600 + validity),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: .init(key))
        return Identity(certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: key.pemRepresentation, generated: true)
    }
}
