import json
E = {"$ref": "#/components/responses/Error"}
def err(*codes):
    return {str(c): E for c in codes}
def ok(schema, code="200", desc="OK"):
    return {code: {"description": desc, "content": {"application/json": {"schema": schema}}}}
def ref(n): return {"$ref": "#/components/schemas/" + n}
# A session cookie (with the CSRF header for changes), or an API token as a bearer credential.
SESSION = [{"session": []}, {"bearer": []}]
CHANGING = [{"session": [], "csrf": []}, {"bearer": []}]
def body(schema, required=True):
    return {"required": required, "content": {"application/json": {"schema": schema}}}
acct_param = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 64}}
name_param = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"}}

streamFields = {
    "name": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
    "source": {"type": "string", "minLength": 1, "maxLength": 1024, "description": "file:/PATH, udp://[SOURCE@]HOST:PORT or rtp://[SOURCE@]HOST:PORT"},
    "destination": {"type": "string", "minLength": 1, "maxLength": 1024, "description": "udp://HOST:PORT or rtp://HOST:PORT"},
    "ttl": {"type": "integer", "minimum": 1, "maximum": 255},
    "tos": {"type": "integer", "minimum": 0, "maximum": 255},
    "mtu": {"type": "integer", "minimum": 576, "maximum": 9000},
    "interface": {"type": "string", "maxLength": 15, "description": "empty removes it (PATCH)"},
    "shaping": {"type": "boolean"},
    "ceiling": {"type": "integer", "minimum": 0, "maximum": 100},
    "autostart": {"type": "boolean"},
}
patchFields = {k: v for k, v in streamFields.items()}

u64 = {"type": "integer", "minimum": 0}
AUTHS = ["sha-1", "sha-224", "sha-256", "sha-384", "sha-512"]
PRIVS = ["aes-128", "aes-192", "aes-256"]
POLICY_KEYS = ["passwordMinLength", "passwordClasses", "passwordHistory", "passwordExpiryDays", "passwordGraceDays", "loginMaxFailures",
               "loginWindowSeconds", "lockoutSeconds", "sessionIdleTimeoutSeconds", "maxSessionsPerAccount"]
