import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import WebInterface

/// The new pages and API routes with no daemon behind webd: what webd
/// decides before asking one (sign-in redirect, CSRF, bad names).
@Suite struct PagesRouteTests {
    @Test func pagesWithoutASessionGoToSignInAndFormsWithoutTheirTokenAre403() async throws {
        let (app, csrf) = RouteTests.application()
        try await app.test(.router) { client in
            for page in ["/streams", "/streams/cam1", "/accounts", "/policy", "/snmp", "/audit", "/system"] {
                try await client.execute(uri: page, method: .get) { response in
                    #expect(response.status == .seeOther, "\(page)")
                    #expect(response.headers[.location] == "/login", "\(page)")
                }
            }
            var headers = HTTPFields()
            headers[.cookie] = "\(SessionCookie.session)=aa"
            headers[.contentType] = "application/x-www-form-urlencoded"
            for form in ["/streams", "/streams/cam1", "/streams/cam1/delete", "/accounts", "/accounts/bob/lock", "/policy", "/system",
                         "/system/revert", "/snmp/users", "/audit/destinations"] {
                try await client.execute(uri: form, method: .post, headers: headers, body: ByteBuffer(string: "csrf=forged&name=x")) { response in
                    #expect(response.status == .forbidden, "\(form)")
                    #expect(String(buffer: response.body).contains("CSRF"), "\(form)")
                }
            }
            // With the right token the session check is next: configd is not there.
            try await client.execute(uri: "/streams", method: .post, headers: headers,
                                     body: ByteBuffer(string: "csrf=\(csrf.token(for: "aa").addingPercentEncodingForForm)&name=x")) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("configd is not answering"))
            }
        }
    }

    @Test func apiChangesNeedTheCSRFHeaderAndABadStreamNameIsA400NamingIt() async throws {
        let (app, csrf) = RouteTests.application()
        try await app.test(.router) { client in
            var headers = HTTPFields()
            headers[.cookie] = "\(SessionCookie.session)=aa"
            headers[.contentType] = "application/json"
            for (method, uri) in [(HTTPRequest.Method.post, "/api/v1/streams"), (.patch, "/api/v1/streams/cam1"), (.delete, "/api/v1/streams/cam1"),
                                  (.post, "/api/v1/accounts"), (.patch, "/api/v1/policy"), (.patch, "/api/v1/system"), (.post, "/api/v1/config/revert"),
                                  (.post, "/api/v1/snmp/users"), (.delete, "/api/v1/audit/destinations/h")] {
                try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: "{}")) { response in
                    #expect(response.status == .forbidden, "\(method) \(uri)")
                    #expect(String(buffer: response.body).contains(#""error""#))
                }
            }
            headers[HTTPField.Name("X-CSRF-Token")!] = csrf.token(for: "aa")
            try await client.execute(uri: "/api/v1/streams/a%20b", method: .patch, headers: headers, body: ByteBuffer(string: #"{"ttl": 5}"#)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("name: a stream name"))
            }
        }
    }
}

extension String {
    /// Percent-encoded for a form body (the CSRF token is base64url, but to be safe).
    var addingPercentEncodingForForm: String {
        var out = ""
        for byte in utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isLetter || c.isNumber || c == "-" || c == "_" || c == "." { out.append(c) } else { out += "%" + String(byte, radix: 16, uppercase: true).leftPadded }
        }
        return out
    }

    fileprivate var leftPadded: String { count == 1 ? "0" + self : self }
}
