import Configuration

/// webd's permission table (webd.sock; the web interface's own users are
/// checked by webd per route with their sessions).
public enum WebdAccess {
    public static let table = AccessTable(daemon: "webd", [
        (WebdMethod.Status.name, AccessRule("reading webd's status", callers: AccessRule.anyCaller)),
        (WebdMethod.CurrentCertificate.name, AccessRule("reading the certificate in service",
            callers: [.privileged: .allowed], roles: AccessRule.anyRole)),
        (WebdMethod.CertificateInstall.name, AccessRule("installing a certificate",
            callers: [.privileged: .allowed], roles: [.admin: .allowed])),
    ])
}
