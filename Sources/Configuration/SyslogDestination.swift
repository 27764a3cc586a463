/// A remote syslog collector over TLS.
public struct SyslogDestination: Codable, Equatable, Sendable {
    /// The collector.
    public var host: NetworkHost
    /// Its TCP port (6514, RFC 5425 §4.1).
    public var port: UInt16
    /// How its certificate is trusted (RFC 5425 §5.1: certificate path
    /// validation or fingerprint matching).
    public var trust: SyslogTrust
    /// The appliance's client certificate, when the collector asks for one.
    public var clientCertificatePath: String?
    /// The key of that certificate.
    public var clientKeyPath: String?
    /// With `caSigned` trust, the name the collector's certificate must carry
    /// (RFC 5425 §5.2: the permitted peer); nil: the host as configured.
    public var permittedPeer: NetworkHost?

    /// The syslog-over-TLS port.
    public static let defaultPort: UInt16 = 6514

    public init(host: NetworkHost, port: UInt16 = SyslogDestination.defaultPort, trust: SyslogTrust,
                clientCertificatePath: String? = nil, clientKeyPath: String? = nil, permittedPeer: NetworkHost? = nil) {
        self.host = host
        self.port = port
        self.trust = trust
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
        self.permittedPeer = permittedPeer
    }

    /// The name checked against the collector's certificate in `caSigned` mode.
    public var expectedPeer: NetworkHost { permittedPeer ?? host }

    /// How status and events name this destination: `host:port` (`[v6]:port`).
    public var label: String {
        host.address?.family == .ipv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// How a collector's certificate is trusted (RFC 5425 §5.1).
public enum SyslogTrust: Codable, Equatable, Sendable {
    /// Path validation against the CA certificates in this PEM bundle.
    case caSigned(bundlePath: String)
    /// The certificate's SHA-256 fingerprint must match (RFC 5425 §4.2.2).
    case fingerprint(CertificateFingerprint)
}
