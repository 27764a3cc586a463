import Configuration

/// Configuration-language lines checked one by one before configd sees
/// them: each line is read by `ConfigParser` against a scratch
/// configuration, so a bad value is refused with a 400 naming its field.
enum ConfigLines {
    /// The lines of `fields`, each read on its own; the first the parser
    /// refuses throws `FIELD: expected ...`.
    static func checked(_ fields: [(field: String, line: String)]) throws(WebError) -> [String] {
        for field in fields {
            var scratch = ApplianceConfig()
            do throws(ConfigSyntaxError) {
                try ConfigParser.apply(line: field.line, to: &scratch)
            } catch {
                throw WebError(.badRequest, "\(field.field): expected \(error.expected)")
            }
        }
        return fields.map(\.line)
    }

    /// A text value as one quoted configuration word, control characters
    /// refused except newlines where `multiline` (the banner's `\n`).
    static func text(_ text: String, field: String, multiline: Bool = false, limit: Int = 4096) throws(WebError) -> String {
        StreamChange.configWord(try checkedText(text, field: field, multiline: multiline, limit: limit))
    }

    /// `text` itself, once it passed `text`'s checks (for `ConfigLine`'s builders, which quote).
    static func checkedText(_ text: String, field: String, multiline: Bool = false, limit: Int = 4096) throws(WebError) -> String {
        guard text.utf8.count <= limit else { throw WebError(.badRequest, "\(field): at most \(limit) bytes") }
        let refused = text.unicodeScalars.contains { StreamChange.isControl($0) && !(multiline && $0 == "\n") }
        guard !refused else {
            throw WebError(.badRequest, "\(field): control characters\(multiline ? " other than newlines" : " (newlines, tabs, ...)") are not allowed")
        }
        return text
    }
}

/// The security policy as `GET/PATCH /api/v1/policy` and `/policy` show it.
public struct PolicyView: Codable, Sendable, Equatable {
    public var passwordMinLength: Int?
    public var passwordClasses: Int?
    public var passwordHistory: Int?
    public var passwordExpiryDays: Int?
    public var passwordGraceDays: Int?
    public var loginMaxFailures: Int?
    public var loginWindowSeconds: Int?
    public var lockoutSeconds: Int?
    public var sessionIdleTimeoutSeconds: Int?
    public var maxSessionsPerAccount: Int?

    public init(passwordMinLength: Int? = nil, passwordClasses: Int? = nil, passwordHistory: Int? = nil, passwordExpiryDays: Int? = nil,
                passwordGraceDays: Int? = nil, loginMaxFailures: Int? = nil, loginWindowSeconds: Int? = nil, lockoutSeconds: Int? = nil,
                sessionIdleTimeoutSeconds: Int? = nil, maxSessionsPerAccount: Int? = nil) {
        self.passwordMinLength = passwordMinLength
        self.passwordClasses = passwordClasses
        self.passwordHistory = passwordHistory
        self.passwordExpiryDays = passwordExpiryDays
        self.passwordGraceDays = passwordGraceDays
        self.loginMaxFailures = loginMaxFailures
        self.loginWindowSeconds = loginWindowSeconds
        self.lockoutSeconds = lockoutSeconds
        self.sessionIdleTimeoutSeconds = sessionIdleTimeoutSeconds
        self.maxSessionsPerAccount = maxSessionsPerAccount
    }

    public init(_ policy: SecurityPolicy) {
        self.init(passwordMinLength: policy.passwordMinLength, passwordClasses: policy.passwordRequiredClasses, passwordHistory: policy.passwordHistoryDepth,
                  passwordExpiryDays: policy.passwordExpiryDays, passwordGraceDays: policy.passwordExpiryGraceDays, loginMaxFailures: policy.loginMaxFailures,
                  loginWindowSeconds: policy.loginFailureWindowSeconds, lockoutSeconds: policy.lockoutSeconds,
                  sessionIdleTimeoutSeconds: policy.sessionIdleTimeoutSeconds, maxSessionsPerAccount: policy.maxSessionsPerAccount)
    }

    public static let shape = #"{"passwordMinLength": 12, "passwordClasses": 3, "passwordHistory": 5, "passwordExpiryDays": 0, "passwordGraceDays": 30, "loginMaxFailures": 5, "loginWindowSeconds": 300, "lockoutSeconds": 900, "sessionIdleTimeoutSeconds": 900, "maxSessionsPerAccount": 4}"#

