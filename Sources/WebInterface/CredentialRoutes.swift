#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ApplianceCore
import Configuration
import HTTPTypes
import Hummingbird
import NIOSSL

/// Puts an admin's certificate in service: checked, written (the old pair
/// kept), and switched to for every new connection without a restart.
public struct CertificateInstaller: Sendable {
    let store: CertificateStore
    let identity: ServerTLSIdentity

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

    /// The largest certificate upload: a chain of a few certificates and a key.
    static let maximumCertificateUploadBytes = 64 * 1024

    /// The certificate (any signed-in role reads it; admins replace it) and
    /// the API tokens (configd decides who may create, list and revoke).
    func addCredentialRoutes(to router: Router<WebRequestContext>) {
        router.get("/api/v1/certificate") { request, context -> Response in
            _ = try await signedIn(request, context: context, changing: false)
            guard let certificates else { throw WebError(.notFound, "this webd serves no certificate") }
            return JSONBody.response(try certificates.current())
        }
        router.put("/api/v1/certificate") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            guard who.role == Role.admin.rawValue else {
                refuse(context, "certificate upload by \(who.account) (\(who.role))")
                throw WebError(.forbidden, "only an admin may install a certificate")
            }
            guard let certificates else { throw WebError(.notFound, "this webd serves no certificate") }
            let bytes = try await JSONBody.read(request, limit: Self.maximumCertificateUploadBytes)
            let upload: CertificateUpload
            do {
                upload = try JSONDecoder().decode(CertificateUpload.self, from: Data(bytes))
            } catch {
                throw WebError(.badRequest, #"the body must be {"certificate": "-----BEGIN CERTIFICATE-----…", "key": "-----BEGIN PRIVATE KEY-----…"}"#)
            }
            do throws(WebError) {
                let installed = try certificates.install(certificatePEM: upload.certificate, keyPEM: upload.key)
                record(who, context, "web-certificate-installed", [("fingerprint", installed.sha256Fingerprint), ("subject", installed.subject)],
                       "\(who.account) installed the web certificate \(installed.subject) (SHA-256 \(installed.sha256Fingerprint)) from \(context.peer)")
                return JSONBody.response(installed)
            } catch {
                record(who, context, "web-certificate-refused", [("error", error.message)],
                       "\(who.account) could not install a web certificate from \(context.peer): \(error.message)", severity: .warning)
                throw error
            }
        }
        router.get("/api/v1/tokens") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: false)
            return JSONBody.response(["tokens": try await backends.apiTokens(session: who.token)])
        }
        router.post("/api/v1/tokens") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            let asked = try await JSONBody.decode(TokenRequest.self, from: request, shape: #"{"account": "...", "label": "..."}"#)
            let issued = try await backends.createAPIToken(session: who.token, account: asked.account, label: asked.label, peer: context.peer)
            return JSONBody.response(issued, status: .created)
        }
        router.delete("/api/v1/tokens/:id") { request, context -> Response in
            let who = try await signedIn(request, context: context, changing: true)
            guard let id = context.parameters.get("id"), id.utf8.count == 16, id.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
                throw WebError(.badRequest, "a token id is 16 lowercase hex digits")
            }
            try await backends.revokeAPIToken(session: who.token, id: id, peer: context.peer)
            return JSONBody.response(["revoked": id])
        }
    }
}
