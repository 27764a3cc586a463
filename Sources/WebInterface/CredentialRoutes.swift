#if canImport(FoundationEssentials)
import ApplianceProtocol
import FoundationEssentials
#else
import Foundation
#endif
import ApplianceCore
import Configuration
import HTTPTypes
import Hummingbird
import NIOSSL
import Synchronization

/// Puts an admin's certificate in service: checked, written (the old pair
/// kept), and switched to for every new connection without a restart.
public struct CertificateInstaller: Sendable {
    let store: CertificateStore
    let identity: ServerTLSIdentity
    /// One install at a time (the API, the form and the CLI may race): the
    /// pair on disk and the context in service come from the same install.
    let serial = InstallSerial()

    final class InstallSerial: Sendable {
        let lock = Mutex(())
    }

    public init(store: CertificateStore, identity: ServerTLSIdentity) {
        self.store = store
        self.identity = identity
    }

    /// What the certificate in service says.
    func current() throws(WebError) -> CertificateStore.Summary {
        do {
            guard let certificate = try AtomicFile.read(store.certificatePath), let key = try AtomicFile.read(store.keyPath) else {
                throw WebError(.serviceUnavailable, "no certificate is stored")
            }
            return try CertificateStore.check(certificatePEM: String(decoding: certificate, as: UTF8.self), keyPEM: String(decoding: key, as: UTF8.self), now: nil)
        } catch let error as WebError {
            throw error
        } catch {
            throw WebError(.serviceUnavailable, "the stored certificate cannot be read: \(error)")
        }
    }

    /// Checks the pair, builds its TLS context, writes it, then switches.
    /// Nothing changes if any step fails.
    func install(certificatePEM: String, keyPEM: String) throws(WebError) -> CertificateStore.Summary {
        try serial.lock.withLock { _ throws(WebError) in try installAlone(certificatePEM: certificatePEM, keyPEM: keyPEM) }
    }

    private func installAlone(certificatePEM: String, keyPEM: String) throws(WebError) -> CertificateStore.Summary {
        let summary: CertificateStore.Summary
        do throws(CertificateStore.StoreError) {
            summary = try CertificateStore.check(certificatePEM: certificatePEM, keyPEM: keyPEM, now: Date())
        } catch {
            throw WebError(.unprocessableContent, error.description)
        }
        let configuration: TLSConfigurationBox
        do {
            configuration = TLSConfigurationBox(try TLSPolicy.serverConfiguration(certificatePEM: certificatePEM, keyPEM: keyPEM))
            // Built before anything is written: a pair BoringSSL refuses never reaches the disk.
            _ = try ServerTLSIdentity(configuration.value)
        } catch {
            throw WebError(.unprocessableContent, "TLS refuses this pair: \(error)")
        }
        do {
            try store.install(certificatePEM: certificatePEM, keyPEM: keyPEM)
            try identity.replace(with: configuration.value)
        } catch {
            throw WebError(.internalServerError, "the certificate could not be installed: \(error)")
        }
        return summary
    }
}

/// `TLSConfiguration` carried across a `throws(WebError)` boundary.
struct TLSConfigurationBox { let value: TLSConfiguration; init(_ value: TLSConfiguration) { self.value = value } }

extension ApplianceBackends {
    public func apiTokens(session: String) async throws(WebError) -> [ConfigdMethod.APITokenInfo] {
        try await call("configd", ConfigdMethod.APITokenList.self, .init(session: session))
    }

    public func createAPIToken(session: String, account: String, label: String, peer: String) async throws(WebError) -> ConfigdMethod.APITokenIssued {
        try await call("configd", ConfigdMethod.APITokenCreate.self,
                       .init(session: session, account: account, label: label, origin: RequestOrigin(channel: "web", peer: peer)))
    }

    public func revokeAPIToken(session: String, id: String, peer: String) async throws(WebError) {
        _ = try await call("configd", ConfigdMethod.APITokenRevoke.self, .init(session: session, id: id, origin: RequestOrigin(channel: "web", peer: peer)))
    }
}

extension WebRoutes {
    /// A certificate and key in PEM, as uploaded.
    struct CertificateUpload: Decodable {
        var certificate: String
        var key: String
    }

    struct TokenRequest: Decodable {
        var account: String
        var label: String
    }

    struct APITokenList: Codable { var tokens: [ConfigdMethod.APITokenInfo] }
    struct Revoked: Codable { var revoked: String }

    /// The largest certificate upload: a chain of a few certificates and a key.
    static let maximumCertificateUploadBytes = 64 * 1024

    /// Installs a pair for an admin (webd owns its certificate, so webd checks
    /// the role); every install and refusal is audited with the client.
    func installCertificate(_ who: SignedIn, context: WebRequestContext, certificatePEM: String, keyPEM: String) throws(WebError) -> CertificateStore.Summary {
        guard who.role == Role.admin.rawValue else {
            refuse(context, "certificate upload by \(who.account) (\(who.role))")
            throw WebError(.forbidden, "only an admin may install a certificate")
        }
        guard let certificates else { throw WebError(.notFound, "this webd serves no certificate") }
        do throws(WebError) {
            let installed = try certificates.install(certificatePEM: certificatePEM, keyPEM: keyPEM)
            record(who, context, "web-certificate-installed", [("fingerprint", installed.sha256Fingerprint), ("subject", installed.subject)],
                   "\(who.account) installed the web certificate \(installed.subject) (SHA-256 \(installed.sha256Fingerprint)) from \(context.peer)")
            return installed
        } catch {
            record(who, context, "web-certificate-refused", [("error", error.message)],
                   "\(who.account) could not install a web certificate from \(context.peer): \(error.message)", severity: .warning)
            throw error
        }
    }