    /// Each field, its JSON/form name and its `security ...` words.
    static var fields: [(key: String, path: WritableKeyPath<PolicyView, Int?>, words: String, label: String)] { [
        ("passwordMinLength", \.passwordMinLength, "security password min-length", "Minimum password length"),
        ("passwordClasses", \.passwordClasses, "security password classes", "Character classes required"),
        ("passwordHistory", \.passwordHistory, "security password history", "Passwords remembered"),
        ("passwordExpiryDays", \.passwordExpiryDays, "security password expiry-days", "Password expiry (days, 0 never)"),
        ("passwordGraceDays", \.passwordGraceDays, "security password grace-days", "Grace after expiry (days)"),
        ("loginMaxFailures", \.loginMaxFailures, "security login max-failures", "Failures before lockout"),
        ("loginWindowSeconds", \.loginWindowSeconds, "security login window", "Failure window (s)"),
        ("lockoutSeconds", \.lockoutSeconds, "security login lockout", "Lockout (s)"),
        ("sessionIdleTimeoutSeconds", \.sessionIdleTimeoutSeconds, "security session idle-timeout", "Session idle timeout (s)"),
        ("maxSessionsPerAccount", \.maxSessionsPerAccount, "security session max-per-account", "Concurrent sessions per account"),
    ] }

    /// One `security ...` line per field given.
    public func commands() throws(WebError) -> [String] {
        let lines = Self.fields.compactMap { field in self[keyPath: field.path].map { (field: field.key, line: "\(field.words) \($0)") } }
        guard !lines.isEmpty else { throw WebError(.badRequest, "name a setting to change, e.g. {\"passwordMinLength\": 14}") }
        return try ConfigLines.checked(lines)
    }

    /// From the `/policy` form; empty fields are left as they are.
    public init(form: FormFields) throws(WebError) {
        self.init()
        for field in Self.fields {
            guard let text = form[field.key], !text.isEmpty else { continue }
            guard let value = Int(text) else { throw WebError(.badRequest, "\(field.key): expected a number, found \"\(String(text.prefix(40)))\"") }
            self[keyPath: field.path] = value
        }
    }
}

/// `PATCH /api/v1/system`: host name, login banner, location, contact and
/// NTP servers to add or remove.
public struct SystemChange: Decodable, Sendable, Equatable {
    public var hostname: String?
    /// Empty removes the banner.
    public var banner: String?
    public var location: String?
    public var contact: String?
    public var addNtpServers: [String]?
    public var removeNtpServers: [String]?

    public init(hostname: String? = nil, banner: String? = nil, location: String? = nil, contact: String? = nil,
                addNtpServers: [String]? = nil, removeNtpServers: [String]? = nil) {
        self.hostname = hostname
        self.banner = banner
        self.location = location
        self.contact = contact
        self.addNtpServers = addNtpServers
        self.removeNtpServers = removeNtpServers
    }

    public static let shape = #"{"hostname": "...", "banner": "...", "location": "...", "contact": "...", "addNtpServers": ["..."], "removeNtpServers": ["..."]}"#

    public func commands() throws(WebError) -> [String] {
        var lines: [(field: String, line: String)] = []
        if let hostname { lines.append(("hostname", ConfigLine.hostname(try ConfigLines.checkedText(hostname, field: "hostname", limit: 253)))) }
        if let banner {
            lines.append(("banner", ConfigLine.loginBanner(banner.isEmpty ? nil : try ConfigLines.checkedText(banner, field: "banner", multiline: true))))
        }
        if let location {
            lines.append(("location", ConfigLine.systemLocation(location.isEmpty ? nil : try ConfigLines.checkedText(location, field: "location", limit: 255))))
        }
        if let contact {
            lines.append(("contact", ConfigLine.systemContact(contact.isEmpty ? nil : try ConfigLines.checkedText(contact, field: "contact", limit: 255))))
        }
        for server in addNtpServers ?? [] {
            lines.append(("addNtpServers", ConfigLine.ntpServer(try ConfigLines.checkedText(server, field: "addNtpServers", limit: 253))))
        }
        // `no ntp server HOST` needs the server configured: its host is
        // checked as `ntp server HOST`, configd says whether it was there.
        var removals: [(field: String, line: String)] = []
        for server in removeNtpServers ?? [] {
            removals.append(("removeNtpServers", ConfigLine.ntpServer(try ConfigLines.checkedText(server, field: "removeNtpServers", limit: 253))))
        }
        guard !lines.isEmpty || !removals.isEmpty else { throw WebError(.badRequest, "name a setting to change (hostname, banner, ...)") }
        return try ConfigLines.checked(lines) + ConfigLines.checked(removals).map { "no " + $0 }
    }
}

extension PolicyView: PartialBody {
    public init() { self.init(passwordMinLength: nil) }
}
extension SystemChange: PartialBody {
    public init() { self.init(hostname: nil) }
}
