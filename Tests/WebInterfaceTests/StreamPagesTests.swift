#if canImport(FoundationEssentials)
import ApplianceProtocol
import FoundationEssentials
#else
import Foundation
#endif
import Configuration
import Sessmgr
import Testing
@testable import WebInterface

/// The pure parts of the stream pages: the `stream ...` lines built from an
/// API body or a form, their validation, and the escaping of every value.
@Suite struct StreamPagesTests {
    static let frame = HTMLPage.Frame(hostname: "enc<1>", account: "ann", role: "admin", csrf: "tok\"en")

    @Test func aCreateBodyBecomesOneStreamLineWithEveryField() throws {
        let change = StreamChange(name: "cam1", source: "file:/srv/my cam.ts", destination: "rtp://239.1.1.1:5000", ttl: 32, tos: 184, mtu: 1400,
                                  interface: "eth0", shaping: true, ceiling: 20, autostart: true)
        let commands = try change.commands(for: "cam1", creating: true)
        #expect(commands == [#"stream cam1 source "file:/srv/my cam.ts" destination rtp://239.1.1.1:5000 ttl 32 tos 184 mtu 1400 interface eth0 shaping on ceiling 20 autostart"#])
        var config = ApplianceConfig()
        for command in commands { try ConfigParser.apply(line: command, to: &config) }
        let stream = try #require(config.streams.first)
        #expect(stream.source == .file(path: "/srv/my cam.ts"))
        #expect(stream.ttl == 32 && stream.tos == 184 && stream.mtu == 1400 && stream.outputInterface == "eth0")
        #expect(stream.shaping && stream.shapingCeilingPercent == 20 && stream.autostart)
    }

