import ApplianceCore
import Configuration
import ApplianceProtocol

/// The pages `/streams` and `/streams/{name}`. Live values (the bitrate
/// text and graph) are drawn by app.js from `/api/v1/streams/{name}`.
extension HTMLPage {
    /// `/streams`: every stream sessmgrd reports and the create form.
    /// `streams` is nil when sessmgrd did not answer (`problem` says so).
    public static func streams(_ frame: Frame, streams: [StreamStatus]?, problem: String?, message: String? = nil) -> String {
        let rows = (streams ?? []).map { stream in
            "<tr data-name=\"\(escape(stream.name))\"><td><a href=\"/streams/\(escape(stream.name))\">\(escape(stream.name))</a></td>"
                + "<td class=\"source\">\(escape(stream.source))</td><td class=\"destination\">\(escape(stream.destination))</td>"
                + "<td class=\"state\">\(escape(stream.state))</td><td class=\"bitrate\">\(bitrate(stream.currentBitrate))</td>"
                + "<td class=\"datagrams\">\(stream.datagrams)</td></tr>"
        }.joined(separator: "\n")
        let table = problem.map { Self.problem($0) } ?? """
        <table id="stream-list"><thead><tr><th>Name</th><th>Source</th><th>Destination</th><th>State</th><th>Bitrate</th><th>Datagrams</th></tr></thead>
        <tbody>
        \(rows)
        </tbody></table>
        """
        return page(frame, title: "Streams", current: .streams, main: """
        <section><h2>Streams</h2>
        \(table)
        </section>
        <section><h2>New stream</h2>
        \(message.map { Self.problem($0) } ?? "")
        <form id="stream-create" method="post" action="/streams">
        \(csrfField(frame.csrf))
        \(streamFields(nil, creating: true))
        <button type="submit" id="stream-create-submit">Create</button>
        </form>
        </section>
        """)
    }

    /// The stream form's inputs, filled from `config` when editing.
    static func streamFields(_ config: StreamConfig?, creating: Bool) -> String {
        func value(_ text: String?) -> String { text.map { " value=\"\(escape($0))\"" } ?? "" }
        let nameInput = creating
            ? "<label>Name <input name=\"name\" required maxlength=\"64\" pattern=\"[A-Za-z0-9._\\-]{1,64}\"></label>"
            : ""
        let source = config.map { "\($0.source)" }
        let destination = config.map { "\($0.destination)" }
        return """
        \(nameInput)
        <label>Source <input name="source"\(creating ? " required" : "")\(value(source)) placeholder="file:/srv/cam1.ts or udp://239.1.1.1:5000"></label>
        <label>Destination <input name="destination"\(creating ? " required" : "")\(value(destination)) placeholder="udp://HOST:PORT or rtp://HOST:PORT"></label>
        <label>TTL <input name="ttl" inputmode="numeric"\(value(config.map { String($0.ttl) }))></label>
        <label>TOS <input name="tos"\(value(config.map { "0x" + String($0.tos, radix: 16) }))></label>
        <label>MTU <input name="mtu" inputmode="numeric"\(value(config.map { String($0.mtu) }))></label>
        <label>Interface <input name="interface"\(value(config?.outputInterface))></label>
        <label><input type="checkbox" name="shaping" value="on"\(config?.shaping == true ? " checked" : "")> Shaping</label>
        <label>Ceiling (%) <input name="ceiling" inputmode="numeric"\(value(config.map { String($0.shapingCeilingPercent) }))></label>
        <label><input type="checkbox" name="autostart" value="on"\(config?.autostart == true ? " checked" : "")> Start with the appliance</label>
        """
    }

