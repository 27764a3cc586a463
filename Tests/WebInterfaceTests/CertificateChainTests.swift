import Crypto
import Foundation
import SwiftASN1
import Testing
import X509
@testable import WebInterface

/// The chain an admin installs (web upload and CLI alike): the server's
/// certificate first, then each issuer, each certificate named and signed by
/// the next, all valid now.
@Suite struct CertificateChainTests {
    let now = Date()
    let caKey = P256.Signing.PrivateKey()
    let leafKey = P256.Signing.PrivateKey()

    func make(_ name: String, key: P256.Signing.PrivateKey, issuer: String, issuerKey: P256.Signing.PrivateKey, authority: Bool,
              from start: TimeInterval = -3600, to end: TimeInterval = 30 * 86_400) throws -> String {
        let extensions = try Certificate.Extensions {
            Critical(authority ? BasicConstraints.isCertificateAuthority(maxPathLength: nil) : BasicConstraints.notCertificateAuthority)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(start), notValidAfter: now.addingTimeInterval(end),
            issuer: try DistinguishedName { CommonName(issuer) }, subject: try DistinguishedName { CommonName(name) },
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: .init(issuerKey))
        return try certificate.serializeAsPEM().pemString + "\n"
    }

    func refusal(_ chain: String, key: String? = nil) -> String {
        do {
            _ = try CertificateStore.check(certificatePEM: chain, keyPEM: key ?? leafKey.pemRepresentation, now: now)
            return ""
        } catch {
            return error.description
        }
    }

    @Test func aChainInOrderIsAcceptedAndTheLeafDescribed() throws {
        let leaf = try make("leaf.example", key: leafKey, issuer: "Test CA", issuerKey: caKey, authority: false)
        let ca = try make("Test CA", key: caKey, issuer: "Test CA", issuerKey: caKey, authority: true)
        let summary = try CertificateStore.check(certificatePEM: "subject=CN = leaf.example\n" + leaf + ca, keyPEM: leafKey.pemRepresentation, now: now)
        #expect(summary.subject == "CN=leaf.example" && summary.issuer == "CN=Test CA" && !summary.selfSigned)
    }

    @Test func anIssuerThatDidNotSignTheCertificateBeforeItIsOutOfOrder() throws {
        let leaf = try make("leaf.example", key: leafKey, issuer: "Test CA", issuerKey: caKey, authority: false)
        let other = try make("Other CA", key: P256.Signing.PrivateKey(), issuer: "Other CA", issuerKey: P256.Signing.PrivateKey(), authority: true)
        #expect(refusal(leaf + other).contains("the chain is out of order: certificate 2 (CN=Other CA) did not issue certificate 1 (CN=leaf.example)"))
        // The right name with another key: the signature decides.
        let impostorKey = P256.Signing.PrivateKey()
        let impostor = try make("Test CA", key: impostorKey, issuer: "Test CA", issuerKey: impostorKey, authority: true)
        #expect(refusal(leaf + impostor).contains("out of order"))
        // The issuer first: the key is not the first certificate's.
        let ca = try make("Test CA", key: caKey, issuer: "Test CA", issuerKey: caKey, authority: true)
        #expect(refusal(ca + leaf).contains("the key does not belong to the certificate"))
    }

    @Test func anExpiredIssuerAKeyBlockAndTooLongAChainAreRefused() throws {
        let leaf = try make("leaf.example", key: leafKey, issuer: "Test CA", issuerKey: caKey, authority: false)
        let expired = try make("Test CA", key: caKey, issuer: "Test CA", issuerKey: caKey, authority: true, from: -86_400 * 10, to: -86_400)
        #expect(refusal(leaf + expired).contains("certificate 2 of the chain (CN=Test CA) is valid only from"))
        #expect(refusal(leaf + leafKey.pemRepresentation).contains("block 2 of the certificate chain is a PRIVATE KEY, not a CERTIFICATE"))
        let ca = try make("Test CA", key: caKey, issuer: "Test CA", issuerKey: caKey, authority: true)
        #expect(refusal(leaf + String(repeating: ca, count: CertificateStore.maximumChainLength)).contains("at most \(CertificateStore.maximumChainLength)"))
        #expect(refusal("no PEM here").contains("the certificate is not a PEM X.509 certificate"))
    }
}
