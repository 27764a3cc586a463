import ApplianceCore
import Configuration
/// webd's control methods (`run/appliance/webd.sock`, mode 0666: each
/// method checks its caller). Here rather than in webd's library so that the
/// CLI reaches webd without linking the web server.
public enum WebdMethod {
    public struct StatusResult: Codable, Sendable, Equatable {
        public var httpsPort: Int
        public var httpPort: Int
        /// The host name the redirect and the certificate's first start use.
        public var hostname: String
        public var openConnections: Int
        public var maximumConnections: Int
        /// `WebCounters.Counter` names to values since start.
        public var counters: [String: Int]
        public var certificatePath: String

        public init(httpsPort: Int, httpPort: Int, hostname: String, openConnections: Int, maximumConnections: Int, counters: [String: Int],
                    certificatePath: String) {
            self.httpsPort = httpsPort
            self.httpPort = httpPort
            self.hostname = hostname
            self.openConnections = openConnections
            self.maximumConnections = maximumConnections
            self.counters = counters
            self.certificatePath = certificatePath
        }
    }

    /// Anyone who can reach the socket (it reveals no secret).
    public enum Status: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = StatusResult
        public static let name = "status"
    }

    /// What a certificate says (`GET /api/v1/certificate`, `show certificate`).
    public struct CertificateSummary: Codable, Sendable, Equatable {
        public var subject: String
        public var issuer: String
        public var subjectAlternativeNames: [String]
        public var notValidBefore: String
        public var notValidAfter: String
        /// SHA-256 of the leaf's DER, colon-separated hex.
        public var sha256Fingerprint: String
        public var selfSigned: Bool

        public init(subject: String, issuer: String, subjectAlternativeNames: [String], notValidBefore: String, notValidAfter: String,
                    sha256Fingerprint: String, selfSigned: Bool) {
            self.subject = subject
            self.issuer = issuer
            self.subjectAlternativeNames = subjectAlternativeNames
            self.notValidBefore = notValidBefore
            self.notValidAfter = notValidAfter
            self.sha256Fingerprint = sha256Fingerprint
            self.selfSigned = selfSigned
        }
    }

    public struct CertificateParameters: Codable, Sendable {
        /// A configd session (the CLI of an ssh login); nil for root or
        /// webd's own user.
        public var session: String?
        public init(session: String? = nil) { self.session = session }
    }

    /// The certificate in service: any signed-in role, root, webd's user.
    public enum CurrentCertificate: ControlMethod {
        public typealias Parameters = CertificateParameters
        public typealias Result = CertificateSummary
        public static let name = "certificate"
    }

    /// A PEM certificate chain (leaf first) and its private key. The key is
    /// never logged or audited; its description leaves it out.
    public struct InstallParameters: Codable, Sendable, CustomStringConvertible {
        public var session: String?
        public var certificate: String
        public var key: String
        /// Where the request came from, for the audit trail: `cli` or `ssh`
        /// and the terminal or the ssh client's address.
        public var channel: String?
        public var peer: String?

        public init(session: String?, certificate: String, key: String, channel: String? = nil, peer: String? = nil) {
            self.session = session
            self.certificate = certificate
            self.key = key
            self.channel = channel
            self.peer = peer
        }

        public var description: String { "certificate-install(\(certificate.utf8.count) bytes of certificate, a key)" }
    }

    /// Checks and installs a pair exactly as the web upload does (same
    /// checks, same messages, the old pair kept as `*.previous`); new
    /// connections present it at once. An admin's session, root or webd's
    /// own user; every install and refusal is audited, never the key.
    public enum CertificateInstall: ControlMethod {
        public typealias Parameters = InstallParameters
        public typealias Result = CertificateSummary
        public static let name = "certificate-install"
    }
}
