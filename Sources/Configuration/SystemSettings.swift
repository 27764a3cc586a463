/// Identity of the appliance: what `hostname`, SNMP's sysName/sysContact/
/// sysLocation (RFC 3418) and the login prompts show.
public struct SystemSettings: Codable, Equatable, Sendable {
    /// The host name, one RFC 1123 label. Also SNMP sysName and the
    /// RFC 5424 HOSTNAME of audit messages.
    public var hostname: String
    /// Where the appliance is (SNMP sysLocation). Free text, at most 255 characters.
    public var location: String?
    /// Who to call about it (SNMP sysContact). Free text, at most 255 characters.
    public var contact: String?
    /// Shown before login on ssh and the web page: printable ASCII and
    /// newlines, at most `maximumBannerBytes`.
    public var loginBanner: String?

    /// The factory host name.
    public static let defaultHostname = "appliance"
    /// RFC 3418 sysLocation and sysContact are DisplayString (SIZE (0..255)).
    public static let maximumTextLength = 255
    /// The login banner limit: 4 KiB.
    public static let maximumBannerBytes = 4096

    public init(hostname: String = SystemSettings.defaultHostname, location: String? = nil,
                contact: String? = nil, loginBanner: String? = nil) {
        self.hostname = hostname
        self.location = location
        self.contact = contact
        self.loginBanner = loginBanner
    }

    /// What a valid host name looks like, for error messages.
    public static let hostnameRule = "an RFC 1123 host name label: 1-63 letters, digits or hyphens, not starting or ending with a hyphen"

    /// RFC 1123 §2.1: one label of 1-63 letters, digits and hyphens, neither
    /// first nor last a hyphen (a leading digit is allowed, unlike RFC 952).
    public static func isValidHostname(_ name: String) -> Bool {
        NetworkHost.isValidLabel(Array(name.utf8))
    }

    /// The banner rule: only printable ASCII (0x20-0x7E) and newlines, so no
    /// terminal escape sequence can reach an operator's screen before login.
    public static func isValidBanner(_ banner: String) -> Bool {
        banner.utf8.count <= maximumBannerBytes
            && banner.utf8.allSatisfy { ($0 >= 0x20 && $0 <= 0x7e) || $0 == 0x0a }
    }

    /// Location and contact: one line of `PrintableText`, at most 255 characters.
    public static func isValidText(_ text: String) -> Bool {
        text.count <= maximumTextLength && PrintableText.isValid(text) && !text.contains("\n")
    }
}
