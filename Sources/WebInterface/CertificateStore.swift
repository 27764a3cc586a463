#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ApplianceCore
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

    /// The stored identity, or a new self-signed one written first.
    public func loadOrCreate(hostname: String, now: Date = Date()) throws -> Identity {
        let certificate = try AtomicFile.read(certificatePath)
        let key = try AtomicFile.read(keyPath)
        if let certificate, let key {
            return Identity(certificatePEM: String(decoding: certificate, as: UTF8.self), keyPEM: String(decoding: key, as: UTF8.self), generated: false)
        }
        if (certificate == nil) != (key == nil) {
            throw StoreError(description: "\(folder) holds only one of certificate.pem and key.pem; restore the other or remove both to generate a new pair")
        }
        let made = try Self.selfSigned(hostname: hostname, now: now)
        try AtomicFile.makeFolders(folder, mode: 0o700)
        try AtomicFile.write(made.keyPEM, to: keyPath, mode: 0o600)
        try AtomicFile.write(made.certificatePEM, to: certificatePath, mode: 0o644)
        return made
    }

    /// A self-signed P-256 certificate: SANs DNS:hostname, IP:127.0.0.1,
    /// IP:::1; serverAuth; not a CA; valid 825 days (the CA/Browser Forum's
    /// old ceiling, which browsers still apply to certificates users accept).
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
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(825 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions, issuerPrivateKey: .init(key))
        return Identity(certificatePEM: try certificate.serializeAsPEM().pemString, keyPEM: key.pemRepresentation, generated: true)
    }
}
