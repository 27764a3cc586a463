import Configuration

/// snmpd's permission table (snmpd.sock). SNMP requests themselves are
/// checked by USM and the user's role (MIB views).
public enum SnmpdAccess {
    public static let table = AccessTable(daemon: "snmpd", [
        (SnmpdMethod.Status.name, AccessRule("reading snmpd's status", callers: AccessRule.anyCaller)),
    ])
}
