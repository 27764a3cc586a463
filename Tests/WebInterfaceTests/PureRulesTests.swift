import ApplianceCore
import Crypto
import HTTPTypes
import Supervisor
import Testing
@testable import WebInterface

/// The pure rules: the redirect, CSRF tokens, cookies, form decoding, HTML
/// escaping, host facts and how daemon errors become HTTP statuses.
@Suite struct PureRulesTests {
    @Test func redirectUsesTheConfiguredHostAndPortNotTheRequest() {
        let redirect = HTTPSRedirect(host: "encoder-7", port: 10443)
        #expect(redirect.location(for: "/streams?x=1") == "https://encoder-7:10443/streams?x=1")
        // An absolute-form target names another host: only its path is kept.
        #expect(redirect.location(for: "http://evil.example/steal?q") == "https://encoder-7:10443/steal?q")
        #expect(redirect.location(for: "http://evil.example") == "https://encoder-7:10443/")
        // "//evil.example" would be scheme-relative in a browser.
        #expect(redirect.location(for: "//evil.example/x") == "https://encoder-7:10443/")
        #expect(redirect.location(for: "*") == "https://encoder-7:10443/")
        #expect(HTTPSRedirect(host: "encoder-7", port: 443).location(for: "/") == "https://encoder-7/")
        #expect(HTTPSRedirect(host: "2001:db8::1", port: 443).origin == "https://[2001:db8::1]")
    }

    @Test func redirectIs301ForGetAndHeadAnd308ForEverythingElse() {
        #expect(HTTPSRedirect.status(for: .get) == .movedPermanently)
        #expect(HTTPSRedirect.status(for: .head) == .movedPermanently)
        #expect(HTTPSRedirect.status(for: .post) == .permanentRedirect)
        #expect(HTTPSRedirect.status(for: .delete) == .permanentRedirect)
        #expect(HTTPSRedirect.status(for: .put) == .permanentRedirect)
    }

    @Test func csrfTokenIsBoundToItsSessionPurposeAndKey() {
        let tokens = CSRFTokens(key: SymmetricKey(size: .bits256))
        let token = tokens.token(for: "aabbcc")
        #expect(token.count == 64)
        #expect(tokens.verify(token, for: "aabbcc"))
        #expect(!tokens.verify(token, for: "aabbcd"))
        #expect(!tokens.verify(nil, for: "aabbcc"))
        #expect(!tokens.verify("", for: "aabbcc"))
        #expect(!tokens.verify(String(token.dropLast()), for: "aabbcc"))
        #expect(!tokens.verify(token, for: "aabbcc", purpose: .signIn))
        #expect(!CSRFTokens(key: SymmetricKey(size: .bits256)).verify(token, for: "aabbcc"))
        #expect(!CSRFTokens.isStateChanging("GET") && !CSRFTokens.isStateChanging("HEAD"))
        #expect(CSRFTokens.isStateChanging("POST") && CSRFTokens.isStateChanging("DELETE"))
    }

    @Test func sessionCookieIsSecureHttpOnlyStrictAndReadBackExactly() {
        let header = SessionCookie.setting(SessionCookie.session, to: "0123abcd")
        #expect(header == "__Host-webd-session=0123abcd; Path=/; Secure; HttpOnly; SameSite=Strict")
        #expect(SessionCookie.clearing(SessionCookie.session).contains("Max-Age=0"))
        #expect(SessionCookie.value(SessionCookie.session, in: "a=1; __Host-webd-session=0123abcd; b=2") == "0123abcd")
        #expect(SessionCookie.value(SessionCookie.session, in: "x__Host-webd-session=1") == nil)
        #expect(SessionCookie.value(SessionCookie.session, in: "__Host-webd-session=ab\"cd") == nil)
        #expect(SessionCookie.value(SessionCookie.session, in: nil) == nil)
        let nonce = SessionCookie.newNonce()
        #expect(nonce.count == 64 && nonce != SessionCookie.newNonce())
    }

    @Test func formFieldsDecodePlusPercentAndUTF8() {
        let form = FormFields(Array("account=ad%6Din&password=a+b%26c%3D%C3%A9&csrf=&x".utf8))
        #expect(form["account"] == "admin")
        #expect(form["password"] == "a b&c=é")
        #expect(form["csrf"] == "")
        #expect(form["x"] == "")
        #expect(form["missing"] == nil)
        // A truncated escape stays as it was.
        #expect(FormFields(Array("a=%4".utf8))["a"] == "%4")
    }

