import ApplianceCore
import Configuration
import ApplianceProtocol

/// The server-rendered pages. No inline script or style (the CSP forbids
/// both): behaviour lives in `/static/app.js`, looks in `/static/app.css`.
/// Every value from outside is escaped by `HTMLPage.escape`.
public enum HTMLPage {
    /// Text as HTML content or a quoted attribute value. By Unicode scalar:
    /// a `<` followed by a combining mark is one Swift Character, and its
    /// `<` still needs the entity.
    public static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    static func document(title: String, csrf: String?, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        \(csrf.map { "<meta name=\"csrf-token\" content=\"\(escape($0))\">\n" } ?? "")<title>\(escape(title))</title>
        <link rel="stylesheet" href="/static/app.css">
        <script src="/static/app.js" defer></script>
        </head>
        <body>
        \(body)
        </body>
        </html>

        """
    }

    /// The sign-in page: the configured banner first (shown before sign-in,
    /// as on ssh), then the form with its CSRF field.
    public static func signIn(hostname: String, banner: String?, csrf: String, message: String? = nil) -> String {
        let bannerBlock = banner.map { "<pre class=\"banner\">\(escape($0))</pre>\n" } ?? ""
        let messageBlock = message.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>\n" } ?? ""
        return document(title: "Sign in: \(hostname)", csrf: nil, body: """
        <main class="sign-in">
        <h1>\(escape(hostname))</h1>
        \(bannerBlock)\(messageBlock)<form method="post" action="/login">
        <input type="hidden" name="\(CSRFTokens.formField)" value="\(escape(csrf))">
        <label>Account <input name="account" autocomplete="username" required maxlength="64"></label>
        <label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
        <button type="submit">Sign in</button>
        </form>
        </main>
        """)
    }

    /// Changing one's own password (also what an expired password leads to).
    public static func passwordChange(account: String, csrf: String, message: String?) -> String {
        let messageBlock = message.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>\n" } ?? ""
        return document(title: "Password: \(account)", csrf: csrf, body: """
        <main class="sign-in">
        <h1>Password of \(escape(account))</h1>
        \(messageBlock)<form method="post" action="/password">
        <input type="hidden" name="\(CSRFTokens.formField)" value="\(escape(csrf))">
        <label>Current password <input name="current" type="password" autocomplete="current-password" required maxlength="1024"></label>
        <label>New password <input name="new" type="password" autocomplete="new-password" required maxlength="1024"></label>
        <label>New password again <input name="confirm" type="password" autocomplete="new-password" required maxlength="1024"></label>
        <button type="submit">Change password</button>
        </form>
        <form method="post" action="/logout">
        <input type="hidden" name="\(CSRFTokens.formField)" value="\(escape(csrf))">
        <button type="submit" id="sign-out">Sign out</button>
        </form>
        </main>
        """)
    }

    /// The pages of the navigation bar, in its order.
    public enum NavigationItem: String, CaseIterable, Sendable {
        case dashboard, streams, accounts, policy, snmp, audit, system

        public var path: String { self == .dashboard ? "/" : "/\(rawValue)" }
        public var title: String {
            switch self {
            case .dashboard: "Dashboard"
            case .streams: "Streams"
            case .accounts: "Accounts"
            case .policy: "Policy"
            case .snmp: "SNMP"
            case .audit: "Audit"
            case .system: "System"
            }
        }

        /// The configuration section a role must read for the page to show
        /// anything; nil: every role (the dashboard).
        public var section: Section? {
            switch self {
            case .dashboard: nil
            case .streams: .streams
            case .accounts: .accounts
            case .policy: .policy
            case .snmp: .snmp
            case .audit: .audit
            case .system: .system
            }
        }

        /// Whether the bar shows this page to `role` (a page it could only
        /// be refused is not offered; an unknown role sees every link, and
        /// the pages themselves still decide).
        public func offered(to role: String) -> Bool {
            guard let section, let role = Role(word: role) else { return true }
            return role.may(.read(section))
        }
    }

    /// The bar on top of every signed-in page: host name, navigation
    /// (`nav-...` ids), who is signed in and the sign-out button.
    static func header(hostname: String, account: String, role: String, csrf: String, current: NavigationItem?) -> String {
        let links = NavigationItem.allCases.filter { $0.offered(to: role) }.map { item in
            "<a id=\"nav-\(item.rawValue)\" href=\"\(item.path)\"\(item == current ? " aria-current=\"page\"" : "")>\(item.title)</a>"
        }.joined(separator: " ")
        return """
        <header>
        <h1 id="hostname">\(escape(hostname))</h1>
        <nav>\(links)</nav>
        <form method="post" action="/logout" class="sign-out">
        <input type="hidden" name="\(CSRFTokens.formField)" value="\(escape(csrf))">
        <span>\(escape(account)) (\(escape(role)))</span> <a href="/password">Password</a> <button type="submit" id="sign-out">Sign out</button>
        </form>
        </header>
        """
    }

    /// Who is signed in, for the frame of a page.
    public struct Frame: Sendable {
        public var hostname: String
        public var account: String
        public var role: String
        public var csrf: String

        public init(hostname: String, account: String, role: String, csrf: String) {
            self.hostname = hostname
            self.account = account
            self.role = role
            self.csrf = csrf
        }
    }

    /// A signed-in page: the header with the navigation, then `main`.
    static func page(_ frame: Frame, title: String, current: NavigationItem?, main: String) -> String {
        document(title: "\(title): \(frame.hostname)", csrf: frame.csrf, body: """
        \(header(hostname: frame.hostname, account: frame.account, role: frame.role, csrf: frame.csrf, current: current))
        <main>
        \(main)
        </main>
        """)
    }

    /// A panel whose daemon did not answer, or whose call was refused.
    static func problem(_ message: String) -> String {
        "<p class=\"error\" role=\"alert\">\(escape(message))</p>"
    }

    /// The hidden CSRF field every form carries.
    static func csrfField(_ csrf: String) -> String {
        "<input type=\"hidden\" name=\"\(CSRFTokens.formField)\" value=\"\(escape(csrf))\">"
    }

    /// What the dashboard shows; a part is nil when its daemon did not answer.
    public struct Dashboard: Sendable {
        public var account: String
        public var role: String
        public var hostname: String
        public var host: HostStatus
        public var processes: [ProcessStatus]?
        public var streams: [StreamStatus]?
        public var problems: [String]

        public init(account: String, role: String, hostname: String, host: HostStatus, processes: [ProcessStatus]?, streams: [StreamStatus]?, problems: [String]) {
            self.account = account
            self.role = role
            self.hostname = hostname
            self.host = host
            self.processes = processes
            self.streams = streams
            self.problems = problems
        }
    }

    public static func dashboard(_ view: Dashboard, csrf: String) -> String {
        let processRows = (view.processes ?? []).map { process in
            "<tr data-name=\"\(escape(process.name))\"><td>\(escape(process.name))</td><td class=\"state\">\(escape(process.state))</td>"
                + "<td class=\"pid\">\(process.pid.map(String.init) ?? "-")</td><td class=\"starts\">\(process.startCount)</td>"
                + "<td class=\"rss\">\(process.rssBytes.map(Self.bytes) ?? "-")</td></tr>"
        }.joined(separator: "\n")
        let canControl = view.role == "admin" || view.role == "operator"
        let streamRows = (view.streams ?? []).map { stream in
            let buttons = canControl
                ? "<button type=\"button\" class=\"stream-action\" data-action=\"start\" data-stream=\"\(escape(stream.name))\">Start</button> "
                    + "<button type=\"button\" class=\"stream-action\" data-action=\"stop\" data-stream=\"\(escape(stream.name))\">Stop</button>"
                : ""
            return "<tr data-name=\"\(escape(stream.name))\"><td>\(escape(stream.name))</td><td class=\"state\">\(escape(stream.state))</td>"
                + "<td class=\"destination\">\(escape(stream.destination))</td><td class=\"bitrate\">\(Self.bitrate(stream.currentBitrate))</td>"
                + "<td>\(buttons)</td></tr>"
        }.joined(separator: "\n")
        let problems = view.problems.map { "<p class=\"error\" role=\"alert\">\(escape($0))</p>" }.joined(separator: "\n")
        return document(title: view.hostname, csrf: csrf, body: """
        \(header(hostname: view.hostname, account: view.account, role: view.role, csrf: csrf, current: .dashboard))
        <main>
        <div id="problems">\(problems)</div>
        <section><h2>System</h2>
        <dl>
        <dt>Uptime</dt><dd id="uptime">\(Self.duration(view.host.uptimeSeconds))</dd>
        <dt>Memory available</dt><dd id="memory">\(Self.bytes(view.host.memoryAvailableBytes)) of \(Self.bytes(view.host.memoryTotalBytes))</dd>
        <dt>Load</dt><dd id="load">\(view.host.load.map { String($0) }.joined(separator: " "))</dd>
        </dl></section>
        <section><h2>Processes</h2>
        <table id="processes"><thead><tr><th>Name</th><th>State</th><th>PID</th><th>Starts</th><th>Memory</th></tr></thead>
        <tbody>
        \(processRows)
        </tbody></table></section>
        <section><h2>Streams</h2>
        <table id="streams"><thead><tr><th>Name</th><th>State</th><th>Destination</th><th>Bitrate</th><th></th></tr></thead>
        <tbody>
        \(streamRows)
        </tbody></table></section>
        </main>
        """)
    }

    static func bytes(_ count: Int) -> String { Units.bytes(count) }

    static func bitrate(_ bits: UInt64) -> String { Units.bitrate(bits) }

    static func duration(_ seconds: Double) -> String { Units.duration(seconds) }
}
