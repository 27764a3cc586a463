import ApplianceProtocol
import Configuration
import ApplianceCore

/// The certificate on webd's control socket, for the CLI (`show
/// certificate`, `certificate install`): the same checks, messages, files
/// and switch as the web upload (`CertificateInstaller`), the caller's
/// session checked with configd. Audited like the upload: the act, the
/// account and the fingerprint, never the key.
extension CertificateInstaller {
    /// The largest pair the control socket takes, as the web upload.
    static let maximumControlBytes = WebRoutes.maximumCertificateUploadBytes

    func register(on routes: inout ControlRoutes, resolver: CallerResolver, paths: AppliancePaths, audit: AuditClient) {
        let table = WebdAccess.table, sessions = CallerResolver.configdSessions(paths: paths)
        routes.register(WebdMethod.CurrentCertificate.self, table: table, resolver: resolver) { parameters, caller in
            _ = try await resolver.authorize(WebdMethod.CurrentCertificate.name, in: table, caller: caller, session: parameters.session,
                                             verify: sessions)
            do throws(WebError) {
                return try current()
            } catch {
                throw ControlError(.failed, error.message)
            }
        }
        routes.register(WebdMethod.CertificateInstall.self, table: table, resolver: resolver) { parameters, caller in
            let channel = String((parameters.channel ?? "control").prefix(16))
            let peer = String((parameters.peer ?? "").prefix(64))
            var facts: [(name: String, value: String)] = [("channel", channel), ("peer", peer), ("uid", String(caller.uid)), ("pid", String(caller.pid))]
            let account: String
            do throws(ControlError) {
                account = try await resolver.authorize(WebdMethod.CertificateInstall.name, in: table, caller: caller, session: parameters.session,
                                                       verify: sessions).actor
            } catch {
                audit.record(AuditEvent("web-certificate-refused", severity: .warning, facts: facts + [("error", error.message)],
                                        message: "uid \(caller.uid) could not install a web certificate over \(channel): \(error.message)"))
                throw error
            }
            facts.insert(("account", account), at: 0)
            guard parameters.certificate.utf8.count + parameters.key.utf8.count <= Self.maximumControlBytes else {
                let message = "a certificate chain and key are at most \(Self.maximumControlBytes) bytes together"
                audit.record(AuditEvent("web-certificate-refused", severity: .warning, facts: facts + [("error", message)],
                                        message: "\(account) could not install a web certificate over \(channel): \(message)"))
                throw ControlError(.invalidParameters, message)
            }
            do throws(WebError) {
                let installed = try install(certificatePEM: parameters.certificate, keyPEM: parameters.key)
                audit.record(AuditEvent("web-certificate-installed", facts: facts + [("fingerprint", installed.sha256Fingerprint), ("subject", installed.subject)],
                                        message: "\(account) installed the web certificate \(installed.subject) (SHA-256 \(installed.sha256Fingerprint)) over \(channel) \(peer)"))
                return installed
            } catch {
                audit.record(AuditEvent("web-certificate-refused", severity: .warning, facts: facts + [("error", error.message)],
                                        message: "\(account) could not install a web certificate over \(channel): \(error.message)"))
                throw ControlError(error.status.code >= 500 ? .failed : .invalidParameters, error.message)
            }
        }
    }
}