    @Test func htmlEscapingLeavesNoMarkup() {
        #expect(HTMLPage.escape(#"<script>alert("x")</script>&'"#) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;")
        let page = HTMLPage.signIn(hostname: "enc<1>", banner: "Authorised <b>use</b> only", csrf: "t\"x")
        #expect(page.contains("<pre class=\"banner\">Authorised &lt;b&gt;use&lt;/b&gt; only</pre>"))
        #expect(page.contains("value=\"t&quot;x\""))
        #expect(!page.contains("<b>"))
        // No inline script or style: the CSP forbids them.
        #expect(!page.contains("<script>") && !page.contains("style="))
        #expect(page.contains("<script src=\"/static/app.js\" defer></script>"))
    }

    /// The web pages, the CLI and procmon's table write figures the same way
    /// (`Units`): the stream page reads `17.97 ms`, not `17.973593333333337 ms`.
    @Test func figuresAreRoundedForPeopleTheSameWayEverywhere() {
        #expect(HTMLPage.bytes(25 * 1024 * 1024 + 512 * 1024) == "25.5 MiB")
        #expect(HTMLPage.bytes(3 << 30) == "3.0 GiB")
        #expect(HTMLPage.bytes(2048) == "2.0 KiB")
        #expect(HTMLPage.bitrate(4_250_000) == "4.25 Mbit/s")
        #expect(HTMLPage.bitrate(96_000) == "96.0 kbit/s")
        #expect(HTMLPage.bitrate(800) == "800 bit/s")
        #expect(HTMLPage.duration(90_061) == "1d 01:01:01")
        #expect(HTMLPage.duration(3_725) == "01:02:05")
        #expect(HTMLPage.duration(90_061) == ProcessTable.uptime(90_061) && HTMLPage.bytes(2048) == ProcessTable.bytes(2048))
        #expect(Units.milliseconds(17.973593333333337) == "17.97 ms" && Units.microseconds(412.46) == "412.5 µs")
        #expect(Units.milliseconds(3) == "3.00 ms" && Units.format(0.004, 2) == "0.00")
    }

    @Test func hostStatusParsesProcFiles() {
        let host = HostStatus.parse(uptime: "12345.67 2000.00\n", loadavg: "0.50 0.25 0.10 1/234 5678\n",
                                    meminfo: "MemTotal:        2048000 kB\nMemFree:  100 kB\nMemAvailable:    1024000 kB\n")
        #expect(host.uptimeSeconds == 12345.67)
        #expect(host.load == [0.5, 0.25, 0.1])
        #expect(host.memoryTotalBytes == 2_048_000 * 1024)
        #expect(host.memoryAvailableBytes == 1_024_000 * 1024)
    }

    @Test func daemonErrorsBecomeStatusesThatNameTheDaemon() {
        #expect(WebError.from(ControlError(.unavailable, "not running"), daemon: "sessmgrd") == WebError(.serviceUnavailable, "sessmgrd is not answering: not running"))
        #expect(WebError.from(ControlError(.timeout, "late"), daemon: "procmon").status == .serviceUnavailable)
        #expect(WebError.from(ControlError(.permissionDenied, "needs operator"), daemon: "sessmgrd").status == .forbidden)
        #expect(WebError.from(ControlError(.permissionDenied, "the session has expired or is unknown; sign in again"), daemon: "configd").status == .unauthorized)
        #expect(WebError.from(ControlError(.invalidParameters, "no stream x"), daemon: "sessmgrd").status == .badRequest)
    }

    @Test func everySecurityHeaderIsSetAndReplacesAHandlersValue() {
        var fields = HTTPFields()
        fields[HTTPField.Name("X-Frame-Options")!] = "SAMEORIGIN"
        SecurityHeaders.apply(to: &fields)
        #expect(fields[HTTPField.Name("X-Frame-Options")!] == "DENY")
        #expect(fields[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
        #expect(fields[.contentSecurityPolicy]?.hasPrefix("default-src 'self'") == true)
        #expect(fields[.contentSecurityPolicy]?.contains("unsafe-inline") == false)
        #expect(fields[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
        #expect(fields[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
        #expect(fields[.cacheControl] == "no-store")
    }
}
