import TestSupport
import Testing
@testable import Supervisor

@Suite struct ManifestParserTests {
    @Test func parsesEveryKey() throws {
        let text = """
        # comment
        [service configd]
        exec = configd --foreground --root {root}
        user = appliance-config

        [service webd]
        exec = /usr/libexec/appliance/webd -d
        user = appliance-web
        group = appliance
        capabilities = net_admin, CAP_NET_RAW
        listen = https tcp 443
        listen = snmp udp 161 ::1
        after = configd
        ready = none
        ready-timeout = 2s
        restart = on-failure
        restart-delay = 250ms
        restart-delay-max = 1m
        stable-after = 5s
        start-limit = 7
        memory-limit = 64M
        memory-grace = 1500ms
        stop-timeout = 3s
        env = MODE=test=1
        pass-env = APPLIANCE_ADMIN_PASSWORD TZ
        writable = srv/media
        listen = control unix webd.sock
        log-size = 512K
        log-files = 4
        realtime-priority = 10
        """
        let manifest = try ManifestParser.parse(text, file: "services.conf")
        #expect(manifest.services.map(\.name) == ["configd", "webd"])
        let web = try #require(manifest.service(named: "webd"))
        #expect(web.command == ["/usr/libexec/appliance/webd", "-d"])
        #expect(web.user == "appliance-web" && web.group == "appliance")
        #expect(web.capabilities == [12, 13])
        #expect(web.listen == [.init(name: "https", transport: .tcp, port: 443, address: nil), .init(name: "snmp", transport: .udp, port: 161, address: "::1"),
                               .init(name: "control", transport: .unix, port: 0, address: "webd.sock")])
        #expect(web.passEnvironment == ["APPLIANCE_ADMIN_PASSWORD", "TZ"] && web.writable == ["srv/media"])
        #expect(web.after == ["configd"])
        #expect(web.readiness == .none && web.readyTimeout == .seconds(2))
        #expect(web.restart.mode == .onFailure && web.restart.initialDelay == .milliseconds(250))
        #expect(web.restart.maximumDelay == .seconds(60) && web.restart.stableAfter == .seconds(5) && web.restart.startLimit == 7)
        #expect(web.memoryLimit == 64 << 20 && web.memoryGrace == .milliseconds(1500) && web.stopTimeout == .seconds(3))
        #expect(web.environment == ["MODE": "test=1"])
        #expect(web.logMaxBytes == 512 << 10 && web.logFiles == 4)
        #expect(web.realtimePriority == 10 && manifest.service(named: "configd")?.realtimePriority == 0)
        #expect(web.line == 6)
        #expect(manifest.startOrder == ["configd", "webd"])
    }

    /// Each bad manifest gives a message naming the file, the line and the problem.
    @Test(arguments: [
        ("[service a]\nexec = x\nrestrat = always", 3, "unknown key \"restrat\""),
        ("exec = x", 1, "a setting must follow a \"[service NAME]\" header"),
        ("[service a]\nexec = x\n[service a]\nexec = y", 3, "service \"a\" is declared twice"),
        ("[service A]\nexec = x", 1, "service name \"A\" must be lowercase letters, digits and \"-\", starting with a letter"),
        ("[service a]\nuser = x", 1, "service \"a\" has no exec line"),
        ("[service a]\nexec = x\nlisten = web tcp 70000", 3, "listen port must be 1-65535, not \"70000\""),
        ("[service a]\nexec = x\nlisten = web sctp 80", 3, "listen transport must be tcp, udp, unix or unixgram, not \"sctp\""),
        ("[service a]\nexec = x\nmemory-limit = lots", 3, "memory-limit must be a size such as 64M, 512K or 1G, not \"lots\""),
        ("[service a]\nexec = x\nstop-timeout = 5", 3, "stop-timeout must be a duration such as 250ms, 10s or 2m, not \"5\""),
        ("[service a]\nexec = x\ncapabilities = sys_everything", 3, "unknown capability \"sys_everything\"; known: " + Capabilities.names.joined(separator: ", ")),
        ("[service a]\nexec = x\nafter = b", 1, "service \"a\" is after \"b\", which is not declared"),
        ("[service a]\nexec = x\nafter = b\n[service b]\nexec = y\nafter = a", 1, "dependency cycle: a -> b -> a"),
        ("[service a]\nexec = x\nready = maybe", 3, "ready must be notify or none, not \"maybe\""),
        ("[service a]\nexec = x\nrestart", 3, "expected \"key = value\""),
        ("[service a]\nexec = x\nuser =", 3, "user needs a value"),
        ("[service a\nexec = x", 1, "a section header ends with \"]\""),
        ("[service a]\nexec = x\nrestart-delay = 2s\nrestart-delay-max = 1s", 4, "restart-delay-max must not be below restart-delay"),
        ("[service a]\nexec = x\nlisten = control unix ../etc/passwd", 3, "listen NAME unix FILE takes a file name such as configd.sock (no folders)"),
        ("[service a]\nexec = x\nwritable = /etc", 3, "writable takes a folder relative to the root, without \"..\", such as srv/media"),
        ("[service a]\nexec = x\nwritable = var/../../etc", 3, "writable takes a folder relative to the root, without \"..\", such as srv/media"),
        ("[service a]\nexec = x\nwritable = var/lib/appliance", 3, "writable folder var/lib/appliance refused: it is, holds or lies inside var/lib/appliance, which only procmon writes"),
        ("[service a]\nexec = x\nwritable = var/lib", 3, "writable folder var/lib refused: it is, holds or lies inside var/lib/appliance, which only procmon writes"),
        ("[service a]\nexec = x\nwritable = run/appliance/x", 3, "writable folder run/appliance/x refused: it is, holds or lies inside run/appliance, which only procmon writes"),
        ("[service a]\nexec = x\nrealtime-priority = 100", 3, "realtime-priority must be a SCHED_FIFO priority 1-99, not \"100\""),
        ("[service a]\nexec = x\nrealtime-priority = 0", 3, "realtime-priority must be a SCHED_FIFO priority 1-99, not \"0\""),
        ("[service a]\nexec = x\npass-env = lower", 3, "pass-env takes variable names such as APPLIANCE_ADMIN_PASSWORD, not \"lower\""),
    ])
    func badManifestNamesFileLineAndProblem(text: String, line: Int, problem: String) {
        #expect(throws: ManifestError(file: "/etc/appliance/services.conf", line: line, problem: problem)) {
            try ManifestParser.parse(text, file: "/etc/appliance/services.conf")
        }
    }

    @Test func errorDescriptionReadsLikeACompilerMessage() {
        let error = ManifestError(file: "services.conf", line: 12, problem: "unknown key \"restrat\"")
        #expect(error.description == "services.conf:12: unknown key \"restrat\"")
    }

    @Test func shippedManifestParses() throws {
        let path = #filePath.replacingOccurrences("Tests/SupervisorTests/ManifestParserTests.swift", with: "rootfs/etc/appliance/services.conf")
        let manifest = try Procmon.readManifest(path)
        #expect(!manifest.services.isEmpty)
    }

    /// Random bytes and mutations of a valid manifest: the parser either
    /// parses or throws a located error; it never traps. Bounded: 3,000 cases.
    @Test func randomInputNeverCrashesTheParser() {
        var generator = SeededGenerator(seed: 0x5eed)
        let valid = Array("[service a]\nexec = x -d\nlisten = web tcp 80\nafter = \nmemory-limit = 64M\n[service b]\nexec = y\nafter = a\n".utf8)
        let alphabet = Array("[]=# \n\tservice exec after listen tcp udp 0123456789MKGms-_abcxyz\u{0}\u{ff}".utf8)
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                let position = Int.random(in: 0...bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes.insert(alphabet.randomElement(using: &generator)!, at: position)
                case 1: if position < bytes.count { bytes.remove(at: position) }
                default: if position < bytes.count { bytes[position] = UInt8.random(in: 0...255, using: &generator) }
                }
            }
            do {
                _ = try ManifestParser.parse(String(decoding: bytes, as: UTF8.self), file: "fuzz")
            } catch {
                #expect(error.line >= 0 && !error.problem.isEmpty)
            }
        }
    }
}