num = {"type": "number"}
streamStatus = {
    "type": "object",
    "required": ["name", "state", "source", "destination", "encapsulation", "datagrams", "bytes", "currentBitrate", "averageBitrate",
                 "sourceBitrate", "mdi", "restarts", "shaping"],
    "properties": {
        "name": {"type": "string"}, "state": {"type": "string"}, "reason": {"type": "string"},
        "source": {"type": "string"}, "destination": {"type": "string"}, "encapsulation": {"type": "string"},
        "ssrc": u64, "nextSequence": u64, "datagrams": u64, "bytes": u64, "currentBitrate": u64, "averageBitrate": u64,
        "sourceBitrate": u64, "pcrIntervalMilliseconds": num, "pcrJitterMicroseconds": num,
        "pacingErrorP50Microseconds": u64, "pacingErrorP99Microseconds": u64, "pacingErrorMaxMicroseconds": u64,
        "scheduleResets": u64, "loopCount": u64, "sourceOffset": u64, "restarts": u64, "resumed": {"type": "boolean"},
        "mdi": {"type": "string"}, "mdiDelayFactorMilliseconds": num, "mdiMediaLossRate": num,
        "input": {"type": "object"}, "pcrJumps": u64, "sourceLosses": u64, "inputDatagrams": u64,
        "inputMalformedDatagrams": u64, "inputLostDatagrams": u64, "inputLateDatagrams": u64, "sendErrors": u64,
        "rtcpSenderReports": u64, "shaping": {"type": "string"},
    },
}
doc = {
    "openapi": "3.0.3",
    "info": {"title": "webd API", "version": "1", "description": "The JSON API of the appliance's web interface. Every change goes through configd (role-checked with the session) and is audited. Errors are {\"error\": \"...\"}."},
    "servers": [{"url": "/"}],
    "security": SESSION,
    "components": {
        "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "__Host-webd-session", "description": "Set by POST /api/v1/session (Secure, HttpOnly, SameSite=Strict)."},
            "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token", "description": "The csrfToken that sign-in returned; needed by every state-changing request."},
            "bearer": {"type": "http", "scheme": "bearer", "description": "An API token (apt_...) from POST /api/v1/tokens; acts as its account with the account's current role, no CSRF header."},
        },
        "responses": {"Error": {"description": "An error", "content": {"application/json": {"schema": ref("Error")}}}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
            "Certificate": {"type": "object", "required": ["subject", "issuer", "subjectAlternativeNames", "notValidBefore", "notValidAfter", "sha256Fingerprint", "selfSigned"], "properties": {
                "subject": {"type": "string"}, "issuer": {"type": "string"}, "subjectAlternativeNames": {"type": "array", "items": {"type": "string"}},
                "notValidBefore": {"type": "string"}, "notValidAfter": {"type": "string"}, "sha256Fingerprint": {"type": "string"}, "selfSigned": {"type": "boolean"}}},
            "CertificateUpload": {"type": "object", "required": ["certificate", "key"], "properties": {
                "certificate": {"type": "string", "description": "PEM, leaf first"}, "key": {"type": "string", "description": "PEM ECDSA P-256 or P-384 private key"}}},
            "APIToken": {"type": "object", "required": ["id", "account", "label", "created"], "properties": {
                "id": {"type": "string", "pattern": "^[0-9a-f]{16}$"}, "account": {"type": "string"}, "label": {"type": "string"}, "created": {"type": "integer"}}},
            "APITokens": {"type": "object", "required": ["tokens"], "properties": {"tokens": {"type": "array", "items": ref("APIToken")}}},
            "APITokenCreate": {"type": "object", "required": ["account", "label"], "properties": {
                "account": {"type": "string", "minLength": 1, "maxLength": 64}, "label": {"type": "string", "pattern": "^[!-~]{1,64}$"}}},
            "APITokenIssued": {"type": "object", "required": ["token", "secret"], "properties": {"token": ref("APIToken"), "secret": {"type": "string", "description": "shown only in this answer"}}},
            "Credentials": {"type": "object", "required": ["account", "password"], "properties": {"account": {"type": "string"}, "password": {"type": "string", "format": "password"}}},
            "Session": {"type": "object", "required": ["account", "role", "csrfToken", "mustChangePassword"], "properties": {
                "account": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "operator", "viewer"]}, "csrfToken": {"type": "string"}, "mustChangePassword": {"type": "boolean"}}},
            "PasswordChange": {"type": "object", "required": ["currentPassword", "newPassword"], "properties": {
                "currentPassword": {"type": "string", "format": "password"}, "newPassword": {"type": "string", "format": "password"}}},
            "System": {"type": "object", "required": ["hostname", "ntpServers", "time", "host", "configurationRevision", "unsavedChanges", "sessions"], "properties": {
                "hostname": {"type": "string"}, "location": {"type": "string"}, "contact": {"type": "string"}, "banner": {"type": "string"},
                "ntpServers": {"type": "array", "items": {"type": "string"}}, "time": {"type": "string", "format": "date-time"},
                "host": {"type": "object", "required": ["uptimeSeconds", "memoryTotalBytes", "memoryAvailableBytes", "load"], "properties": {
                    "uptimeSeconds": num, "memoryTotalBytes": u64, "memoryAvailableBytes": u64, "load": {"type": "array", "items": num}}},
                "configurationRevision": u64, "unsavedChanges": {"type": "boolean"}, "sessions": u64}},
            "Processes": {"type": "object", "required": ["processes"], "properties": {"processes": {"type": "array", "items": {"type": "object", "required": ["name", "state", "startCount"], "properties": {
                "name": {"type": "string"}, "state": {"type": "string"}, "pid": {"type": "integer"}, "startCount": u64, "rssBytes": u64}}}}},
            "StreamStatus": streamStatus,
            "Streams": {"type": "object", "required": ["streams", "shapingAvailable"], "properties": {"streams": {"type": "array", "items": ref("StreamStatus")}, "shapingAvailable": {"type": "boolean"}, "configurationRevision": u64}},
            "StreamCreate": {"type": "object", "required": ["name", "source", "destination"], "properties": streamFields},
            "StreamPatch": {"type": "object", "properties": patchFields, "minProperties": 1},
            "Started": {"type": "object", "required": ["name", "state"], "properties": {"name": {"type": "string"}, "state": {"type": "string"}}},
            "Change": {"type": "object", "required": ["revision", "diff"], "properties": {"name": {"type": "string"}, "revision": u64, "diff": {"type": "array", "items": {"type": "string"}}}},
            "Policy": {"type": "object", "required": POLICY_KEYS, "properties": {k: {"type": "integer", "minimum": 0} for k in POLICY_KEYS}},
            "PolicyPatch": {"type": "object", "minProperties": 1, "properties": {k: {"type": "integer", "minimum": 0} for k in POLICY_KEYS}},
            "SystemPatch": {"type": "object", "minProperties": 1, "properties": {
                "hostname": {"type": "string", "minLength": 1, "maxLength": 253}, "banner": {"type": "string", "maxLength": 4096, "description": "empty removes it"},
                "location": {"type": "string", "maxLength": 255}, "contact": {"type": "string", "maxLength": 255},
                "addNtpServers": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 253}},
                "removeNtpServers": {"type": "array", "items": {"type": "string", "minLength": 1, "maxLength": 253}}}},
            "Diff": {"type": "object", "required": ["lines"], "properties": {"lines": {"type": "array", "items": {"type": "string"}}}},
            "Account": {"type": "object", "required": ["name", "role", "locked", "keyCount", "sshKeys"], "properties": {
                "name": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "operator", "viewer"]}, "locked": {"type": "boolean"},
                "keyCount": u64, "sshKeys": {"type": "array", "items": {"type": "string"}},
                "passwordChangedAt": {"type": "integer", "description": "Unix seconds"}, "passwordExpiresAt": {"type": "integer", "description": "Unix seconds"}}},
            "Accounts": {"type": "object", "required": ["accounts"], "properties": {"accounts": {"type": "array", "items": ref("Account")}}},
            "AccountCreate": {"type": "object", "required": ["name", "role", "password"], "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 64}, "role": {"type": "string", "enum": ["admin", "operator", "viewer"]},
                "password": {"type": "string", "format": "password", "minLength": 1}}},
            "AccountPatch": {"type": "object", "minProperties": 1, "properties": {
                "role": {"type": "string", "enum": ["admin", "operator", "viewer"]}, "locked": {"type": "boolean"}}},
            "AccountPassword": {"type": "object", "required": ["password"], "properties": {"password": {"type": "string", "format": "password", "minLength": 1}}},
            "AccountKey": {"type": "object", "required": ["key"], "properties": {"key": {"type": "string", "minLength": 1, "maxLength": 8192, "description": "an authorized_keys line, TYPE BASE64 [COMMENT]"}}},
            "SNMP": {"type": "object", "required": ["users", "traps"], "properties": {
                "users": {"type": "array", "items": {"type": "object", "required": ["name", "role", "authProtocol", "privProtocol"], "properties": {
                    "name": {"type": "string"}, "role": {"type": "string", "enum": ["admin", "operator", "viewer"]},
                    "authProtocol": {"type": "string", "enum": AUTHS}, "privProtocol": {"type": "string", "enum": PRIVS}}}},
                "traps": {"type": "array", "items": {"type": "object", "required": ["host", "port", "user", "kind"], "properties": {
                    "host": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535}, "user": {"type": "string"},
                    "kind": {"type": "string", "enum": ["trap", "inform"]}}}}}},
            "SNMPUserCreate": {"type": "object", "required": ["name", "role", "authProtocol", "privProtocol"],
                "description": "the localized keys (authKey, privKey), or the pass phrases (authPassphrase, privPassphrase) webd localizes to snmpd's engine ID (RFC 3414 A.2); not both",
                "oneOf": [{"required": ["authKey", "privKey"]}, {"required": ["authPassphrase", "privPassphrase"]}], "properties": {
                "name": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,31}$"}, "role": {"type": "string", "enum": ["admin", "operator", "viewer"]},
                "authProtocol": {"type": "string", "enum": AUTHS}, "authKey": {"type": "string", "format": "password", "pattern": "^(0x)?[0-9A-Fa-f]+$", "description": "localized key (RFC 3414), hex; never shown again"},
                "privProtocol": {"type": "string", "enum": PRIVS}, "privKey": {"type": "string", "format": "password", "pattern": "^(0x)?[0-9A-Fa-f]+$"},
                "authPassphrase": {"type": "string", "format": "password", "minLength": 8, "maxLength": 256, "description": "8 to 1024 octets (RFC 3414 §11.2); not stored"},
                "privPassphrase": {"type": "string", "format": "password", "minLength": 8, "maxLength": 256, "description": "8 to 1024 octets (RFC 3414 §11.2); not stored"}}},
            "SNMPTrapCreate": {"type": "object", "required": ["host", "user"], "properties": {
                "host": {"type": "string", "minLength": 1, "maxLength": 253}, "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "user": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{0,31}$"}, "kind": {"type": "string", "enum": ["trap", "inform"]}}},
            "AuditDestination": {"type": "object", "required": ["host", "port", "trust"], "properties": {
                "host": {"type": "string"}, "port": {"type": "integer"}, "trust": {"type": "string", "enum": ["ca-signed", "fingerprint"]},
                "caBundle": {"type": "string"}, "permittedPeer": {"type": "string"}, "fingerprint": {"type": "string"},
                "state": {"type": "string"}, "lastError": {"type": "string"}, "backlog": u64}},
            "AuditDestinations": {"type": "object", "required": ["destinations"], "properties": {
                "destinations": {"type": "array", "items": ref("AuditDestination")}, "auditd": {"type": "string", "description": "why auditd's live status is missing"}}},
            "AuditDestinationCreate": {"type": "object", "required": ["host", "trust"], "properties": {
                "host": {"type": "string", "minLength": 1, "maxLength": 253}, "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                "trust": {"type": "string", "enum": ["ca-signed", "fingerprint"]}, "caBundle": {"type": "string", "maxLength": 1024},
                "permittedPeer": {"type": "string", "maxLength": 253}, "fingerprint": {"type": "string", "pattern": "^sha256:[0-9A-Fa-f:]+$"}}},
            "AuditEvents": {"type": "object", "required": ["entries", "truncated"], "properties": {
                "entries": {"type": "array", "items": {"type": "object", "required": ["sequence", "acceptedMicros", "text"], "properties": {
                    "sequence": u64, "acceptedMicros": {"type": "integer"}, "text": {"type": "string"}}}},
                "truncated": {"type": "boolean"}}},
            "Revision": {"type": "object", "required": ["revision"], "properties": {"revision": u64}},
        },
    },
    "paths": {
        "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "The OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        "/api/v1/session": {
            "post": {"summary": "Sign in", "security": [], "requestBody": body(ref("Credentials")), "responses": {**ok(ref("Session")), **err(400, 401, 403, 413, 415, 429, 503)}},
            "get": {"summary": "Who is signed in", "responses": {**ok(ref("Session")), **err(401, 503)}},
            "delete": {"summary": "Sign out", "security": CHANGING, "responses": {**ok({"type": "object", "required": ["signedOut"], "properties": {"signedOut": {"type": "string"}}}), **err(401, 403, 503)}},
        },
        "/api/v1/password": {"post": {"summary": "Change one's own password", "security": CHANGING, "requestBody": body(ref("PasswordChange")),
            "responses": {**ok({"type": "object", "required": ["passwordChanged"], "properties": {"passwordChanged": {"type": "string"}}}), **err(400, 401, 403, 413, 415, 503)}}},
        "/api/v1/system": {
            "get": {"summary": "Host name, banner, time, NTP, host figures, configuration state", "responses": {**ok(ref("System")), **err(401, 403, 503)}},
            "patch": {"summary": "Change host name, banner, location, contact, NTP servers", "security": CHANGING, "requestBody": body(ref("SystemPatch")),
                      "responses": {**ok(ref("Change")), **err(400, 401, 403, 413, 415, 503)}},
        },
        "/api/v1/policy": {
            "get": {"summary": "The security policy", "responses": {**ok(ref("Policy")), **err(401, 403, 503)}},
            "patch": {"summary": "Change the security policy", "security": CHANGING, "requestBody": body(ref("PolicyPatch")),
                      "responses": {**ok(ref("Change")), **err(400, 401, 403, 413, 415, 503)}},
        },
        "/api/v1/accounts": {
            "get": {"summary": "Every account (admin)", "responses": {**ok(ref("Accounts")), **err(401, 403, 503)}},
            "post": {"summary": "Create an account with its initial password (admin)", "security": CHANGING, "requestBody": body(ref("AccountCreate")),
                     "responses": {**ok(ref("Change"), "201", "Created"), **err(400, 401, 403, 409, 413, 415, 503)}},
        },
        "/api/v1/accounts/{name}": {
            "parameters": [acct_param],
            "patch": {"summary": "Change role or lock (admin)", "security": CHANGING, "requestBody": body(ref("AccountPatch")),
                      "responses": {**ok(ref("Change")), **err(400, 401, 403, 413, 415, 503)}},
            "delete": {"summary": "Delete an account (admin)", "security": CHANGING, "responses": {**ok(ref("Change")), **err(400, 401, 403, 503)}},
        },
        "/api/v1/accounts/{name}/password": {"parameters": [acct_param], "post": {"summary": "Set an account's password (admin)", "security": CHANGING,
            "requestBody": body(ref("AccountPassword")),
            "responses": {**ok({"type": "object", "required": ["passwordSet"], "properties": {"passwordSet": {"type": "string"}}}), **err(400, 401, 403, 413, 415, 503)}}},
        "/api/v1/accounts/{name}/keys": {
            "parameters": [acct_param],
            "post": {"summary": "Add an ssh public key (admin)", "security": CHANGING, "requestBody": body(ref("AccountKey")),
                     "responses": {**ok(ref("Change"), "201", "Created"), **err(400, 401, 403, 413, 415, 503)}},
            "delete": {"summary": "Remove an ssh public key (admin)", "security": CHANGING, "requestBody": body(ref("AccountKey")),
                       "responses": {**ok(ref("Change")), **err(400, 401, 403, 413, 415, 503)}},
        },
        "/api/v1/snmp": {"get": {"summary": "SNMP users (no keys) and trap receivers", "responses": {**ok(ref("SNMP")), **err(401, 403, 503)}}},
        "/api/v1/snmp/users": {"post": {"summary": "Add or replace an SNMP user (admin)", "security": CHANGING, "requestBody": body(ref("SNMPUserCreate")),
            "responses": {**ok(ref("Change"), "201", "Created"), **err(400, 401, 403, 413, 415, 503)}}},
        "/api/v1/snmp/users/{name}": {"parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
            "delete": {"summary": "Delete an SNMP user (admin)", "security": CHANGING, "responses": {**ok(ref("Change")), **err(400, 401, 403, 503)}}},
        "/api/v1/snmp/traps": {"post": {"summary": "Add or replace a trap receiver (admin)", "security": CHANGING, "requestBody": body(ref("SNMPTrapCreate")),
            "responses": {**ok(ref("Change"), "201", "Created"), **err(400, 401, 403, 413, 415, 503)}}},
        "/api/v1/snmp/traps/{host}": {"parameters": [{"name": "host", "in": "path", "required": True, "schema": {"type": "string"}},
                                                    {"name": "port", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 65535}}],
            "delete": {"summary": "Delete a trap receiver (admin)", "security": CHANGING, "responses": {**ok(ref("Change")), **err(400, 401, 403, 503)}}},
        "/api/v1/audit/destinations": {
            "get": {"summary": "Remote audit destinations with auditd's live status", "responses": {**ok(ref("AuditDestinations")), **err(401, 403, 503)}},
            "post": {"summary": "Add or replace a remote destination (admin)", "security": CHANGING, "requestBody": body(ref("AuditDestinationCreate")),
                     "responses": {**ok(ref("Change"), "201", "Created"), **err(400, 401, 403, 413, 415, 503)}},
        },
        "/api/v1/audit/destinations/{host}": {"parameters": [{"name": "host", "in": "path", "required": True, "schema": {"type": "string"}},
                                                            {"name": "port", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 65535}}],
            "delete": {"summary": "Delete a remote destination (admin)", "security": CHANGING, "responses": {**ok(ref("Change")), **err(400, 401, 403, 503)}}},
        "/api/v1/audit/events": {"get": {"summary": "Search the local audit log (admin; auditd checks the session)",
            "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string", "maxLength": 256}} for n in ["text", "account", "service"]]
                + [{"name": "severity", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0, "maximum": 7}},
                   {"name": "last", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}],
            "responses": {**ok(ref("AuditEvents")), **err(400, 401, 403, 503)}}},
        "/api/v1/config/revert": {"post": {"summary": "Startup becomes running again", "security": CHANGING, "responses": {**ok(ref("Revision")), **err(401, 403, 500, 503)}}},
        "/api/v1/config/diff": {"get": {"summary": "Running against startup", "responses": {**ok(ref("Diff")), **err(401, 403, 503)}}},
        "/api/v1/processes": {"get": {"summary": "procmon's processes", "responses": {**ok(ref("Processes")), **err(401, 403, 503)}}},
        "/api/v1/streams": {
            "get": {"summary": "sessmgrd's status of every stream", "responses": {**ok(ref("Streams")), **err(401, 403, 503)}},
            "post": {"summary": "Create a stream (configd apply)", "security": CHANGING, "requestBody": body(ref("StreamCreate")),
                     "responses": {**ok(ref("Change"), "201", "Created"), **err(400, 401, 403, 409, 413, 415, 503)}},
        },
        "/api/v1/streams/{name}": {
            "parameters": [name_param],
            "get": {"summary": "One stream's whole status", "responses": {**ok(ref("StreamStatus")), **err(400, 401, 403, 404, 503)}},
            "patch": {"summary": "Change a stream's fields", "security": CHANGING, "requestBody": body(ref("StreamPatch")),
                      "responses": {**ok(ref("Change")), **err(400, 401, 403, 404, 413, 415, 503)}},
            "delete": {"summary": "Delete a stream", "security": CHANGING, "responses": {**ok(ref("Change")), **err(400, 401, 403, 404, 503)}},
        },
        "/api/v1/streams/{name}/start": {"parameters": [name_param], "post": {"summary": "Start a stream", "security": CHANGING, "responses": {**ok(ref("Started")), **err(400, 401, 403, 404, 503)}}},
        "/api/v1/streams/{name}/stop": {"parameters": [name_param], "post": {"summary": "Stop a stream", "security": CHANGING, "responses": {**ok(ref("Started")), **err(400, 401, 403, 404, 503)}}},
        "/api/v1/config/running": {"get": {"summary": "The running configuration as text (secrets withheld)", "responses": {"200": {"description": "Configuration lines", "content": {"text/plain": {"schema": {"type": "string"}}}}, **err(401, 403, 503)}}},
        "/api/v1/certificate": {
            "get": {"summary": "The certificate in service", "responses": {**ok(ref("Certificate")), **err(401, 403, 404, 503)}},
            "put": {"summary": "Install a certificate and key (admin); new connections present it at once", "security": CHANGING,
                    "requestBody": body(ref("CertificateUpload")), "responses": {**ok(ref("Certificate")), **err(400, 401, 403, 404, 413, 422, 500, 503)}},
        },
        "/api/v1/tokens": {
            "get": {"summary": "API tokens (admin: all; others: their own)", "responses": {**ok(ref("APITokens")), **err(401, 403, 503)}},
            "post": {"summary": "Create an API token (admin); the secret is in this answer only", "security": CHANGING,
                     "requestBody": body(ref("APITokenCreate")), "responses": {**ok(ref("APITokenIssued"), "201", "Created"), **err(400, 401, 403, 413, 415, 503)}},
        },
        "/api/v1/tokens/{id}": {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"}}],
            "delete": {"summary": "Revoke an API token (admin)", "security": CHANGING,
                       "responses": {**ok({"type": "object", "required": ["revoked"], "properties": {"revoked": {"type": "string"}}}), **err(400, 401, 403, 503)}}},
        "/api/v1/config/save": {"post": {"summary": "Copy running to startup", "security": CHANGING, "responses": {**ok(ref("Revision")), **err(401, 403, 500, 503)}}},
    },
}
import sys
open(sys.argv[1], "w").write(json.dumps(doc, indent=2, sort_keys=False) + "\n")
