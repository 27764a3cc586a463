import Configuration

/// The pages `/policy` and `/system`.
extension HTMLPage {
    /// `/policy`: every setting of the security policy in one form. `policy`
    /// is nil when configd did not answer (`problem` says so).
    public static func policy(_ frame: Frame, policy: PolicyView?, problem: String?, message: String? = nil) -> String {
        let body: String
        if let policy {
            let inputs = PolicyView.fields.map { field in
                "<label>\(escape(field.label)) <input name=\"\(field.key)\" id=\"policy-\(field.key)\" inputmode=\"numeric\" value=\"\(policy[keyPath: field.path].map(String.init) ?? "")\"></label>"
            }.joined(separator: "\n")
            body = """
            <form id="policy-form" method="post" action="/policy">
            \(csrfField(frame.csrf))
            \(inputs)
            <button type="submit" id="policy-submit">Save policy</button>
            </form>
            """
        } else {
            body = Self.problem(problem ?? "configd is not answering")
        }
        return page(frame, title: "Policy", current: .policy, main: """
        <section><h2>Security policy</h2>
        \(message.map { Self.problem($0) } ?? "")
        \(body)
        </section>
        """)
    }

    /// What `/system` shows; a part is nil when configd did not answer.
    public struct SystemView: Sendable {
        public var system: SystemSettings?
        public var ntpServers: [String]?
        public var diff: [String]?
        /// The appliance's clock, ISO 8601 UTC.
        public var time: String
        public var problem: String?
        /// The certificate in service (nil where webd serves none, as in route tests).
        public var certificate: CertificateStore.Summary?

        public init(system: SystemSettings?, ntpServers: [String]?, diff: [String]?, time: String, problem: String?,
                    certificate: CertificateStore.Summary? = nil) {
            self.certificate = certificate
            self.system = system
            self.ntpServers = ntpServers
            self.diff = diff
            self.time = time
            self.problem = problem
        }
    }

    /// `/system`: host name and banner, time and NTP servers, save,
    /// revert, and the diff of running against startup.
    public static func system(_ frame: Frame, _ view: SystemView, message: String? = nil) -> String {
        let settings: String
        if let system = view.system {
            settings = """
            <form id="system-form" method="post" action="/system">
            \(csrfField(frame.csrf))
            <label>Host name <input name="hostname" id="system-hostname" required maxlength="253" value="\(escape(system.hostname))"></label>
            <label>Location <input name="location" maxlength="255" value="\(escape(system.location ?? ""))"></label>
            <label>Contact <input name="contact" maxlength="255" value="\(escape(system.contact ?? ""))"></label>
            <label>Login banner <textarea name="banner" id="system-banner" rows="4" cols="60" maxlength="4096">\(escape(system.loginBanner ?? ""))</textarea></label>
            <button type="submit" id="system-submit">Save settings</button>
            </form>
            """
        } else {
            settings = Self.problem(view.problem ?? "configd is not answering")
        }
        let ntp: String
        if let servers = view.ntpServers {
            let rows = servers.map { server in
                "<li data-name=\"\(escape(server))\">\(escape(server)) <form method=\"post\" action=\"/system/ntp/delete\" class=\"inline\">\(csrfField(frame.csrf))"
                    + "<input type=\"hidden\" name=\"server\" value=\"\(escape(server))\"><button type=\"submit\">Delete</button></form></li>"
            }.joined(separator: "\n")
            ntp = """
            <ul id="ntp-servers">\(rows)</ul>
            <form id="ntp-add" method="post" action="/system/ntp">
            \(csrfField(frame.csrf))
            <label>NTP server <input name="server" required maxlength="253"></label>
            <button type="submit" id="ntp-add-submit">Add</button>
            </form>
            """
        } else {
            ntp = ""
        }
        let diff = view.diff.map { lines in
            "<pre id=\"config-diff\">\(lines.isEmpty ? "No unsaved changes." : escape(lines.joined(separator: "\n")))</pre>"
        } ?? ""
        return page(frame, title: "System", current: .system, main: """
        \(message.map { Self.problem($0) } ?? "")
        <section><h2>System</h2>
        \(settings)
        </section>
        <section><h2>Time</h2>
        <p>Appliance time: <time id="system-time">\(escape(view.time))</time></p>
        \(ntp)
        </section>
        <section><h2>Configuration</h2>
        <div class="actions">
        <form method="post" action="/system/save">\(csrfField(frame.csrf))<button type="submit" id="config-save">Save running to startup</button></form>
        <form method="post" action="/system/revert">\(csrfField(frame.csrf))<button type="submit" id="config-revert">Revert to startup</button></form>
        </div>
        <h3>Running against startup</h3>
        \(diff)
        </section>
        \(certificateSection(frame, view.certificate))
        """)
    }

    /// What the certificate in service says, and for an admin the form that
    /// replaces it (PEM certificate chain and ECDSA key; webd switches to it
    /// for new connections without a restart).
    static func certificateSection(_ frame: Frame, _ certificate: CertificateStore.Summary?) -> String {
        guard let certificate else { return "" }
        let upload = frame.role == "admin" ? """
        <form id="certificate-upload" method="post" action="/system/certificate">
        \(csrfField(frame.csrf))
        <label>Certificate (PEM, leaf first) <textarea name="certificate" id="certificate-pem" rows="6" cols="64" required></textarea></label>
        <label>Private key (PEM, ECDSA P-256 or P-384) <textarea name="key" id="certificate-key" rows="4" cols="64" required></textarea></label>
        <button type="submit" id="certificate-submit">Install</button>
        </form>
        """ : ""
        return """
        <section><h2>Certificate</h2>
        <dl id="certificate">
        <dt>Subject</dt><dd>\(escape(certificate.subject))</dd>
        <dt>Issuer</dt><dd>\(escape(certificate.issuer))\(certificate.selfSigned ? " (self-signed)" : "")</dd>
        <dt>Names</dt><dd>\(escape(certificate.subjectAlternativeNames.joined(separator: ", ")))</dd>
        <dt>Valid</dt><dd>\(escape(certificate.notValidBefore)) to \(escape(certificate.notValidAfter))</dd>
        <dt>SHA-256</dt><dd id="certificate-fingerprint">\(escape(certificate.sha256Fingerprint))</dd>
        </dl>
        \(upload)
        </section>
        """
    }
}