    /// `/streams/{name}`: sessmgrd's whole status of the stream (nil with
    /// `problem` when sessmgrd did not answer), the live graph, the edit
    /// form (from configd's configuration) and start/stop/delete.
    public static func stream(_ frame: Frame, name: String, status: StreamStatus?, config: StreamConfig?, problem: String?, message: String? = nil) -> String {
        let stats: String
        if let s = status {
            let facts: [(String, String, String)] = [
                ("State", "stream-state", s.state + (s.reason.map { " (\($0))" } ?? "")),
                ("Bitrate", "stream-bitrate", bitrate(s.currentBitrate)),
                ("Average bitrate", "stream-average", bitrate(s.averageBitrate)),
                ("Source", "stream-source", s.source),
                ("Destination", "stream-destination", s.destination),
                ("Encapsulation", "stream-encapsulation", s.encapsulation),
                ("Datagrams", "stream-datagrams", String(s.datagrams)),
                ("Bytes", "stream-bytes", Units.bytes(Int(clamping: s.bytes))),
                ("MDI (DF:MLR)", "stream-mdi", s.mdi),
                ("MDI delay factor", "stream-mdi-df", Units.milliseconds(s.mdiDelayFactorMilliseconds)),
                ("MDI media loss rate", "stream-mdi-mlr", Units.format(s.mdiMediaLossRate, 2) + " packets/s"),
                ("Pacing error p50", "stream-pacing-p50", s.pacingErrorP50Microseconds.map { "\($0) µs" } ?? "-"),
                ("Pacing error p99", "stream-pacing-p99", s.pacingErrorP99Microseconds.map { "\($0) µs" } ?? "-"),
                ("Pacing error max", "stream-pacing-max", "\(s.pacingErrorMaxMicroseconds) µs"),
                ("PCR bitrate", "stream-pcr-bitrate", bitrate(s.sourceBitrate)),
                ("PCR interval", "stream-pcr-interval", Units.milliseconds(s.pcrIntervalMilliseconds)),
                ("PCR jitter", "stream-pcr-jitter", Units.microseconds(s.pcrJitterMicroseconds)),
                ("PCR jumps", "stream-pcr-jumps", String(s.pcrJumps)),
                ("Source losses", "stream-source-losses", String(s.sourceLosses)),
                ("Restarts", "stream-restarts", String(s.restarts)),
                ("Resumed", "stream-resumed", s.resumed ? "yes" : "no"),
                ("Schedule resets", "stream-schedule-resets", String(s.scheduleResets)),
                ("Loops", "stream-loops", String(s.loopCount)),
                ("Source offset", "stream-offset", String(s.sourceOffset)),
                ("Input datagrams", "stream-input-datagrams", String(s.inputDatagrams)),
                ("Malformed input datagrams", "stream-input-malformed", String(s.inputMalformedDatagrams)),
                ("Lost input datagrams", "stream-input-lost", String(s.inputLostDatagrams)),
                ("Late input datagrams", "stream-input-late", String(s.inputLateDatagrams)),
                ("Send errors", "stream-send-errors", String(s.sendErrors)),
                ("RTCP sender reports", "stream-rtcp", String(s.rtcpSenderReports)),
                ("Shaping", "stream-shaping", s.shaping),
            ]
            stats = "<dl id=\"stream-stats\">" + facts.map { "<dt>\(escape($0.0))</dt><dd><span id=\"\($0.1)\">\(escape($0.2))</span></dd>" }.joined() + "</dl>"
        } else {
            stats = Self.problem(problem ?? "sessmgrd reports no stream named \(name)")
                + "<p><span id=\"stream-state\">unknown</span> <span id=\"stream-bitrate\">-</span></p>"
        }
        let action = "/streams/\(escape(name))"
        return page(frame, title: "Stream \(name)", current: .streams, main: """
        <section id="stream" data-name="\(escape(name))"><h2>Stream \(escape(name))</h2>
        \(message.map { Self.problem($0) } ?? "")<div id="problems"></div>
        \(stats)
        <canvas id="bitrate-graph" width="600" height="160" data-stream="\(escape(name))"></canvas>
        <div class="actions">
        <form method="post" action="\(action)/start">\(csrfField(frame.csrf))<button type="submit" id="stream-start">Start</button></form>
        <form method="post" action="\(action)/stop">\(csrfField(frame.csrf))<button type="submit" id="stream-stop">Stop</button></form>
        <form method="post" action="\(action)/delete">\(csrfField(frame.csrf))<button type="submit" id="stream-delete">Delete</button></form>
        </div>
        </section>
        <section><h2>Edit</h2>
        <form id="stream-edit" method="post" action="\(action)">
        \(csrfField(frame.csrf))
        \(streamFields(config, creating: false))
        <button type="submit" id="stream-edit-submit">Save changes</button>
        </form>
        </section>
        """)
    }
}
