import Configuration

/// sessmgrd's permission table (sessmgrd.sock). Streams are changed through
/// configd; here they are read, started and stopped.
public enum SessmgrdAccess {
    static let readers: [CallerClass: Grant] = [.privileged: .allowed, .service(.webd): .allowed, .service(.snmpd): .allowed]
    static let control: [Role: Grant] = [.admin: .allowed, .operator: .allowed]

    public static let table = AccessTable(daemon: "sessmgrd", [
        (SessmgrdMethod.List.name, AccessRule("reading streams", callers: readers, roles: AccessRule.anyRole)),
        (SessmgrdMethod.Status.name, AccessRule("reading streams", callers: readers, roles: AccessRule.anyRole)),
        (SessmgrdMethod.Start.name, AccessRule("starting and stopping streams", callers: [.privileged: .allowed], roles: control)),
        (SessmgrdMethod.Stop.name, AccessRule("starting and stopping streams", callers: [.privileged: .allowed], roles: control)),
    ])
}
