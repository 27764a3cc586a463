import Configuration

/// A stream's fields as the API and the forms send them, turned into the
/// configuration-language lines configd applies (`stream NAME ...`). Pure:
/// every value becomes one quoted word, control characters are refused,
/// and each field is read by `ConfigParser` on its own first so a bad
/// value is refused with a 400 that names the field.
public struct StreamChange: Sendable, Equatable, Decodable {
    public var name: String?
    public var source: String?
    public var destination: String?
    public var ttl: Int?
    public var tos: Int?
    public var mtu: Int?
    public var interface: String?
    public var shaping: Bool?
    public var ceiling: Int?
    public var autostart: Bool?

    public init(name: String? = nil, source: String? = nil, destination: String? = nil, ttl: Int? = nil, tos: Int? = nil, mtu: Int? = nil,
                interface: String? = nil, shaping: Bool? = nil, ceiling: Int? = nil, autostart: Bool? = nil) {
        self.name = name
        self.source = source
        self.destination = destination
        self.ttl = ttl
        self.tos = tos
        self.mtu = mtu
        self.interface = interface
        self.shaping = shaping
        self.ceiling = ceiling
        self.autostart = autostart
    }

    /// The body's shape, for error messages.
    public static let shape = #"{"name": "...", "source": "file:/...", "destination": "udp://HOST:PORT", "ttl": 64, "tos": 184, "mtu": 1500, "interface": "...", "shaping": true, "ceiling": 10, "autostart": true}"#

    /// The fields of an HTML form (checkboxes absent mean off; empty text
    /// fields mean "leave as it is").
    public init(form: FormFields, checkboxes: Bool) throws(WebError) {
        func text(_ key: String) -> String? { form[key].flatMap { $0.isEmpty ? nil : $0 } }
        func number(_ key: String) throws(WebError) -> Int? {
            guard let value = text(key) else { return nil }
            let parsed = value.lowercased().hasPrefix("0x") ? Int(value.dropFirst(2), radix: 16) : Int(value)
            guard let parsed else { throw WebError(.badRequest, "\(key): expected a number, found \"\(String(value.prefix(40)))\"") }
            return parsed
        }
        self.init(name: text("name"), source: text("source"), destination: text("destination"), ttl: try number("ttl"), tos: try number("tos"),
                  mtu: try number("mtu"), interface: text("interface"),
                  shaping: checkboxes ? form["shaping"] != nil : nil, ceiling: try number("ceiling"),
                  autostart: checkboxes ? form["autostart"] != nil : nil)
    }

    /// The lines for configd: one `stream NAME ...` line with every field
    /// given, plus `no stream NAME autostart` / `interface` to switch
    /// those off. A new stream needs source and destination.
    public func commands(for name: String, creating: Bool) throws(WebError) -> [String] {
        guard WebRoutes.isStreamName(name) else { throw WebError(.badRequest, "name: a stream name is 1-64 letters, digits, '.', '_' or '-'") }
        if creating {
            guard source != nil else { throw WebError(.badRequest, "source: a new stream needs a source") }
            guard destination != nil else { throw WebError(.badRequest, "destination: a new stream needs a destination") }
        }
        var fields: [(field: String, words: [String])] = []
        if let source { fields.append(("source", ["source", try Self.word(source, field: "source")])) }
        if let destination { fields.append(("destination", ["destination", try Self.word(destination, field: "destination")])) }
        if let ttl { fields.append(("ttl", ["ttl", String(ttl)])) }
        if let tos { fields.append(("tos", ["tos", String(tos)])) }
        if let mtu { fields.append(("mtu", ["mtu", String(mtu)])) }
        if let interface, !interface.isEmpty { fields.append(("interface", ["interface", try Self.word(interface, field: "interface")])) }
        if let shaping { fields.append(("shaping", ["shaping", shaping ? "on" : "off"])) }
        if let ceiling { fields.append(("ceiling", ["shaping", "ceiling", String(ceiling)])) }
        if autostart == true { fields.append(("autostart", ["autostart"])) }

        let quotedName = Self.configWord(name)
        // Each field on its own against a scratch stream: the parser's
        // complaint then belongs to exactly that field.
        var scratch = ApplianceConfig()
        do throws(ConfigSyntaxError) {
            try ConfigParser.apply(line: "stream \(quotedName) source file:/dev/null destination udp://127.0.0.1:1", to: &scratch)
        } catch {
            throw WebError(.badRequest, "name: expected \(error.expected)")
        }
        for field in fields {
            var copy = scratch
            do throws(ConfigSyntaxError) {
                try ConfigParser.apply(line: (["stream", quotedName] + field.words).joined(separator: " "), to: &copy)
            } catch {
                throw WebError(.badRequest, "\(field.field): expected \(error.expected)")
            }
        }
        var commands: [String] = []
        // `shaping` may appear once a line: on/off and the ceiling share it.
        var words: [String] = []
        for field in fields {
            switch field.field {
            case "shaping": words += field.words + (ceiling.map { ["ceiling", String($0)] } ?? [])
            case "ceiling" where shaping != nil: continue
            default: words += field.words
            }
        }
        if !words.isEmpty { commands.append((["stream", quotedName] + words).joined(separator: " ")) }
        if autostart == false, !creating { commands.append("no stream \(quotedName) autostart") }
        if interface == "", !creating { commands.append("no stream \(quotedName) interface") }
        guard !commands.isEmpty else { throw WebError(.badRequest, "name a field to change (source, destination, ttl, ...)") }
        return commands
    }

    /// `text` as one configuration word; control and format characters
    /// (a newline would start a second command) are refused.
    static func word(_ text: String, field: String) throws(WebError) -> String {
        guard !text.isEmpty else { throw WebError(.badRequest, "\(field): must not be empty") }
        guard text.utf8.count <= 1024 else { throw WebError(.badRequest, "\(field): at most 1024 bytes") }
        guard !text.unicodeScalars.contains(where: Self.isControl) else {
            throw WebError(.badRequest, "\(field): control characters (newlines, tabs, ...) are not allowed")
        }
        return Self.configWord(text)
    }

    /// One word of the configuration language, as configd's renderer writes it.
    public static func configWord(_ text: String) -> String { ConfigRenderer.word(text) }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}

extension StreamChange: PartialBody {
    public init() { self.init(name: nil) }
}
