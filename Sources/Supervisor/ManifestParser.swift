/// A problem in the manifest, located: `services.conf:12: unknown key "restrat"`.
public struct ManifestError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var problem: String

    public var description: String { "\(file):\(line): \(problem)" }
}

/// Reads procmon's service manifest (`rootfs/etc/appliance/services.conf`).
///
/// ```
/// # comment
/// [service webd]
/// exec = webd --foreground --root {root}
/// user = appliance-web
/// listen = https tcp 443
/// listen = http tcp 80
/// after = configd auditd
/// ready = notify
/// restart = always
/// memory-limit = 64M
/// ```
/// Keys: exec, user, group, capabilities (names such as `net_admin`), listen
/// (`NAME tcp|udp PORT [ADDRESS]` or `NAME unix FILE` under run/appliance,
/// repeatable), after, ready (`notify`|`none`), pass-env, writable,
/// ready-timeout, restart (`always`|`on-failure`|`never`), restart-delay,
/// restart-delay-max, stable-after, start-limit, memory-limit (`K`/`M`/`G`),
/// memory-grace, stop-timeout, env (`KEY=VALUE`, repeatable), log-size, log-files,
/// realtime-priority (1-99).
/// Durations take `ms`, `s` or `m`. Every error names file, line and problem.
public enum ManifestParser {
    public static func parse(_ text: String, file: String) throws(ManifestError) -> ServiceManifest {
        var services: [ServiceDefinition] = []
        var current: ServiceDefinition?
        func fail(_ line: Int, _ problem: String) -> ManifestError {
            ManifestError(file: file, line: line, problem: problem)
        }
        func finish() throws(ManifestError) {
            guard let service = current else { return }
            if service.command.isEmpty { throw fail(service.line, "service \"\(service.name)\" has no exec line") }
            services.append(service)
        }

        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw fail(number, "a section header ends with \"]\"") }
                let words = line.dropFirst().dropLast().split(separator: " ")
                guard words.count == 2, words[0] == "service" else {
                    throw fail(number, "expected a section header \"[service NAME]\"")
                }
                let name = String(words[1])
                guard isName(name) else {
                    throw fail(number, "service name \"\(name)\" must be lowercase letters, digits and \"-\", starting with a letter")
                }
                if services.contains(where: { $0.name == name }) || current?.name == name {
                    throw fail(number, "service \"\(name)\" is declared twice")
                }
                try finish()
                current = ServiceDefinition(name: name, line: number)
                continue
            }
            guard var service = current else { throw fail(number, "a setting must follow a \"[service NAME]\" header") }
            guard let equals = line.firstIndex(of: "=") else { throw fail(number, "expected \"key = value\"") }
            let key = line[..<equals].trimmingWhitespace()
            let value = line[line.index(after: equals)...].trimmingWhitespace()
            guard !value.isEmpty else { throw fail(number, "\(key) needs a value") }
            do {
                try apply(key: key, value: value, to: &service)
            } catch let problem {
                throw fail(number, problem.text)
            }
            current = service
        }
        try finish()
        let manifest = ServiceManifest(file: file, services: services)
        try checkReferences(manifest)
        return manifest
    }

    struct Problem: Error { var text: String }

    static func apply(key: String, value: String, to service: inout ServiceDefinition) throws(Problem) {
        let words = value.split(separator: " ").map(String.init)
        switch key {
        case "exec":
            service.command = words
        case "user":
            service.user = try accountName(value, key)
        case "group":
            service.group = try accountName(value, key)
        case "capabilities":
            var kept: Set<Int> = []
            for word in value.split(whereSeparator: { $0 == " " || $0 == "," }) {
                let name = word.lowercased().replacingPrefix("cap_")
                guard let number = Capabilities.number(of: name) else {
                    throw Problem(text: "unknown capability \"\(word)\"; known: \(Capabilities.names.joined(separator: ", "))")
                }
                kept.insert(number)
            }
            service.capabilities = kept
        case "listen":
            guard let transportWord = words.dropFirst().first else {
                throw Problem(text: "listen takes NAME tcp|udp PORT [ADDRESS] or NAME unix|unixgram FILE")
            }
            guard let transport = ServiceDefinition.ListenSocket.Transport(rawValue: transportWord) else {
                throw Problem(text: "listen transport must be tcp, udp, unix or unixgram, not \"\(transportWord)\"")
            }
            guard isName(words[0]), !service.listen.contains(where: { $0.name == words[0] }) else {
                throw Problem(text: "listen name \"\(words[0])\" must be a unique lowercase word")
            }
            if transport == .unix || transport == .unixgram {
                guard words.count == 3, isSocketFileName(words[2]) else {
                    throw Problem(text: "listen NAME \(transport.rawValue) FILE takes a file name such as configd.sock (no folders)")
                }
                service.listen.append(.init(name: words[0], transport: transport, port: 0, address: words[2]))
                return
            }
            guard words.count == 3 || words.count == 4 else {
                throw Problem(text: "listen takes NAME tcp|udp PORT [ADDRESS] or NAME unix|unixgram FILE")
            }
            guard let port = UInt16(words[2]), port > 0 else {
                throw Problem(text: "listen port must be 1-65535, not \"\(words[2])\"")
            }
            service.listen.append(.init(name: words[0], transport: transport, port: port, address: words.count == 4 ? words[3] : nil))
        case "after":
            service.after = words
        case "ready":
            guard let readiness = ServiceDefinition.Readiness(rawValue: value) else {
                throw Problem(text: "ready must be notify or none, not \"\(value)\"")
            }
            service.readiness = readiness
        case "ready-timeout":
            service.readyTimeout = try duration(value, key)
        case "restart":
            guard let mode = RestartPolicy.Mode(rawValue: value) else {
                throw Problem(text: "restart must be always, on-failure or never, not \"\(value)\"")
            }
            service.restart.mode = mode
        case "restart-delay":
            service.restart.initialDelay = try duration(value, key)
        case "restart-delay-max":
            service.restart.maximumDelay = try duration(value, key)
        case "stable-after":
            service.restart.stableAfter = try duration(value, key)
        case "start-limit":
            guard let limit = Int(value), (1...1000).contains(limit) else {
                throw Problem(text: "start-limit must be a whole number 1-1000, not \"\(value)\"")
            }
            service.restart.startLimit = limit
        case "memory-limit":
            service.memoryLimit = try size(value, key)
        case "memory-grace":
            service.memoryGrace = try duration(value, key)
        case "stop-timeout":
            service.stopTimeout = try duration(value, key)
        case "env":
            guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                throw Problem(text: "env takes KEY=VALUE")
            }
            service.environment[String(value[..<equals])] = String(value[value.index(after: equals)...])
        case "pass-env":
            for word in words {
                guard word.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
                    throw Problem(text: "pass-env takes variable names such as APPLIANCE_ADMIN_PASSWORD, not \"\(word)\"")
                }
            }
            service.passEnvironment += words
        case "writable":
            guard !value.hasPrefix("/"), !value.split(separator: "/").contains(".."), !value.contains(" ") else {
                throw Problem(text: "writable takes a folder relative to the root, without \"..\", such as srv/media")
            }
            do {
                try ServiceFolders.checkWritable(value)
            } catch {
                throw Problem(text: error.description)
            }
            service.writable.append(value)
        case "log-size":
            service.logMaxBytes = try size(value, key)
        case "realtime-priority":
            guard let priority = Int(value), (1...99).contains(priority) else {
                throw Problem(text: "realtime-priority must be a SCHED_FIFO priority 1-99, not \"\(value)\"")
            }
            service.realtimePriority = priority
        case "log-files":
            guard let count = Int(value), (1...20).contains(count) else {
                throw Problem(text: "log-files must be 1-20, not \"\(value)\"")
            }
            service.logFiles = count
        default:
            throw Problem(text: "unknown key \"\(key)\"")
        }
        if service.restart.maximumDelay < service.restart.initialDelay {
            throw Problem(text: "restart-delay-max must not be below restart-delay")
        }
    }

    static func checkReferences(_ manifest: ServiceManifest) throws(ManifestError) {
        for service in manifest.services {
            for dependency in service.after where manifest.service(named: dependency) == nil {
                throw ManifestError(file: manifest.file, line: service.line,
                                    problem: "service \"\(service.name)\" is after \"\(dependency)\", which is not declared")
            }
        }
        // A cycle would leave its members waiting for each other forever.
        var state: [String: Bool] = [:]  // false: visiting, true: done
        func visit(_ name: String, _ path: [String]) throws(ManifestError) {
            if state[name] == true { return }
            if state[name] == false {
                let service = manifest.service(named: name)!
                throw ManifestError(file: manifest.file, line: service.line,
                                    problem: "dependency cycle: \((path + [name]).joined(separator: " -> "))")
            }
            state[name] = false
            for dependency in manifest.service(named: name)!.after { try visit(dependency, path + [name]) }
            state[name] = true
        }
        for service in manifest.services { try visit(service.name, []) }
    }

    static func isSocketFileName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && !text.hasPrefix(".") && text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." || $0 == "_"
        }
    }

    static func isName(_ text: some StringProtocol) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.count <= 32 else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    static func accountName(_ value: String, _ key: String) throws(Problem) -> String {
        let valid = value.count <= 32 && value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        } && value.unicodeScalars.first.map { ("a"..."z").contains($0) || $0 == "_" } == true
        guard valid else { throw Problem(text: "\(key) \"\(value)\" is not a valid account name") }
        return value
    }

    /// `250ms`, `10s`, `2m`.
    static func duration(_ value: String, _ key: String) throws(Problem) -> Duration {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (suffix, milliseconds) in units where value.hasSuffix(suffix) {
            if let number = Int64(value.dropLast(suffix.count)), number >= 0, number <= 86_400_000 / milliseconds {
                return .milliseconds(number * milliseconds)
            }
        }
        throw Problem(text: "\(key) must be a duration such as 250ms, 10s or 2m, not \"\(value)\"")
    }

    /// `4096`, `64K`, `64M`, `1G` (powers of 1024).
    static func size(_ value: String, _ key: String) throws(Problem) -> Int {
        let units: [(Character, Int)] = [("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)]
        let unit = units.first { value.uppercased().last == $0.0 }
        let digits = unit == nil ? Substring(value) : value.dropLast()
        guard let number = Int(digits), number > 0, number <= (64 << 30) / (unit?.1 ?? 1) else {
            throw Problem(text: "\(key) must be a size such as 64M, 512K or 1G, not \"\(value)\"")
        }
        return number * (unit?.1 ?? 1)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        var text = String(String.UnicodeScalarView(scalars))
        while let last = text.last, last == " " || last == "\t" || last == "\r" { text.removeLast() }
        return text
    }

    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : String(self)
    }
}
