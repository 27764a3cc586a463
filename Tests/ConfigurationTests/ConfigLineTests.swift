import Configuration
import Testing
import TestSupport

/// The front ends build configuration lines with `ConfigLine`; whatever text
/// a user gives, the line carries exactly that text in its one word.
@Suite struct ConfigLineTests {
    static let ascii: [Character] = ["a", "Z", "0", " ", "\"", "\\", "!", "#", "'", "=", "-", "?"]
    static let alphabet: [Character] = ascii + ["é", "🙂", "\u{301}"]

    /// The banner is printable ASCII and newlines; location and contact any printable text.
    static func text(_ generator: inout SeededGenerator, newlines: Bool) -> String {
        let length = Int.random(in: 1...24, using: &generator)
        return String((0..<length).map { _ in
            newlines && Int.random(in: 0..<8, using: &generator) == 0 ? "\n"
                : (newlines ? ascii : alphabet).randomElement(using: &generator)!
        })
    }

    /// 1,500 random texts (500 rounds of three) with quotes, backslashes, `!`, `#`, combining marks
    /// and (in the banner) newlines: each line parses back to the same value.
    @Test func freeTextSurvivesTheLineWordForWord() throws {
        var generator = SeededGenerator(seed: 14)
        for _ in 0..<500 {
            let location = Self.text(&generator, newlines: false), contact = Self.text(&generator, newlines: false)
            let banner = Self.text(&generator, newlines: true)
            var config = ApplianceConfig()
            for line in [ConfigLine.systemLocation(location), ConfigLine.systemContact(contact), ConfigLine.loginBanner(banner)] {
                try ConfigParser.apply(line: line, to: &config)
            }
            #expect(config.system.location == location && config.system.contact == contact && config.system.loginBanner == banner)
            for line in [ConfigLine.systemLocation(nil), ConfigLine.systemContact(nil), ConfigLine.loginBanner(nil)] {
                try ConfigParser.apply(line: line, to: &config)
            }
            #expect(config.system.location == nil && config.system.contact == nil && config.system.loginBanner == nil)
        }
    }

    /// The account lines the CLI and webd send: create, role, lock, key, delete.
    @Test func accountLinesDoWhatTheyName() throws {
        var config = ApplianceConfig()
        try ConfigParser.apply(line: ConfigLine.accountRole("bob", .operator), to: &config)
        #expect(config.accounts.first?.role == .operator)
        try ConfigParser.apply(line: ConfigLine.accountLocked("bob", true), to: &config)
        #expect(config.accounts.first?.locked == true)
        try ConfigParser.apply(line: ConfigLine.accountLocked("bob", false), to: &config)
        #expect(config.accounts.first?.locked == false)
        let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl a \"quoted\" comment!"
        try ConfigParser.apply(line: ConfigLine.accountSSHKey("bob", key), to: &config)
        #expect(config.accounts.first?.sshKeys.count == 1)
        try ConfigParser.apply(line: ConfigLine.accountSSHKey("bob", key, present: false), to: &config)
        #expect(config.accounts.first?.sshKeys.isEmpty == true)
        try ConfigParser.apply(line: ConfigLine.noAccount("bob"), to: &config)
        #expect(config.accounts.isEmpty)
    }

    /// A stream's settings, one keyword and one word each, and their removal.
    @Test func streamLinesCarryEachSettingAsOneWord() throws {
        var config = ApplianceConfig()
        try ConfigParser.apply(line: ConfigLine.stream("cam1", [("source", "file:/media/a b.ts"), ("destination", "udp://192.0.2.1:5000"),
                                                               ("ttl", "7"), ("autostart", nil)]), to: &config)
        #expect(config.streams.first?.source.description == "file:/media/a b.ts" && config.streams.first?.ttl == 7)
        #expect(config.streams.first?.autostart == true)
        try ConfigParser.apply(line: ConfigLine.noStreamSetting("cam1", "autostart"), to: &config)
        #expect(config.streams.first?.autostart == false)
        try ConfigParser.apply(line: ConfigLine.noStream("cam1"), to: &config)
        #expect(config.streams.isEmpty)
    }
}
