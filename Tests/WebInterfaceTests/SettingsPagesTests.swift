import Configuration
import Testing
@testable import WebInterface

/// The pure parts of the policy, system and account changes and pages.
@Suite struct SettingsPagesTests {
    static let frame = HTMLPage.Frame(hostname: "enc", account: "ann", role: "admin", csrf: "t")

    @Test func policyFieldsBecomeSecurityLinesAndBadValuesNameTheField() throws {
        let lines = try PolicyView(passwordMinLength: 14, lockoutSeconds: 60, maxSessionsPerAccount: 2).commands()
        #expect(lines == ["security password min-length 14", "security login lockout 60", "security session max-per-account 2"])
        var config = ApplianceConfig()
        for line in lines { try ConfigParser.apply(line: line, to: &config) }
        #expect(config.policy.passwordMinLength == 14 && config.policy.lockoutSeconds == 60 && config.policy.maxSessionsPerAccount == 2)
        #expect(throws: WebError.self) { try PolicyView().commands() }
        do { _ = try PolicyView(passwordMinLength: -1).commands(); Issue.record("accepted -1") } catch {
            #expect(error.message.hasPrefix("passwordMinLength: expected"))
        }
        #expect(throws: WebError(.badRequest, "lockoutSeconds: expected a number, found \"1;2\"")) {
            try PolicyView(form: FormFields(Array("lockoutSeconds=1%3B2".utf8)))
        }
        #expect(try PolicyView(form: FormFields(Array("passwordHistory=3&lockoutSeconds=".utf8))) == PolicyView(passwordHistory: 3))
    }

    @Test func systemChangesQuoteTheBannerAndRefuseOtherControlCharacters() throws {
        let lines = try SystemChange(hostname: "enc-7", banner: "Authorised \"use\" only.\nBye", location: "", addNtpServers: ["192.0.2.1"],
                                     removeNtpServers: ["pool.example"]).commands()
        #expect(lines == ["hostname enc-7", #"banner login "Authorised \"use\" only.\nBye""#, "no system location", "ntp server 192.0.2.1",
                          "no ntp server pool.example"])
        var config = ApplianceConfig()
        for line in lines.dropLast() { try ConfigParser.apply(line: line, to: &config) }
        #expect(config.system.loginBanner == "Authorised \"use\" only.\nBye" && config.system.hostname == "enc-7")
        #expect(throws: WebError(.badRequest, "hostname: control characters (newlines, tabs, ...) are not allowed")) {
            try SystemChange(hostname: "a\nhostname b").commands()
        }
        #expect(throws: WebError(.badRequest, "banner: control characters other than newlines are not allowed")) {
            try SystemChange(banner: "a\u{1b}[2J").commands()
        }
        do { _ = try SystemChange(hostname: "a b").commands(); Issue.record("accepted a b") } catch { #expect(error.message.hasPrefix("hostname: expected")) }
        do { _ = try SystemChange(removeNtpServers: ["a b"]).commands(); Issue.record("accepted") } catch { #expect(error.message.hasPrefix("removeNtpServers: expected")) }
    }

    @Test func accountLinesAreTheCLIsAndRefuseInjection() throws {
        #expect(try AccountChange.create(name: "bob", role: "operator") == ["account bob role operator"])
        #expect(try AccountChange.update(name: "bob", role: nil, locked: true) == ["account bob locked"])
        #expect(try AccountChange.update(name: "bob", role: "viewer", locked: false) == ["account bob role viewer", "no account bob locked"])
        #expect(try AccountChange.delete(name: "bob") == ["no account bob"])
        #expect(throws: WebError(.badRequest, "role: expected admin, operator or viewer")) { try AccountChange.create(name: "bob", role: "root") }
        #expect(throws: WebError(.badRequest, "name: control characters (newlines, tabs, ...) are not allowed")) {
            try AccountChange.create(name: "bob\naccount eve role admin", role: "viewer")
        }
        do { _ = try AccountChange.create(name: "bob role admin", role: "viewer"); Issue.record("accepted") } catch { #expect(error.message.hasPrefix("name: expected")) }
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl bob@host"
        let added = try AccountChange.key(name: "bob", key: " \(key) ", adding: true)
        #expect(added == ["account bob ssh-key \"\(key)\""])
        #expect(try AccountChange.key(name: "bob", key: key, adding: false) == ["no account bob ssh-key \"\(key)\""])
        do { _ = try AccountChange.key(name: "bob", key: "not a key", adding: true); Issue.record("accepted") } catch { #expect(error.message.hasPrefix("key: expected")) }
    }

    @Test func theAccountsPageShowsNoSecretAndEscapesNames() throws {
        var account = Account(name: "bob", role: .operator)
        account.passwordHash = "$scrypt$ln=14,r=8,p=1$c2FsdA$aGFzaA"
        account.passwordChangedAt = 1_000
        let view = AccountView(account, policy: { var p = SecurityPolicy(); p.passwordExpiryDays = 1; return p }())
        #expect(view.passwordExpiresAt == 1_000 + 86_400 && view.keyCount == 0)
        let page = HTMLPage.accounts(Self.frame, accounts: [view], problem: nil)
        #expect(!page.contains("scrypt") && page.contains(#"data-name="bob""#) && page.contains(#"id="account-create""#) && page.contains(#"id="nav-accounts" href="/accounts" aria-current="page""#))
        #expect(page.components(separatedBy: "<form ").count == page.components(separatedBy: #"name="csrf""#).count)
        let down = HTMLPage.accounts(Self.frame, accounts: nil, problem: "configd is not answering: timeout")
        #expect(down.contains("configd is not answering") && down.contains(#"id="account-create""#))
    }

    @Test func thePolicyAndSystemPagesEscapeAndCarryTheirForms() {
        let policy = HTMLPage.policy(Self.frame, policy: PolicyView(SecurityPolicy()), problem: nil, message: "<x>")
        #expect(policy.contains(#"id="policy-passwordMinLength" inputmode="numeric" value="12""#) && !policy.contains("<x>"))
        let view = HTMLPage.SystemView(system: SystemSettings(hostname: "enc", location: "<loc>", contact: nil, loginBanner: "</textarea><script>"),
                                       ntpServers: ["192.0.2.1"], diff: ["+ hostname <h>"], time: "2026-01-01T00:00:00Z", problem: nil)
        let system = HTMLPage.system(Self.frame, view)
        #expect(!system.contains("<script>") && !system.contains("<loc>") && !system.contains("<h>") && system.contains("&lt;/textarea&gt;"))
        #expect(system.contains(#"<time id="system-time">2026-01-01T00:00:00Z</time>"#) && system.contains(#"id="config-revert""#))
        #expect(system.components(separatedBy: "<form ").count == system.components(separatedBy: #"name="csrf""#).count)
    }

    @Test func snmpUserLinesCarryTheKeysButTheViewAndErrorsDoNot() throws {
        let auth = String(repeating: "ab", count: 32), priv = String(repeating: "cd", count: 16)
        let lines = try SNMPChange.add(.init(name: "nms", role: "viewer", authProtocol: "sha-256", authKey: "0x" + auth, privProtocol: "aes-128", privKey: priv))
        #expect(lines == ["snmp user nms role viewer auth sha-256 auth-key \(auth) priv aes-128 priv-key \(priv)"])
        var config = ApplianceConfig()
        try ConfigParser.apply(line: lines[0], to: &config)
        let view = SNMPView(config.snmp)
        #expect(view.users == [.init(name: "nms", role: "viewer", authProtocol: "sha-256", privProtocol: "aes-128")])
        let page = HTMLPage.snmp(Self.frame, snmp: view, problem: nil)
        #expect(!page.contains(auth) && !page.contains(priv) && page.contains(#"data-name="nms""#))
        #expect(ConfigRedaction.redacted("refused: \(lines[0])", secretsOf: lines) == "refused: snmp user nms role viewer auth sha-256 auth-key <redacted> priv aes-128 priv-key <redacted>")
        do { _ = try SNMPChange.add(.init(name: "nms", role: "viewer", authProtocol: "sha-256", authKey: "abcd", privProtocol: "aes-128", privKey: priv)); Issue.record("short key") } catch {
            #expect(error.message == "authKey: expected a 32-octet localized key for sha-256 (64 hex digits)" && !error.message.contains("abcd"))
        }
        #expect(throws: WebError(.badRequest, "privProtocol: expected aes-128, aes-192, aes-256")) {
            try SNMPChange.add(.init(name: "nms", role: "viewer", authProtocol: "sha-256", authKey: auth, privProtocol: "des", privKey: priv))
        }
        #expect(throws: WebError.self) { try SNMPChange.add(.init(name: "nms role admin", role: "viewer", authProtocol: "sha-256", authKey: auth, privProtocol: "aes-128", privKey: priv)) }
    }

    @Test func trapReceiverLines() throws {
        #expect(try SNMPChange.add(SNMPChange.NewTrap(host: "192.0.2.9", port: 1162, user: "nms", kind: "inform")) == ["snmp trap-receiver 192.0.2.9 port 1162 user nms inform"])
        #expect(try SNMPChange.removeTrap(host: "192.0.2.9", port: nil) == ["no snmp trap-receiver 192.0.2.9"])
        #expect(throws: WebError(.badRequest, "host: control characters (newlines, tabs, ...) are not allowed")) {
            try SNMPChange.add(SNMPChange.NewTrap(host: "a\nhostname x", user: "nms"))
        }
        #expect(throws: WebError(.badRequest, "port: expected 1-65535")) { try SNMPChange.add(SNMPChange.NewTrap(host: "h", port: 0, user: "nms")) }
    }

    @Test func auditDestinationLinesAndQueryFilters() throws {
        #expect(try AuditChange.add(.init(host: "logs.example", port: 6514, trust: "ca-signed", caBundle: "/etc/ca.pem", permittedPeer: "collector.example"))
                == ["logging remote logs.example port 6514 trust ca-signed ca-bundle /etc/ca.pem permitted-peer collector.example"])
        let print = "sha256:" + String(repeating: "0f", count: 32)
        #expect(try AuditChange.add(.init(host: "192.0.2.3", trust: "fingerprint", fingerprint: print)) == ["logging remote 192.0.2.3 trust fingerprint \(print)"])
        #expect(try AuditChange.remove(host: "192.0.2.3", port: 6514) == ["no logging remote 192.0.2.3 port 6514"])
        #expect(throws: WebError(.badRequest, "trust: expected ca-signed or fingerprint")) { try AuditChange.add(.init(host: "h", trust: "none")) }
        #expect(throws: WebError(.badRequest, "caBundle: control characters (newlines, tabs, ...) are not allowed")) {
            try AuditChange.add(.init(host: "h", trust: "ca-signed", caBundle: "/a\nhostname x"))
        }
        do { _ = try AuditChange.add(.init(host: "h", trust: "fingerprint", fingerprint: "sha256:zz")); Issue.record("accepted") } catch {
            #expect(error.message.hasPrefix("host: expected"))
        }
        let query = try AuditChange.query(text: "web-", account: "ann", service: "webd", severity: "5", last: "20")
        #expect(query.text == "web-" && query.account == "ann" && query.appName == "webd" && query.maximumSeverity == 5 && query.limit == 20)
        #expect(try AuditChange.query(text: "", account: nil, service: nil, severity: nil, last: nil).limit == 50)
        #expect(throws: WebError(.badRequest, "severity: expected 0 (emergency) to 7 (debug)")) { try AuditChange.query(text: nil, account: nil, service: nil, severity: "8", last: nil) }
        #expect(throws: WebError(.badRequest, "last: expected 1 to 1000")) { try AuditChange.query(text: nil, account: nil, service: nil, severity: nil, last: "0") }
    }

    @Test func theAuditPageEscapesEventsAndSaysWhichDaemonIsDown() throws {
        var view = HTMLPage.AuditView(filters: AuditFilters(text: "\"><script>"), destinations: [], events: ["<1>1 - host webd - web-x [x a=\"<b>\"]"])
        let page = HTMLPage.audit(Self.frame, view)
        #expect(!page.contains("<script>") && !page.contains("<b>") && page.contains(#"<pre id="audit-events">"#) && page.contains("&lt;b&gt;"))
        // Every form that posts carries the CSRF token; the search is a GET
        // and carries none, so the token never lands in a URL (history, logs).
        let forms = page.components(separatedBy: "<form ").dropFirst().map { $0.components(separatedBy: "</form>")[0] }
        #expect(forms.count >= 2)
        for form in forms {
            #expect(form.contains(#"method="post""#) == form.contains(#"name="csrf""#), "\(form.prefix(80))")
        }
        let search = try #require(forms.first { $0.hasPrefix(#"id="audit-search" method="get""#) })
        #expect(!search.contains(#"name="csrf""#) && search.contains(#"name="text""#))
        view.events = nil
        view.eventsProblem = "auditd is not answering: timeout"
        let down = HTMLPage.audit(Self.frame, view)
        #expect(down.contains("auditd is not answering") && down.contains(#"id="audit-destination-add""#))
    }

    /// The bar offers only the pages the role may read: a viewer is not
    /// shown links that would answer 403 (accounts, policy, SNMP, audit), an
    /// operator not the accounts; an admin sees all seven.
    @Test func theNavigationOffersOnlyThePagesTheRoleMayRead() {
        func links(_ role: String) -> [String] {
            let page = HTMLPage.stream(HTMLPage.Frame(hostname: "enc", account: "ann", role: role, csrf: "t"), name: "cam1", status: nil, config: nil, problem: "x")
            return HTMLPage.NavigationItem.allCases.map(\.rawValue).filter { page.contains("id=\"nav-\($0)\"") }
        }
        #expect(links("admin") == ["dashboard", "streams", "accounts", "policy", "snmp", "audit", "system"])
        #expect(links("operator") == ["dashboard", "streams", "policy", "snmp", "audit", "system"])
        #expect(links("viewer") == ["dashboard", "streams", "system"])
    }
}
