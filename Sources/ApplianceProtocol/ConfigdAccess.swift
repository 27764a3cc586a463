import Configuration

/// configd's permission table (configd.sock). What a role may read or change
/// inside the configuration is `Role.permissions` (by section); this table
/// says who may call each method at all.
public enum ConfigdAccess {
    static let ownSections = "its own sections only (ApplianceService.readableSections), secrets withheld"
    static let roleSections = "the sections its role may read (Role.permissions)"

    public static let table = AccessTable(daemon: "configd", [
        (ConfigdMethod.Get.name, AccessRule("reading the configuration",
            callers: [.privileged: .allowed, .service(.webd): .limited(ownSections), .service(.snmpd): .limited(ownSections),
                      .service(.sessmgrd): .limited(ownSections), .service(.auditd): .limited(ownSections)],
            roles: [.admin: .allowed, .operator: .limited(roleSections), .viewer: .limited(roleSections)])),
        (ConfigdMethod.Watch.name, AccessRule("watching the configuration",
            callers: [.privileged: .allowed, .service(.webd): .limited(ownSections), .service(.snmpd): .limited(ownSections),
                      .service(.sessmgrd): .limited(ownSections), .service(.auditd): .limited(ownSections)],
            roles: [.admin: .allowed, .operator: .limited(roleSections), .viewer: .limited(roleSections)])),
        (ConfigdMethod.Authenticate.name, AccessRule("signing in",
            callers: [.privileged: .allowed, .service(.webd): .allowed])),
        (ConfigdMethod.SessionCheck.name, AccessRule("checking a session",
            callers: [.privileged: .allowed, .service(.webd): .allowed, .service(.sessmgrd): .allowed, .service(.auditd): .allowed])),
        (ConfigdMethod.Logout.name, AccessRule("signing out",
            callers: AccessRule.anyCaller.mapValues { _ in .limited("whoever holds the session's token") })),
        (ConfigdMethod.Apply.name, AccessRule("changing the configuration",
            callers: [.privileged: .allowed,
                      .service(.snmpd): .limited("an SNMP Set for an existing SNMP user: hostname, system contact, system location only")],
            roles: [.admin: .limited("never locks, demotes or deletes its own account"),
                    .operator: .limited("the sections its role may change (Role.permissions): streams")])),
        (ConfigdMethod.Save.name, AccessRule("saving the configuration",
            callers: [.privileged: .allowed], roles: [.admin: .allowed, .operator: .allowed])),
        (ConfigdMethod.Revert.name, AccessRule("reverting the running configuration",
            callers: [.privileged: .allowed], roles: [.admin: .allowed])),
        (ConfigdMethod.Diff.name, AccessRule("comparing running and startup configuration",
            callers: [.privileged: .allowed],
            roles: [.admin: .allowed, .operator: .limited(roleSections), .viewer: .limited(roleSections)])),
        (ConfigdMethod.SetPassword.name, AccessRule("changing a password",
            callers: [.privileged: .allowed],
            roles: [.admin: .allowed, .operator: .limited("its own password only"), .viewer: .limited("its own password only")])),
        (ConfigdMethod.OpenSession.name, AccessRule("opening a session for an ssh login",
            callers: AccessRule.anyCaller.mapValues { _ in .limited("the account of its own OS user, in group appliance-accounts") }
                .merging([.privileged: .allowed]) { $1 })),
        (ConfigdMethod.KeyOwnerLookup.name, AccessRule("looking up a public key's account",
            callers: AccessRule.anyCaller)),
        (ConfigdMethod.APITokenCreate.name, AccessRule("creating an API token",
            callers: [.privileged: .allowed], roles: [.admin: .allowed])),
        (ConfigdMethod.APITokenList.name, AccessRule("listing API tokens",
            callers: [.privileged: .allowed],
            roles: [.admin: .allowed, .operator: .limited("its own tokens only"), .viewer: .limited("its own tokens only")])),
        (ConfigdMethod.APITokenRevoke.name, AccessRule("revoking an API token",
            callers: [.privileged: .allowed], roles: [.admin: .allowed])),
        (ConfigdMethod.Status.name, AccessRule("reading configd's status", callers: AccessRule.anyCaller)),
    ])
}
