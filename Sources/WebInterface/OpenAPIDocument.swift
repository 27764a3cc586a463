import ApplianceProtocol
import Configuration
import ApplianceCore

/// The OpenAPI 3.0 document of the API, served at `GET /api/v1/openapi.json`:
/// the schemas are recorded from the request and response types themselves
/// (`SchemaRecorder`), the operations are `operations`. docs/openapi.json is
/// a copy for readers, checked against this by OpenAPITests (which rewrites
/// it with `OPENAPI_WRITE=1`).
public enum OpenAPIDocument {
    /// Built once, at first use.
    public static let json: String = document.rendered()

    public static var document: JSONValue {
        OpenAPIBuilder(components: components).document(info: info, securitySchemes: securitySchemes, operations: operations)
    }

    static var info: JSONValue {
        ["title": "webd API", "version": "1",
         "description": #"The JSON API of the appliance's web interface. Every change goes through configd (role-checked with the session) and is audited. Errors are {"error": "..."}."#]
    }

    static var securitySchemes: JSONValue {
        [
            "session": ["type": "apiKey", "in": "cookie", "name": .string(SessionCookie.session),
                        "description": "Set by POST /api/v1/session (Secure, HttpOnly, SameSite=Strict)."],
            "csrf": ["type": "apiKey", "in": "header", "name": .string(CSRFTokens.headerName),
                     "description": "The csrfToken that sign-in returned; needed by every state-changing request."],
            "bearer": ["type": "http", "scheme": "bearer",
                       "description": "An API token (apt_...) from POST /api/v1/tokens; acts as its account with the account's current role, no CSRF header."],
        ]
    }

    static var components: [APISchema] {
        typealias R = WebRoutes
        return [
            APISchema("Error", ErrorBody.self),
            APISchema("Certificate", WebdMethod.CertificateSummary.self),
            APISchema("CertificateUpload", R.CertificateUpload.self),
            APISchema("APIToken", ConfigdMethod.APITokenInfo.self),
            APISchema("APITokens", R.APITokenList.self),
            APISchema("APITokenCreate", R.TokenRequest.self),
            APISchema("APITokenIssued", ConfigdMethod.APITokenIssued.self),
            APISchema("Credentials", R.Credentials.self),
            APISchema("Session", SessionView.self),
            APISchema("PasswordChange", R.PasswordChange.self),
            APISchema("System", R.SystemView.self),
            APISchema("Processes", R.ProcessList.self),
            APISchema("StreamStatus", StreamStatus.self),
            APISchema("Streams", SessmgrdMethod.StatusResult.self),
            APISchema("StreamCreate", StreamChange.self, required: ["name", "source", "destination"]),
            APISchema("StreamPatch", StreamChange.self, extra: ["minProperties": 1]),
            APISchema("Started", SessmgrdMethod.Started.self),
            APISchema("Change", ChangeView.self),
            // One type read (every key present) and patched (any, at least one).
            APISchema("Policy", PolicyView.self, required: PolicyView.fields),
            APISchema("PolicyPatch", PolicyView.self, extra: ["minProperties": 1]),
            APISchema("SystemPatch", SystemChange.self, extra: ["minProperties": 1]),
            APISchema("Diff", ConfigdMethod.DiffResult.self),
            APISchema("Account", AccountView.self),
            APISchema("Accounts", R.AccountList.self),
            APISchema("AccountCreate", R.AccountCreate.self),
            APISchema("AccountPatch", R.AccountUpdate.self, extra: ["minProperties": 1]),
            APISchema("AccountPassword", R.AccountPassword.self),
            APISchema("AccountKey", R.AccountKey.self),
            APISchema("SNMP", SNMPView.self),
            APISchema("SNMPUserCreate", SNMPChange.NewUser.self, extra: [
                "description": "the localized keys (authKey, privKey), or the pass phrases (authPassphrase, privPassphrase) webd localizes to snmpd's engine ID (RFC 3414 A.2); not both",
                "oneOf": [["required": ["authKey", "privKey"]], ["required": ["authPassphrase", "privPassphrase"]]],
            ]),
            APISchema("SNMPTrapCreate", SNMPChange.NewTrap.self),
            APISchema("AuditDestination", AuditDestinationView.self),
            APISchema("AuditDestinations", R.AuditDestinationList.self),
            APISchema("AuditDestinationCreate", AuditChange.NewDestination.self),
            APISchema("AuditEvents", AuditdMethod.QueryResult.self),
            APISchema("Revision", ConfigdMethod.Revision.self),
        ]
    }

    /// Every operation of the API. OpenAPITests checks that the router
    /// serves exactly these, so a route cannot go undocumented.
    static var operations: [APIOperation] {
        typealias O = APIOperation
        typealias R = WebRoutes
        let account = APIParameter.path("name", ["type": "string", "minLength": 1, "maxLength": 64])
        let stream = APIParameter.path("name", ["type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"])
        let port = APIParameter.query("port", ["type": "integer", "minimum": 1, "maximum": 65535])
        let change = O.ok(.component("Change"))
        let created = O.created(.component("Change"))
        return [
            O("get", "/api/v1/openapi.json", "This document", security: .none,
              success: (200, "The OpenAPI document", APIBody.schema(["type": "object"])), errors: []),
            O("post", "/api/v1/session", "Sign in", security: .none, request: .component("Credentials"),
              success: O.ok(.component("Session")), errors: [400, 401, 403, 413, 415, 429, 503]),
            O("get", "/api/v1/session", "Who is signed in", success: O.ok(.component("Session")), errors: [401, 503]),
            O("delete", "/api/v1/session", "Sign out", security: .changing, success: O.ok(.inline(R.SignedOut.self)), errors: [401, 403, 503]),
            O("post", "/api/v1/password", "Change one's own password", security: .changing, request: .component("PasswordChange"),
              success: O.ok(.inline(R.PasswordChanged.self)), errors: [400, 401, 403, 413, 415, 503]),
            O("get", "/api/v1/system", "Host name, banner, time, NTP, host figures, configuration state",
              success: O.ok(.component("System")), errors: [401, 403, 503]),
            O("patch", "/api/v1/system", "Change host name, banner, location, contact, NTP servers", security: .changing,
              request: .component("SystemPatch"), success: change, errors: [400, 401, 403, 413, 415, 503]),
            O("get", "/api/v1/policy", "The security policy", success: O.ok(.component("Policy")), errors: [401, 403, 503]),
            O("patch", "/api/v1/policy", "Change the security policy", security: .changing, request: .component("PolicyPatch"),
              success: change, errors: [400, 401, 403, 413, 415, 503]),
            O("get", "/api/v1/accounts", "Every account (admin)", success: O.ok(.component("Accounts")), errors: [401, 403, 503]),
            O("post", "/api/v1/accounts", "Create an account with its initial password (admin)", security: .changing,
              request: .component("AccountCreate"), success: created, errors: [400, 401, 403, 409, 413, 415, 503]),
            O("patch", "/api/v1/accounts/{name}", "Change role or lock (admin)", security: .changing, parameters: [account],
              request: .component("AccountPatch"), success: change, errors: [400, 401, 403, 413, 415, 503]),
            O("delete", "/api/v1/accounts/{name}", "Delete an account (admin)", security: .changing, parameters: [account],
              success: change, errors: [400, 401, 403, 503]),
            O("post", "/api/v1/accounts/{name}/password", "Set an account's password (admin)", security: .changing, parameters: [account],
              request: .component("AccountPassword"), success: O.ok(.inline(R.PasswordSet.self)), errors: [400, 401, 403, 413, 415, 503]),
            O("post", "/api/v1/accounts/{name}/keys", "Add an ssh public key (admin)", security: .changing, parameters: [account],
              request: .component("AccountKey"), success: created, errors: [400, 401, 403, 413, 415, 503]),
            O("delete", "/api/v1/accounts/{name}/keys", "Remove an ssh public key (admin)", security: .changing, parameters: [account],
              request: .component("AccountKey"), success: change, errors: [400, 401, 403, 413, 415, 503]),
            O("get", "/api/v1/snmp", "SNMP users (no keys) and trap receivers", success: O.ok(.component("SNMP")), errors: [401, 403, 503]),
            O("post", "/api/v1/snmp/users", "Add or replace an SNMP user (admin)", security: .changing, request: .component("SNMPUserCreate"),
              success: created, errors: [400, 401, 403, 413, 415, 503]),
            O("delete", "/api/v1/snmp/users/{name}", "Delete an SNMP user (admin)", security: .changing, parameters: [.path("name")],
              success: change, errors: [400, 401, 403, 503]),
            O("post", "/api/v1/snmp/traps", "Add or replace a trap receiver (admin)", security: .changing, request: .component("SNMPTrapCreate"),
              success: created, errors: [400, 401, 403, 413, 415, 503]),
            O("delete", "/api/v1/snmp/traps/{host}", "Delete a trap receiver (admin)", security: .changing, parameters: [.path("host"), port],
              success: change, errors: [400, 401, 403, 503]),
            O("get", "/api/v1/audit/destinations", "Remote audit destinations with auditd's live status",
              success: O.ok(.component("AuditDestinations")), errors: [401, 403, 503]),
            O("post", "/api/v1/audit/destinations", "Add or replace a remote destination (admin)", security: .changing,
              request: .component("AuditDestinationCreate"), success: created, errors: [400, 401, 403, 413, 415, 503]),
            O("delete", "/api/v1/audit/destinations/{host}", "Delete a remote destination (admin)", security: .changing,
              parameters: [.path("host"), port], success: change, errors: [400, 401, 403, 503]),
            O("get", "/api/v1/audit/events", "Search the local audit log (admin; auditd checks the session)",
              parameters: ["text", "account", "service"].map { APIParameter.query($0, ["type": "string", "maxLength": 256]) } + [
                  APIParameter.query("severity", ["type": "integer", "minimum": 0, "maximum": 7]),
                  APIParameter.query("last", ["type": "integer", "minimum": 1, "maximum": 1000]),
              ], success: O.ok(.component("AuditEvents")), errors: [400, 401, 403, 503]),
            O("post", "/api/v1/config/revert", "Startup becomes running again", security: .changing,
              success: O.ok(.component("Revision")), errors: [401, 403, 500, 503]),
            O("get", "/api/v1/config/diff", "Running against startup", success: O.ok(.component("Diff")), errors: [401, 403, 503]),
            O("get", "/api/v1/processes", "procmon's processes", success: O.ok(.component("Processes")), errors: [401, 403, 503]),
            O("get", "/api/v1/streams", "sessmgrd's status of every stream", success: O.ok(.component("Streams")), errors: [401, 403, 503]),
            O("post", "/api/v1/streams", "Create a stream (configd apply)", security: .changing, request: .component("StreamCreate"),
              success: created, errors: [400, 401, 403, 409, 413, 415, 503]),
            O("get", "/api/v1/streams/{name}", "One stream's whole status", parameters: [stream],
              success: O.ok(.component("StreamStatus")), errors: [400, 401, 403, 404, 503]),
            O("patch", "/api/v1/streams/{name}", "Change a stream's fields", security: .changing, parameters: [stream],
              request: .component("StreamPatch"), success: change, errors: [400, 401, 403, 404, 413, 415, 503]),
            O("delete", "/api/v1/streams/{name}", "Delete a stream", security: .changing, parameters: [stream],
              success: change, errors: [400, 401, 403, 404, 503]),
            O("post", "/api/v1/streams/{name}/start", "Start a stream", security: .changing, parameters: [stream],
              success: O.ok(.component("Started")), errors: [400, 401, 403, 404, 503]),
            O("post", "/api/v1/streams/{name}/stop", "Stop a stream", security: .changing, parameters: [stream],
              success: O.ok(.component("Started")), errors: [400, 401, 403, 404, 503]),
            O("get", "/api/v1/config/running", "The running configuration as text (secrets withheld)",
              success: (200, "Configuration lines", APIBody.schema(["type": "string"], contentType: "text/plain")), errors: [401, 403, 503]),
            O("get", "/api/v1/certificate", "The certificate in service", success: O.ok(.component("Certificate")), errors: [401, 403, 404, 503]),
            O("put", "/api/v1/certificate", "Install a certificate and key (admin); new connections present it at once", security: .changing,
              request: .component("CertificateUpload"), success: O.ok(.component("Certificate")), errors: [400, 401, 403, 404, 413, 422, 500, 503]),
            O("get", "/api/v1/tokens", "API tokens (admin: all; others: their own)", success: O.ok(.component("APITokens")), errors: [401, 403, 503]),
            O("post", "/api/v1/tokens", "Create an API token (admin); the secret is in this answer only", security: .changing,
              request: .component("APITokenCreate"), success: O.created(.component("APITokenIssued")), errors: [400, 401, 403, 413, 415, 503]),
            O("delete", "/api/v1/tokens/{id}", "Revoke an API token (admin)", security: .changing,
              parameters: [.path("id", ["type": "string", "pattern": "^[0-9a-f]{16}$"])],
              success: O.ok(.inline(R.Revoked.self)), errors: [400, 401, 403, 503]),
            O("post", "/api/v1/config/save", "Copy running to startup", security: .changing,
              success: O.ok(.component("Revision")), errors: [401, 403, 500, 503]),
        ]
    }
}

// MARK: what the types' fields cannot say

extension JSONValue {
    /// `{"type": "string", "enum": [...]}` of a string enumeration's cases.
    static func cases<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> JSONValue where E.RawValue == String {
        ["type": "string", "enum": .array(type.allCases.map { .string($0.rawValue) })]
    }
    static let nonNegative: JSONValue = ["type": "integer", "minimum": 0]
    static let password: JSONValue = ["format": "password"]
    static let port: JSONValue = ["minimum": 1, "maximum": 65535]
    static let snmpName: JSONValue = ["pattern": "^[a-z][a-z0-9_-]{0,31}$"]
}

extension Role: SchemaEnumeration {}
extension SNMPAuthProtocol: SchemaEnumeration {}
extension SNMPPrivProtocol: SchemaEnumeration {}

extension WebRoutes.CertificateUpload: OpenAPIFields {
    static var openAPIFields: JSONValue {
        ["certificate": ["description": "PEM, leaf first"], "key": ["description": "PEM ECDSA P-256 or P-384 private key"]]
    }
}

extension ConfigdMethod.APITokenInfo: OpenAPIFields {
    public static var openAPIFields: JSONValue { ["id": ["pattern": "^[0-9a-f]{16}$"]] }
}

extension ConfigdMethod.APITokenIssued: OpenAPIFields {
    public static var openAPIFields: JSONValue { ["secret": ["description": "shown only in this answer"]] }
}

extension WebRoutes.TokenRequest: OpenAPIFields {
    static var openAPIFields: JSONValue { ["account": ["minLength": 1, "maxLength": 64], "label": ["pattern": "^[!-~]{1,64}$"]] }
}

extension WebRoutes.Credentials: OpenAPIFields {
    static var openAPIFields: JSONValue { ["password": .password] }
}

extension SessionView: OpenAPIFields {
    static var openAPIFields: JSONValue { ["role": .cases(Role.self)] }
}

extension WebRoutes.PasswordChange: OpenAPIFields {
    static var openAPIFields: JSONValue { ["currentPassword": .password, "newPassword": .password] }
}

extension WebRoutes.SystemView: OpenAPIFields {
    static var openAPIFields: JSONValue { ["time": ["format": "date-time"], "sessions": .nonNegative] }
}

extension HostStatus: OpenAPIFields {
    public static var openAPIFields: JSONValue { ["memoryTotalBytes": .nonNegative, "memoryAvailableBytes": .nonNegative] }
}

extension ProcessStatus: OpenAPIFields {
    public static var openAPIFields: JSONValue {
        ["startCount": .nonNegative, "rssBytes": .nonNegative, "memoryLimitBytes": .nonNegative]
    }
}

extension StreamChange: OpenAPIFields {
    public static var openAPIFields: JSONValue {
        [
            "name": ["pattern": "^[A-Za-z0-9._-]{1,64}$"],
            "source": ["minLength": 1, "maxLength": 1024, "description": "file:/PATH, udp://[SOURCE@]HOST:PORT or rtp://[SOURCE@]HOST:PORT"],
            "destination": ["minLength": 1, "maxLength": 1024, "description": "udp://HOST:PORT or rtp://HOST:PORT"],
            "ttl": ["minimum": 1, "maximum": 255],
            "tos": ["minimum": 0, "maximum": 255],
            "mtu": ["minimum": 576, "maximum": 9000],
            "interface": ["maxLength": 15, "description": "empty removes it (PATCH)"],
            "ceiling": ["minimum": 0, "maximum": 100],
        ]
    }
}

extension PolicyView: OpenAPIFields {
    public static var openAPIFields: JSONValue { .object(fields.map { JSONValue.Member(key: $0, value: ["minimum": 0]) }) }
}

extension SystemChange: OpenAPIFields {
    public static var openAPIFields: JSONValue {
        let server: JSONValue = ["type": "string", "minLength": 1, "maxLength": 253]
        return [
            "hostname": ["minLength": 1, "maxLength": 253],
            "banner": ["maxLength": 4096, "description": "empty removes it"],
            "location": ["maxLength": 255],
            "contact": ["maxLength": 255],
            "addNtpServers": ["items": server],
            "removeNtpServers": ["items": server],
        ]
    }
}

extension AccountView: OpenAPIFields {
    public static var openAPIFields: JSONValue {
        ["role": .cases(Role.self), "keyCount": .nonNegative,
         "passwordChangedAt": ["description": "Unix seconds"], "passwordExpiresAt": ["description": "Unix seconds"]]
    }
}

extension WebRoutes.AccountCreate: OpenAPIFields {
    static var openAPIFields: JSONValue {
        ["name": ["minLength": 1, "maxLength": 64], "role": .cases(Role.self), "password": ["format": "password", "minLength": 1]]
    }
}

extension WebRoutes.AccountUpdate: OpenAPIFields {
    static var openAPIFields: JSONValue { ["role": .cases(Role.self)] }
}

extension WebRoutes.AccountPassword: OpenAPIFields {
    static var openAPIFields: JSONValue { ["password": ["format": "password", "minLength": 1]] }
}

extension WebRoutes.AccountKey: OpenAPIFields {
    static var openAPIFields: JSONValue {
        ["key": ["minLength": 1, "maxLength": 8192, "description": "an authorized_keys line, TYPE BASE64 [COMMENT]"]]
    }
}

extension SNMPView.User: OpenAPIFields {
    public static var openAPIFields: JSONValue {
        ["role": .cases(Role.self), "authProtocol": .cases(SNMPAuthProtocol.self), "privProtocol": .cases(SNMPPrivProtocol.self)]
    }
}

extension SNMPView.Trap: OpenAPIFields {
    public static var openAPIFields: JSONValue { ["port": .port, "kind": .cases(TrapReceiver.Kind.self)] }
}

extension SNMPChange.NewUser: OpenAPIFields {
    public static var openAPIFields: JSONValue {
        let key: JSONValue = ["format": "password", "pattern": "^(0x)?[0-9A-Fa-f]+$"]
        let phrase: JSONValue = ["format": "password", "minLength": 8, "maxLength": 256, "description": "8 to 1024 octets (RFC 3414 §11.2); not stored"]
        return [
            "name": .snmpName, "role": .cases(Role.self),
            "authProtocol": .cases(SNMPAuthProtocol.self), "privProtocol": .cases(SNMPPrivProtocol.self),
            "authKey": key.merging(["description": "localized key (RFC 3414), hex; never shown again"]), "privKey": key,
            "authPassphrase": phrase, "privPassphrase": phrase,
        ]
    }
}

extension SNMPChange.NewTrap: OpenAPIFields {
    public static var openAPIFields: JSONValue {
        ["host": ["minLength": 1, "maxLength": 253], "port": .port, "user": .snmpName, "kind": .cases(TrapReceiver.Kind.self)]
    }
}

extension AuditDestinationView: OpenAPIFields {
    public static var openAPIFields: JSONValue { ["trust": ["enum": ["ca-signed", "fingerprint"]]] }
}

extension WebRoutes.AuditDestinationList: OpenAPIFields {
    static var openAPIFields: JSONValue { ["auditd": ["description": "why auditd's live status is missing"]] }
}

extension AuditChange.NewDestination: OpenAPIFields {
    public static var openAPIFields: JSONValue {
        ["host": ["minLength": 1, "maxLength": 253], "port": .port, "trust": ["enum": ["ca-signed", "fingerprint"]],
         "caBundle": ["maxLength": 1024], "permittedPeer": ["maxLength": 253], "fingerprint": ["pattern": "^sha256:[0-9A-Fa-f:]+$"]]
    }
}
