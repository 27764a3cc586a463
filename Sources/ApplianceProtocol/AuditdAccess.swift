import Configuration

/// auditd's permission table (auditd.sock). The intake (audit.sock) takes
/// datagrams from anyone and stamps each with the sender's credentials.
public enum AuditdAccess {
    public static let table = AccessTable(daemon: "auditd", [
        (AuditdMethod.Query.name, AccessRule("reading the audit log",
            callers: [.privileged: .allowed, .service(.webd): .allowed], roles: [.admin: .allowed])),
        (AuditdMethod.Status.name, AccessRule("reading auditd's status", callers: AccessRule.anyCaller)),
    ])
}
