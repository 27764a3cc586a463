import Configuration
import ApplianceCore

/// Where a request comes from, as the front-end that took it says: the
/// channel and the remote peer (configd also records the verified local
/// caller, pid and uid, beside it in the audit trail).
public struct RequestOrigin: Codable, Sendable, Equatable {
    /// `web`, `cli`, `ssh`, `snmp`, `console`.
    public var channel: String
    /// The remote address or terminal, e.g. `192.0.2.7:51544`, `pts/0`.
    /// Its address (without the port) is the source that configd's sign-in
    /// throttle counts failures against (`LoginSource`) when the caller is
    /// webd, root or configd's own user; any other caller's attempts count
    /// against its uid, so that it cannot spread guesses over made-up peers.
    public var peer: String

    public init(channel: String, peer: String) {
        self.channel = channel
        self.peer = peer
    }

    public static let console = RequestOrigin(channel: "console", peer: "local")
}

/// configd's control methods (`run/appliance/configd.sock`). A `session` is
/// the token `authenticate` returned; root and configd's own user may act
/// without one, as the local console administrator.
public enum ConfigdMethod {
    public struct GetParameters: Codable, Sendable {
        /// The sections wanted; nil: every section the caller may read.
        public var sections: [Section]?
        public var session: String?
        /// The startup configuration (on disk) instead of the running one.
        public var startup: Bool?
        public init(sections: [Section]? = nil, session: String? = nil, startup: Bool? = nil) {
            self.sections = sections
            self.session = session
            self.startup = startup
        }
    }

    public struct Snapshot: Codable, Sendable {
        public var revision: UInt64
        /// The configuration as commands (`show running-config`), secrets withheld.
        public var text: String
        public var config: ApplianceConfig

        public init(revision: UInt64, text: String, config: ApplianceConfig) {
            self.revision = revision
            self.text = text
            self.config = config
        }
    }

    /// The running configuration, or the sections of it the caller may read.
    public enum Get: ControlMethod {
        public typealias Parameters = GetParameters
        public typealias Result = Snapshot
        public static let name = "get"
    }

    public struct WatchParameters: Codable, Sendable {
        /// Answer once the running revision is past this one in these sections.
        public var after: UInt64
        public var sections: [Section]
        /// How long to wait at most (capped at 25 s); answers with no change then.
        public var waitMilliseconds: Int
        /// A person's session (a front end watching on a user's behalf):
        /// the sections are then checked against the session's role.
        public var session: String?
        public init(after: UInt64, sections: [Section], waitMilliseconds: Int = 20_000, session: String? = nil) {
            self.after = after
            self.sections = sections
            self.waitMilliseconds = waitMilliseconds
            self.session = session
        }
    }

    public struct Change: Codable, Sendable, Equatable {
        public var revision: UInt64
        /// Sections changed after `after`; empty when the wait ran out.
        public var sections: [Section]

        public init(revision: UInt64, sections: [Section]) {
            self.revision = revision
            self.sections = sections
        }
    }

    /// A long poll: how a daemon is told that its section changed.
    public enum Watch: ControlMethod {
        public typealias Parameters = WatchParameters
        public typealias Result = Change
        public static let name = "watch"
    }

    public struct AuthenticateParameters: Codable, Sendable {
        public var name: String
        public var password: String
        public var origin: RequestOrigin
        public init(name: String, password: String, origin: RequestOrigin) {
            self.name = name
            self.password = password
            self.origin = origin
        }
    }

    public struct Login: Codable, Sendable, Equatable {
        /// `success`, `bad-credentials`, `locked`, `expired`, `too-many-sessions`.
        public var outcome: String
        public var role: Role?
        public var mustChangePassword: Bool?
        public var session: String?
        /// What to show the user; never says whether the name or the password was wrong.
        public var message: String

        public init(outcome: String, role: Role? = nil, mustChangePassword: Bool? = nil, session: String? = nil, message: String) {
            self.outcome = outcome
            self.role = role
            self.mustChangePassword = mustChangePassword
            self.session = session
            self.message = message
        }
    }

    /// Checks a password and opens a session.
    public enum Authenticate: ControlMethod {
        public typealias Parameters = AuthenticateParameters
        public typealias Result = Login
        public static let name = "authenticate"
    }

    public struct SessionParameters: Codable, Sendable {
        public var session: String
        public init(session: String) { self.session = session }
    }

    public struct SessionInfo: Codable, Sendable, Equatable {
        public var account: String
        public var role: Role
        public var mustChangePassword: Bool
        public init(account: String, role: Role, mustChangePassword: Bool) {
            self.account = account
            self.role = role
            self.mustChangePassword = mustChangePassword
        }
    }

    /// Checks (and refreshes) a session.
    public enum SessionCheck: ControlMethod {
        public typealias Parameters = SessionParameters
        public typealias Result = SessionInfo
        public static let name = "session"
    }

