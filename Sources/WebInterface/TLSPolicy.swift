import NIOSSL

/// The TLS webd offers: TLS 1.2 and 1.3 only, and in 1.2 only ECDHE with
/// ECDSA and an AEAD cipher (AES-GCM, ChaCha20-Poly1305), as Mozilla's
/// "intermediate" profile for an ECDSA certificate. TLS 1.3's suites are
/// all AEAD by definition (RFC 8446 §9.1); BoringSSL's set is kept.
public enum TLSPolicy {
    public static let tls12CipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        .TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        .TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ]

    public static func serverConfiguration(certificatePEM: String, keyPEM: String) throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.cipherSuiteValues = tls12CipherSuites
        // HTTP/1.1 only; no renegotiation (NIOSSL never allows it for servers).
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }
}
