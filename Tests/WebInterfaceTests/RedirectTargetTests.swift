import Testing
@testable import WebInterface

/// Port 80's redirect target (issue 13 #17): a configured single-label name
/// (`appliance`, which a client reaching the box by address cannot resolve)
/// gives way to the address the client connected to; a fully qualified name
/// is kept; the request's Host header is never an input.
@Suite struct RedirectTargetTests {
    @Test func aSingleLabelNameGivesWayToTheAddressTheClientConnectedTo() {
        #expect(HTTPSRedirect(configuredName: "appliance", localAddress: "192.0.2.10", port: 443).location(for: "/x") == "https://192.0.2.10/x")
        #expect(HTTPSRedirect(configuredName: "encoder-7", localAddress: "2001:db8::7", port: 10443).location(for: "/streams?a=1")
                == "https://[2001:db8::7]:10443/streams?a=1")
    }

    @Test func aFullyQualifiedNameIsKept() {
        #expect(HTTPSRedirect(configuredName: "encoder-7.studio.example", localAddress: "192.0.2.10", port: 443).origin == "https://encoder-7.studio.example")
    }

    /// A dual-stack socket reports an IPv4 client's address as
    /// `::ffff:a.b.c.d`; the URL names the IPv4 address a browser knows.
    @Test func anIPv4MappedAddressIsWrittenAsIPv4() {
        #expect(HTTPSRedirect(configuredName: "appliance", localAddress: "::ffff:127.0.0.1", port: 24443).origin == "https://127.0.0.1:24443")
    }

    /// A link-local address carries its zone, written `%25` in a URL (RFC 6874).
    @Test func aZoneIsPercentEncoded() {
        #expect(HTTPSRedirect(configuredName: "appliance", localAddress: "fe80::1%eth0", port: 443).origin == "https://[fe80::1%25eth0]")
    }

    /// Without a local address (never on a TCP socket) the name is all there is.
    @Test func noLocalAddressKeepsTheConfiguredName() {
        #expect(HTTPSRedirect(configuredName: "appliance", localAddress: nil, port: 443).origin == "https://appliance")
    }
}
