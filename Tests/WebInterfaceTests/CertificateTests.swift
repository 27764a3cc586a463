#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Crypto
import Glibc
import NIOSSL
import SwiftASN1
import Testing
import X509
@testable import WebInterface

/// The first-start certificate: P-256, the right SANs, the key kept 0600,
/// made once and then reused; and the TLS settings built from it.
@Suite struct CertificateTests {
    static func temporaryFolder() -> String {
        var template = Array("/tmp/webd-cert-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: made!) + "/webd"
    }

    /// Removes the temporary folder around a store's folder.
    static func remove(_ storeFolder: String) {
        try? FileManager.default.removeItem(atPath: String(storeFolder.dropLast("/webd".count)))
    }

    /// The summary the certificate page and the CLI show: IPv6 SANs
    /// compressed (RFC 5952), not `IP:0:0:0:0:0:0:0:1`.
    @Test func theSummaryWritesIPv6AlternativeNamesCompressed() throws {
        let made = try CertificateStore.selfSigned(hostname: "encoder-7", now: Date())
        let summary = try CertificateStore.check(certificatePEM: made.certificatePEM, keyPEM: made.keyPEM, now: Date())
        #expect(summary.subjectAlternativeNames == ["DNS:encoder-7", "IP:127.0.0.1", "IP:::1"])
        #expect(CertificateStore.addressText([0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [7]) == "2001:db8::7")
    }

    @Test func firstStartMakesAP256CertificateForTheHostnameAndLoopbacksWithA0600Key() throws {
        let store = CertificateStore(folder: Self.temporaryFolder())
        defer { Self.remove(store.folder) }
        let made = try store.loadOrCreate(hostname: "encoder-7")
        #expect(made.generated)
        let certificate = try Certificate(pemEncoded: made.certificatePEM)
        #expect(certificate.subject == certificate.issuer)
        #expect(certificate.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(try P256.Signing.PublicKey(certificate.publicKey) != nil)
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("encoder-7")))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(Array(repeating: 0, count: 15) + [1])))))
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
        var info = stat()
        #expect(stat(store.keyPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(store.folder, &info) == 0 && info.st_mode & 0o777 == 0o700)

        let again = try store.loadOrCreate(hostname: "encoder-7")
        #expect(!again.generated)
        #expect(again.certificatePEM == made.certificatePEM)
    }

    /// testssl.sh (and browsers for certificates users accept) flag a
    /// certificate valid longer than 398 days; webd's own stays within it.
    @Test func theSelfSignedCertificateIsValidAtMost398Days() throws {
        let now = Date()
        let certificate = try Certificate(pemEncoded: CertificateStore.selfSigned(hostname: "a", now: now).certificatePEM)
        let days = certificate.notValidAfter.timeIntervalSince(certificate.notValidBefore) / 86_400
        #expect(days <= 398, "valid \(days) days")
        #expect(certificate.notValidBefore <= now && certificate.notValidAfter > now.addingTimeInterval(390 * 86_400))
    }

    /// A pair webd made that ends within 30 days is replaced at the next
    /// start (the old one kept as previous); a pair an admin installed,
    /// even a self-signed one about to end, is never replaced.
    @Test func webdRenewsOnlyItsOwnCertificateBeforeItEnds() throws {
        let store = CertificateStore(folder: Self.temporaryFolder())
        defer { Self.remove(store.folder) }
        let start = Date()
        let made = try store.loadOrCreate(hostname: "encoder-7", now: start)
        let early = try store.loadOrCreate(hostname: "encoder-7", now: start.addingTimeInterval(300 * 86_400))
        #expect(early.certificatePEM == made.certificatePEM && !early.generated)
        let late = start.addingTimeInterval(CertificateStore.validity - 20 * 86_400)
        let renewed = try store.loadOrCreate(hostname: "encoder-7", now: late)
        #expect(renewed.generated && renewed.certificatePEM != made.certificatePEM)
        #expect(try Certificate(pemEncoded: renewed.certificatePEM).notValidAfter > late.addingTimeInterval(300 * 86_400))
        #expect(try store.loadOrCreate(hostname: "encoder-7", now: late).certificatePEM == renewed.certificatePEM)

        let installed = try CertificateStore.selfSigned(hostname: "installed", now: start)
        try store.install(certificatePEM: installed.certificatePEM, keyPEM: installed.keyPEM)
        let kept = try store.loadOrCreate(hostname: "encoder-7", now: late)
        #expect(kept.certificatePEM == installed.certificatePEM && !kept.generated)
    }

    @Test func aStoreWithOnlyOneOfThePairRefusesToStart() throws {
        let store = CertificateStore(folder: Self.temporaryFolder())
        defer { Self.remove(store.folder) }
        _ = try store.loadOrCreate(hostname: "a")
        unlink(store.keyPath)
        #expect(throws: CertificateStore.StoreError.self) { try store.loadOrCreate(hostname: "a") }
    }

    @Test func tlsSettingsAllowOnly12And13AndAEADSuites() throws {
        let made = try CertificateStore.selfSigned(hostname: "a", now: Date())
        let tls = try TLSPolicy.serverConfiguration(certificatePEM: made.certificatePEM, keyPEM: made.keyPEM)
        #expect(tls.minimumTLSVersion == .tlsv12)
        #expect(tls.maximumTLSVersion == .tlsv13)
        #expect(tls.cipherSuiteValues == TLSPolicy.tls12CipherSuites)
        #expect(tls.cipherSuites.contains("GCM") && !tls.cipherSuites.contains("CBC"))
        _ = try NIOSSLContext(configuration: tls)
    }
}