    public enum Logout: ControlMethod {
        public typealias Parameters = SessionParameters
        public typealias Result = NoValue
        public static let name = "logout"
    }

    public struct ApplyParameters: Codable, Sendable {
        public var session: String?
        /// Configuration commands, applied whole or not at all.
        public var commands: [String]
        public var origin: RequestOrigin?
        /// Set only by snmpd, for an SNMP SetRequest: the USM user that snmpd
        /// authenticated. configd takes that user's role from the
        /// configuration and accepts only `hostname`, `system contact` and
        /// `system location` this way, so a compromised snmpd can change no
        /// more than SNMP can (sysName, sysContact, sysLocation).
        public var snmpUser: String?
        public init(session: String? = nil, commands: [String], origin: RequestOrigin? = nil, snmpUser: String? = nil) {
            self.session = session
            self.commands = commands
            self.origin = origin
            self.snmpUser = snmpUser
        }
    }

    public struct Applied: Codable, Sendable, Equatable {
        public var revision: UInt64
        /// What changed, as `- old` / `+ new` command lines (secrets withheld).
        public var diff: [String]

        public init(revision: UInt64, diff: [String]) {
            self.revision = revision
            self.diff = diff
        }
    }

    /// Applies a change set to the running configuration.
    public enum Apply: ControlMethod {
        public typealias Parameters = ApplyParameters
        public typealias Result = Applied
        public static let name = "apply"
    }

    public struct ActorParameters: Codable, Sendable {
        public var session: String?
        public var origin: RequestOrigin?
        public init(session: String? = nil, origin: RequestOrigin? = nil) {
            self.session = session
            self.origin = origin
        }
    }

    public struct Revision: Codable, Sendable, Equatable {
        public var revision: UInt64

        public init(revision: UInt64) {
            self.revision = revision
        }
    }

    /// `copy running-config startup-config`: atomic, fsync'd.
    public enum Save: ControlMethod {
        public typealias Parameters = ActorParameters
        public typealias Result = Revision
        public static let name = "save"
    }

    /// The running configuration becomes the startup one again.
    public enum Revert: ControlMethod {
        public typealias Parameters = ActorParameters
        public typealias Result = Revision
        public static let name = "revert"
    }

    public struct DiffResult: Codable, Sendable, Equatable {
        /// `- startup` / `+ running` lines; empty when nothing is unsaved.
        public var lines: [String]

        public init(lines: [String]) {
            self.lines = lines
        }
    }

    /// Running versus startup configuration.
    public enum Diff: ControlMethod {
        public typealias Parameters = ActorParameters
        public typealias Result = DiffResult
        public static let name = "diff"
    }

    public struct SetPasswordParameters: Codable, Sendable {
        public var session: String?
        /// The account; nil: the session's own.
        public var account: String?
        /// Required when changing one's own password.
        public var currentPassword: String?
        public var newPassword: String
        public var origin: RequestOrigin?
        public init(session: String? = nil, account: String? = nil, currentPassword: String? = nil, newPassword: String, origin: RequestOrigin? = nil) {
            self.session = session
            self.account = account
            self.currentPassword = currentPassword
            self.newPassword = newPassword
            self.origin = origin
        }
    }

    /// Sets a password under the policy (length, classes, history), hashed with scrypt.
    public enum SetPassword: ControlMethod {
        public typealias Parameters = SetPasswordParameters
        public typealias Result = NoValue
        public static let name = "set-password"
    }

    public struct OpenSessionParameters: Codable, Sendable {
        /// The account; only root and configd's own user (the console, or a
        /// development root run by one user) may name one. Anyone else gets
        /// the account of its own OS user, which must be one procmon made
        /// for an appliance account (primary group `appliance-accounts`).
        public var account: String?
        public var origin: RequestOrigin
        public init(account: String? = nil, origin: RequestOrigin) {
            self.account = account
            self.origin = origin
        }
    }

    /// Opens a session for a login that sshd has already authenticated with
    /// a public key (the CLI of an ssh session). No password is involved: the
    /// kernel-verified uid of the caller is the proof. Refused for a locked
    /// account; counts against the concurrent-session limit; audited.
    public enum OpenSession: ControlMethod {
        public typealias Parameters = OpenSessionParameters
        public typealias Result = Login
        public static let name = "open-session"
    }

    public struct KeyOwnerParameters: Codable, Sendable {
        /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, ...
        public var keyType: String
        /// The key blob in base64, as sshd's `%k`.
        public var keyBase64: String
        public init(keyType: String, keyBase64: String) {
            self.keyType = keyType
            self.keyBase64 = keyBase64
        }
    }

    public struct KeyOwner: Codable, Sendable, Equatable {
        /// The unlocked account holding this key, if any.
        public var account: String?
        public init(account: String?) { self.account = account }
    }