    /// The certificate (any signed-in role reads it; admins replace it) and
    /// the API tokens (configd decides who may create, list and revoke).
    func addCredentialRoutes(to router: Router<WebRequestContext>) {
        api(router, .get, "/api/v1/certificate") { request, context -> Response in
            _ = try await signedIn(request, context: context, changing: false)
            guard let certificates else { throw WebError(.notFound, "this webd serves no certificate") }
            return JSONBody.response(try certificates.current())
        }
        api(router, .put, "/api/v1/certificate") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let bytes = try await JSONBody.read(request, limit: Self.maximumCertificateUploadBytes)
            let upload: CertificateUpload
            do {
                upload = try JSONDecoder().decode(CertificateUpload.self, from: Data(bytes))
            } catch {
                throw WebError(.badRequest, #"the body must be {"certificate": "-----BEGIN CERTIFICATE-----…", "key": "-----BEGIN PRIVATE KEY-----…"}"#)
            }
            return JSONBody.response(try installCertificate(who, context: context, certificatePEM: upload.certificate, keyPEM: upload.key))
        }
        router.post("/system/certificate") { request, context -> Response in
            let (who, form) = try await formSession(request, context: context)
            do throws(WebError) {
                _ = try installCertificate(who, context: context, certificatePEM: form["certificate"] ?? "", keyPEM: form["key"] ?? "")
                return await systemPage(who, message: "The certificate is installed: new connections present it.")
            } catch {
                return await systemPage(who, message: error.message, status: error.status)
            }
        }
        router.post("/accounts/tokens") { request, context -> Response in
            let (who, form) = try await formSession(request, context: context)
            do throws(WebError) {
                let issued = try await backends.createAPIToken(session: who.token, account: form["account"] ?? "", label: form["label"] ?? "", peer: context.peer)
                return await accountsPage(who, issued: issued)
            } catch {
                return await accountsPage(who, message: error.message, status: error.status)
            }
        }
        router.post("/accounts/tokens/:id/revoke") { request, context -> Response in
            let (who, _) = try await formSession(request, context: context)
            do throws(WebError) {
                try await backends.revokeAPIToken(session: who.token, id: context.parameters.get("id") ?? "", peer: context.peer)
                return Self.seeOther("/accounts")
            } catch {
                return await accountsPage(who, message: error.message, status: error.status)
            }
        }
        api(router, .get, "/api/v1/tokens") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            return JSONBody.response(APITokenList(tokens: try await backends.apiTokens(session: who.token)))
        }
        api(router, .post, "/api/v1/tokens") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let asked = try await JSONBody.decode(TokenRequest.self, from: request, shape: #"{"account": "...", "label": "..."}"#)
            let issued = try await backends.createAPIToken(session: who.token, account: asked.account, label: asked.label, peer: context.peer)
            return JSONBody.response(issued, status: .created)
        }
        api(router, .delete, "/api/v1/tokens/{id}") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            guard let id = context.parameters.get("id"), id.utf8.count == 16, id.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw WebError(.badRequest, "a token id is 16 lowercase hex digits")
            }
            try await backends.revokeAPIToken(session: who.token, id: id, peer: context.peer)
            return JSONBody.response(Revoked(revoked: id))
        }
    }
}

extension HTMLPage {
    /// The API tokens on `/accounts`: id, account, label, created, a revoke
    /// button each, the create form, and a just-issued secret shown once.
    static func apiTokens(_ frame: Frame, _ tokens: [ConfigdMethod.APITokenInfo], accounts: [String], issued: ConfigdMethod.APITokenIssued?) -> String {
        guard frame.role == "admin" else { return "" }
        let rows = tokens.map { token in
            "<tr data-id=\"\(escape(token.id))\"><td><code>\(escape(token.id))</code></td><td>\(escape(token.account))</td><td>\(escape(token.label))</td>"
                + "<td>\(token.created)</td><td><form method=\"post\" action=\"/accounts/tokens/\(escape(token.id))/revoke\">\(csrfField(frame.csrf))"
                + "<button type=\"submit\">Revoke</button></form></td></tr>"
        }.joined(separator: "\n")
        let secret = issued.map {
            "<p id=\"token-secret\">Token \(escape($0.token.id)) for \(escape($0.token.account)): <code>\(escape($0.secret))</code> (shown only now: copy it)</p>"
        } ?? ""
        let options = accounts.map { "<option>\(escape($0))</option>" }.joined()
        return """
        <section><h2>API tokens</h2>
        \(secret)
        <table id="token-list"><thead><tr><th>Id</th><th>Account</th><th>Label</th><th>Created</th><th></th></tr></thead><tbody>
        \(rows)
        </tbody></table>
        <form id="token-create" method="post" action="/accounts/tokens">
        \(csrfField(frame.csrf))
        <label>Account <select name="account">\(options)</select></label>
        <label>Label <input name="label" required maxlength="64" pattern="[!-~]{1,64}"></label>
        <button type="submit" id="token-create-submit">Create token</button>
        </form>
        </section>
        """
    }
}
