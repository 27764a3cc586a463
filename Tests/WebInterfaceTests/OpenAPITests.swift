import Foundation
import ApplianceCore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import WebInterface

/// The OpenAPI document against the routes webd really registers.
@Suite struct OpenAPITests {
    static func document() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any])
    }

    static func router() -> Router<WebRequestContext> {
        let audit = AuditClient(socketPath: "/nonexistent/audit.sock", appName: "webd", fallback: { _ in })
        return WebRoutes(backends: ApplianceBackends(paths: AppliancePaths(root: "/nonexistent")), audit: audit).router()
    }

    @Test func everyAPIRouteWebdRegistersIsDescribedAndNothingElse() throws {
        let paths = try #require(try Self.document()["paths"] as? [String: Any])
        let registered = Set(Self.router().routes.map { "\($0.method.rawValue.lowercased()) \($0.path)" }.filter { $0.contains(" /api/") })
        var documented = Set<String>()
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method) \(path)")
            }
        }
        #expect(registered.count >= 10)
        #expect(registered.subtracting(documented).isEmpty, "undocumented: \(registered.subtracting(documented).sorted())")
        #expect(documented.subtracting(registered).isEmpty, "documented but not served: \(documented.subtracting(registered).sorted())")
    }

    @Test func theTableTheRouterRegistersFromNamesEachOperationOnce() {
        #expect(WebRoutes.documented.count == OpenAPIDocument.operations.count)
        #expect(WebRoutes.documented.contains("get /api/v1/streams/{name}"))
    }

    @Test func everyReferenceResolvesAndTheSecuritySchemesAreTheCookieAndTheCSRFHeader() throws {
        let document = try Self.document()
        #expect((document["openapi"] as? String)?.hasPrefix("3.0") == true)
        let components = try #require(document["components"] as? [String: Any])
        let schemes = try #require(components["securitySchemes"] as? [String: [String: String]])
        #expect(schemes["session"]?["in"] == "cookie" && schemes["session"]?["name"] == SessionCookie.session)
        #expect(schemes["csrf"]?["in"] == "header" && schemes["csrf"]?["name"] == CSRFTokens.headerName)
        var references: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let reference = object["$ref"] as? String { references.append(reference) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] { array.forEach(walk) }
        }
        walk(document)
        #expect(!references.isEmpty)
        for reference in references {
            let parts = reference.split(separator: "/").dropFirst().map(String.init)
            var node: Any? = document
            for part in parts { node = (node as? [String: Any])?[part] }
            #expect(node != nil, "\(reference) does not resolve")
        }
    }

    /// docs/openapi.json is the generated document, for readers; with
    /// `OPENAPI_WRITE=1` this test writes it instead of comparing.
    @Test func theCompiledInDocumentIsDocsOpenapiJson() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/openapi.json")
        if ProcessInfo.processInfo.environment["OPENAPI_WRITE"] == "1" {
            try (OpenAPIDocument.json + "\n").write(to: docs, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOf: docs, encoding: .utf8)
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == OpenAPIDocument.json.trimmingCharacters(in: .whitespacesAndNewlines),
                "docs/openapi.json is not the generated document: OPENAPI_WRITE=1 swift test --filter OpenAPITests rewrites it")
    }

    @Test func theDocumentIsServedWithoutASession() async throws {
        let app = Application(router: Self.router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(String(buffer: response.body).contains(#""openapi": "3.0.3""#))
            }
        }
    }
}