    @Test func aPatchNamesOnlyWhatChangesAndSwitchesAutostartOffWithANoLine() throws {
        #expect(try StreamChange(ttl: 5, autostart: false).commands(for: "cam1", creating: false) == ["stream cam1 ttl 5", "no stream cam1 autostart"])
        #expect(try StreamChange(interface: "").commands(for: "cam1", creating: false) == ["no stream cam1 interface"])
        #expect(try StreamChange(interface: "shaping", ceiling: 5).commands(for: "cam1", creating: false) == ["stream cam1 interface shaping shaping ceiling 5"])
        #expect(try StreamChange(shaping: false, ceiling: 5).commands(for: "cam1", creating: false) == ["stream cam1 shaping off ceiling 5"])
        #expect(throws: WebError(.badRequest, "name a field to change (source, destination, ttl, ...)")) {
            try StreamChange().commands(for: "cam1", creating: false)
        }
    }

    @Test func newlinesAndControlCharactersAreRefusedNamingTheField() {
        for bad in ["file:/a\nno account admin", "file:/a\rx", "file:/a\u{0}", "file:/a\u{2028}b", "file:/a\u{200B}"] {
            #expect(throws: WebError(.badRequest, "source: control characters (newlines, tabs, ...) are not allowed")) {
                try StreamChange(name: "x", source: bad, destination: "udp://127.0.0.1:5000").commands(for: "x", creating: true)
            }
        }
        #expect(throws: WebError(.badRequest, "destination: control characters (newlines, tabs, ...) are not allowed")) {
            try StreamChange(destination: "udp://1.2.3.4:5\tttl 1").commands(for: "x", creating: false)
        }
    }

    @Test func aQuoteInAValueStaysInsideItsWordAndCannotAddAField() throws {
        let hostile = #"file:/a" autostart ttl 1 \"#
        let commands = try StreamChange(name: "x", source: hostile, destination: "udp://127.0.0.1:5000").commands(for: "x", creating: true)
        #expect(commands.count == 1)
        var config = ApplianceConfig()
        try ConfigParser.apply(line: commands[0], to: &config)
        let stream = try #require(config.streams.first)
        #expect(stream.source == .file(path: #"/a" autostart ttl 1 \"#))
        #expect(!stream.autostart && stream.ttl == 64)
    }

    @Test func badValuesAreRefusedWithTheFieldsName() {
        func message(_ change: StreamChange, creating: Bool = false) -> String? {
            do { _ = try change.commands(for: "cam1", creating: creating); return nil } catch { return error.message }
        }
        #expect(message(StreamChange(ttl: 300))?.hasPrefix("ttl: expected") == true)
        #expect(message(StreamChange(tos: -1))?.hasPrefix("tos: expected") == true)
        #expect(message(StreamChange(mtu: 100))?.hasPrefix("mtu: expected") == true)
        #expect(message(StreamChange(ceiling: 101))?.hasPrefix("ceiling: expected") == true)
        #expect(message(StreamChange(destination: "ftp://x"))?.hasPrefix("destination: expected") == true)
        #expect(message(StreamChange(source: "nonsense"))?.hasPrefix("source: expected") == true)
        #expect(message(StreamChange(source: ""))  == "source: must not be empty")
        #expect(message(StreamChange(destination: "udp://127.0.0.1:5000"), creating: true) == "source: a new stream needs a source")
        #expect(message(StreamChange(source: "file:/a"), creating: true) == "destination: a new stream needs a destination")
        #expect(throws: WebError(.badRequest, "name: a stream name is 1-64 letters, digits, '.', '_' or '-'")) {
            try StreamChange(ttl: 3).commands(for: "a b", creating: false)
        }
    }

    @Test func formFieldsReadHexNumbersAndCheckboxesAndNameTheBadField() throws {
        let form = FormFields(Array("name=cam1&source=file%3A%2Fa.ts&destination=udp%3A%2F%2F127.0.0.1%3A5000&ttl=&tos=0xb8&shaping=on".utf8))
        let change = try StreamChange(form: form, checkboxes: true)
        #expect(change == StreamChange(name: "cam1", source: "file:/a.ts", destination: "udp://127.0.0.1:5000", tos: 0xB8, shaping: true, autostart: false))
        #expect(throws: WebError(.badRequest, "ttl: expected a number, found \"abc\"")) {
            try StreamChange(form: FormFields(Array("ttl=abc".utf8)), checkboxes: true)
        }
    }

    @Test func jsonDecodingErrorsNameTheField() {
        func explain(_ json: String) -> String {
            do { _ = try JSONDecoder().decode(StreamChange.self, from: Data(json.utf8)); return "decoded" } catch let error as DecodingError {
                return JSONBody.explain(error, shape: "S")
            } catch { return "other" }
        }
        #expect(explain(#"{"ttl": "many"}"#) == "ttl: expected an integer")
        #expect(explain(#"{"shaping": 1}"#) == "shaping: expected true or false")
        #expect(explain(#"{"source": 5}"#) == "source: expected a string")
        #expect(explain("[") == "the body is not S")
    }

    static func hostileStatus() -> StreamStatus {
        var status = StreamStatus(name: "cam1", state: "<b>running</b>", source: "file:/\"><script>alert(1)</script>", destination: "udp://<i>:1",
                                  encapsulation: "ts-udp&")
        status.reason = "<img src=x onerror=alert(2)>"
        status.mdi = "<svg>"
        status.shaping = "on 'dev' <eth0>"
        return status
    }

    @Test func everyValueOnTheStreamPagesIsEscaped() throws {
        let status = Self.hostileStatus()
        var config = StreamConfig(name: "cam1", source: .file(path: "/\"><script>x</script>"), destination: try #require(MediaAddress("udp://127.0.0.1:5000")))
        config.outputInterface = "\"><i>"
        for page in [HTMLPage.stream(Self.frame, name: "cam1", status: status, config: config, problem: nil, message: "<u>bad</u>"),
                     HTMLPage.streams(Self.frame, streams: [status], problem: nil, message: "<u>bad</u>")] {
            #expect(!page.contains("<script>") && !page.contains("<img") && !page.contains("<svg>") && !page.contains("<b>") && !page.contains("<i>")
                    && !page.contains("<u>") && !page.contains("enc<1>") && !page.contains("tok\"en"))
            #expect(page.contains("&lt;script&gt;") && page.contains("enc&lt;1&gt;") && page.contains("tok&quot;en"))
        }
    }

    @Test func theStreamPagesCarryTheIdsTheBrowserTestsUse() throws {
        let list = HTMLPage.streams(Self.frame, streams: [Self.hostileStatus()], problem: nil)
        for needle in [#"<form id="stream-create" method="post" action="/streams">"#, #"id="stream-create-submit""#, #"name="name""#, #"name="source""#,
                       #"name="destination""#, #"name="ttl""#, #"name="tos""#, #"type="checkbox" name="shaping""#, #"name="ceiling""#,
                       #"type="checkbox" name="autostart""#, #"<input type="hidden" name="csrf" value="tok&quot;en">"#, #"data-name="cam1""#] {
            #expect(list.contains(needle), "\(needle)")
        }
        let detail = HTMLPage.stream(Self.frame, name: "cam1", status: Self.hostileStatus(), config: nil, problem: nil)
        for needle in [#"id="stream-start""#, #"id="stream-stop""#, #"id="stream-delete""#, #"<span id="stream-bitrate">"#, #"<span id="stream-state">"#,
                       #"<canvas id="bitrate-graph""#, #"id="stream-mdi""#, #"id="stream-pacing-p99""#, #"id="stream-pcr-jitter""#, #"id="stream-restarts""#] {
            #expect(detail.contains(needle), "\(needle)")
        }
        for page in [list, detail] {
            for item in ["dashboard", "streams", "accounts", "policy", "snmp", "audit", "system"] { #expect(page.contains("id=\"nav-\(item)\"")) }
            #expect(page.contains(#"<button type="submit" id="sign-out">"#))
            #expect(!page.contains("<script>") && !page.contains("style="))
            // Every form carries the CSRF field.
            #expect(page.components(separatedBy: "<form ").count == page.components(separatedBy: #"name="csrf""#).count)
        }
    }

    @Test func aDaemonThatDidNotAnswerIsSaidInItsPanel() {
        let list = HTMLPage.streams(Self.frame, streams: nil, problem: "sessmgrd is not answering: timeout")
        #expect(list.contains("sessmgrd is not answering") && list.contains(#"id="stream-create""#) && !list.contains(#"id="stream-list""#))
        let detail = HTMLPage.stream(Self.frame, name: "cam1", status: nil, config: nil, problem: "sessmgrd is not answering: timeout")
        #expect(detail.contains("sessmgrd is not answering") && detail.contains(#"<span id="stream-state">"#))
        #expect(ApplianceBackends(paths: .init(root: "/nonexistent"), deadline: .seconds(3)).forPages.deadline <= .seconds(1))
    }
}
