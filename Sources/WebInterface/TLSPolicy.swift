import NIOSSL

/// The TLS webd offers: TLS 1.2 and 1.3 only. In 1.2 one suite,
/// ECDHE-ECDSA with AES-128-GCM (every TLS 1.2 client that takes an ECDSA
/// certificate has it): NIOSSL gives no way to make BoringSSL keep the
/// server's order, and with one suite the client has no weaker choice to
/// make (testssl.sh's "server cipher order" check passes). TLS 1.3's suites
/// are all AEAD by definition (RFC 8446 §9.1); BoringSSL's set is kept.
public enum TLSPolicy {
    public static let tls12CipherSuites: [NIOTLSCipher] = [
        .TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
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