    /// Which account a public key belongs to: what sshd's
    /// `AuthorizedKeysCommand` asks. Public keys are not secrets; the answer
    /// names an account only to someone who holds one of its public keys.
    public enum KeyOwnerLookup: ControlMethod {
        public typealias Parameters = KeyOwnerParameters
        public typealias Result = KeyOwner
        public static let name = "ssh-key-owner"
    }

    public struct APITokenCreateParameters: Codable, Sendable {
        public var session: String?
        /// The account the token acts as (its current role applies).
        public var account: String
        /// 1-64 printable characters, no spaces: what it is for.
        public var label: String
        public var origin: RequestOrigin?
        public init(session: String?, account: String, label: String, origin: RequestOrigin? = nil) {
            self.session = session
            self.account = account
            self.label = label
            self.origin = origin
        }
    }

    /// An API token as listed: never its secret or hash.
    public struct APITokenInfo: Codable, Sendable, Equatable {
        public var id: String
        public var account: String
        public var label: String
        /// Unix seconds.
        public var created: Int64

        public init(id: String, account: String, label: String, created: Int64) {
            self.id = id
            self.account = account
            self.label = label
            self.created = created
        }
    }

    public struct APITokenIssued: Codable, Sendable, Equatable {
        public var token: APITokenInfo
        /// `apt_…`: shown this once; configd keeps only its SHA-256.
        public var secret: String

        public init(token: APITokenInfo, secret: String) {
            self.token = token
            self.secret = secret
        }
    }

    /// Issues a bearer token for scripts (admin only). Wherever a session
    /// token is accepted (configd, and the daemons that check sessions with
    /// configd), an API token is too, as its account with its current role.
    public enum APITokenCreate: ControlMethod {
        public typealias Parameters = APITokenCreateParameters
        public typealias Result = APITokenIssued
        public static let name = "api-token-create"
    }

    public struct APITokenListParameters: Codable, Sendable {
        public var session: String?
        public init(session: String?) { self.session = session }
    }

    /// The API tokens: all of them for an admin, one's own for anyone else.
    public enum APITokenList: ControlMethod {
        public typealias Parameters = APITokenListParameters
        public typealias Result = [APITokenInfo]
        public static let name = "api-token-list"
    }

    public struct APITokenRevokeParameters: Codable, Sendable {
        public var session: String?
        public var id: String
        public var origin: RequestOrigin?
        public init(session: String?, id: String, origin: RequestOrigin? = nil) {
            self.session = session
            self.id = id
            self.origin = origin
        }
    }

    /// Revokes an API token (admin only); it stops working at once.
    public enum APITokenRevoke: ControlMethod {
        public typealias Parameters = APITokenRevokeParameters
        public typealias Result = NoValue
        public static let name = "api-token-revoke"
    }

    public struct StatusResult: Codable, Sendable, Equatable {
        public var revision: UInt64
        public var savedRevision: UInt64
        public var unsavedChanges: Bool
        public var sessions: Int
        /// Why the startup configuration on disk was refused at the last load, if it was.
        public var startupProblem: String?
        public var refusedRequests: Int
        /// Watches waiting for a change (each daemon following configd keeps one).
        public var watches: Int

        public init(revision: UInt64, savedRevision: UInt64, unsavedChanges: Bool, sessions: Int, startupProblem: String? = nil, refusedRequests: Int,
                    watches: Int = 0) {
            self.revision = revision
            self.savedRevision = savedRevision
            self.unsavedChanges = unsavedChanges
            self.sessions = sessions
            self.startupProblem = startupProblem
            self.refusedRequests = refusedRequests
            self.watches = watches
        }
    }

    public enum Status: ControlMethod {
        public typealias Parameters = NoValue
        public typealias Result = StatusResult
        public static let name = "status"
    }
}

/// The shape of an API token's secret, as clients present it
/// (`Authorization: Bearer apt_…`): `apt_` + 16 hex (the id) + `_` + 64 hex.
public enum APITokenSecret {
    public static let prefix = "apt_"

    /// Whether `text` has the shape of a secret (not whether it is valid).
    public static func looksLikeSecret(_ text: String) -> Bool { id(of: text) != nil }

    /// The id of a well-formed secret.
    public static func id(of secret: String) -> String? {
        let bytes = Array(secret.utf8)
        guard bytes.count == prefix.utf8.count + 16 + 1 + 64, secret.hasPrefix(prefix) else { return nil }
        let id = bytes[4..<20], separator = bytes[20], random = bytes[21...]
        func isHex(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) }
        guard separator == UInt8(ascii: "_"), id.allSatisfy(isHex), random.allSatisfy(isHex) else { return nil }
        return String(decoding: id, as: UTF8.self)
    }
}
