import ApplianceCore
import ApplianceProtocol
import Foundation
import Glibc
import Testing

/// The firmware is one executable, `appliance`, with a link per program beside
/// it; it carries its Swift runtime inside (no toolchain library, no
/// Foundation, no ICU at run time), and every service process maps that one
/// file while showing its own program's name.
@Suite struct FootprintSystemTests {
    static let programs = ["procmon", "configd", "auditd", "sessmgrd", "snmpd", "webd", "cli", "appliance-sshd"]
    static var executable: String { ProcmonHarness.binDirectory + "/appliance" }

    /// The libraries a glibc system has anyway: the C and C++ runtimes.
    static let systemLibraries = ["linux-vdso.so", "libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "ld-linux-x86-64.so", "ld-linux-aarch64.so",
                                  "libdl.so", "libpthread.so", "librt.so"]

    @Test func theExecutableNeedsNoSwiftFoundationOrICULibrary() throws {
        let result = try run("/usr/bin/ldd", [Self.executable])
        #expect(result.code == 0, "ldd: \(result.error)")
        // Each line's first word: a library's name, or the loader's path.
        let libraries = result.output.split(separator: "\n").compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { $0.split(separator: "/").last.map(String.init) }
        }
        #expect(libraries.contains { $0.hasPrefix("libc.so") }, "\(libraries)")
        let others = libraries.filter { library in !Self.systemLibraries.contains { library.hasPrefix($0) } }
        #expect(others.isEmpty, "appliance loads \(others)")
    }

    @Test func theExecutableIsPositionIndependentWithFullRELROAndNoExecutableStack() throws {
        // What checksec reads: a randomised load address, relocations made
        // read-only before main (BIND_NOW + GNU_RELRO), a stack that cannot run code.
        let dynamic = try run("/usr/bin/readelf", ["-d", "-W", Self.executable])
        #expect(dynamic.output.contains("Flags: NOW PIE"), "\(dynamic.output)")
        let headers = try run("/usr/bin/readelf", ["-l", "-W", Self.executable])
        let lines = headers.output.split(separator: "\n")
        #expect(headers.output.contains("Elf file type is DYN"))
        #expect(lines.contains { $0.contains("GNU_RELRO") })
        let stack = try #require(lines.first { $0.contains("GNU_STACK") })
        #expect(stack.contains(" RW ") && !stack.contains("RWE"), "\(stack)")
    }

    @Test func everyProgramIsALinkToTheOneExecutable() throws {
        let listed = try run(Self.executable, ["--list"])
        #expect(listed.code == 0)
        #expect(listed.output.split(separator: "\n").map(String.init) == Self.programs)
        let target = try #require(realpath(Self.executable, nil).map { pointer in defer { free(pointer) }; return String(cString: pointer) })
        for name in Self.programs {
            let path = ProcmonHarness.binDirectory + "/" + name
            var status = stat()
            #expect(lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK, "\(name) is not a link")
            let resolved = realpath(path, nil).map { pointer in defer { free(pointer) }; return String(cString: pointer) }
            #expect(resolved == target, "\(name) -> \(resolved ?? "nothing")")
        }
    }

    @Test func theExecutableRunsAProgramByNameAndRefusesAnUnknownOne() throws {
        // `appliance PROGRAM …` is the link by another route: the same help, the same refusal.
        let byName = try run(Self.executable, ["configd", "--help"])
        let byLink = try run(ProcmonHarness.binDirectory + "/configd", ["--help"])
        #expect(byName.code == 0 && byName.output == byLink.output && byName.output.contains("USAGE: configd"))
        let refused = try run(Self.executable, ["cli", "--bogus"])
        #expect(refused.code == 2 && refused.error.hasPrefix("cli: Unknown option '--bogus'"))

        let bare = try run(Self.executable, [])
        #expect(bare.code == 64 && bare.error.contains("usage: appliance PROGRAM") && bare.output.isEmpty)
        let unknown = try run(Self.executable, ["telnetd"])
        #expect(unknown.code == 64 && unknown.error.hasPrefix("appliance: no program named telnetd\n"))
        let help = try run(Self.executable, ["--help"])
        #expect(help.code == 0)
        for name in Self.programs { #expect(help.output.contains("\n  \(name) "), "\(name)") }
    }

    /// `make install`'s step puts exactly the firmware's files under DESTDIR:
    /// the executable stripped (its symbols aside, named in .gnu_debuglink),
    /// a link per program, and rootfs/'s files, nothing else; and it runs.
    @Test func installPutsExactlyTheFirmwaresFilesUnderDestdir() throws {
        let destination = NSTemporaryDirectory() + "firmware-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: destination) }
        let debug = destination + ".debug"
        defer { unlink(debug) }
        let repository = ShaperSeparationTests.repository
        let install = try run(repository + "/scripts/install-firmware", [ProcmonHarness.binDirectory, destination, debug])
        #expect(install.code == 0, "\(install.error)")

        let rootfs = try FileManager.default.subpathsOfDirectory(atPath: repository + "/rootfs").filter { path in
            var status = stat()
            return lstat(repository + "/rootfs/" + path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
        }
        let expected = Set(rootfs + ["usr/libexec/appliance/appliance"] + Self.programs.map { "usr/libexec/appliance/" + $0 })
        let installed = try FileManager.default.subpathsOfDirectory(atPath: destination).filter { path in
            var status = stat()
            return lstat(destination + "/" + path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFDIR
        }
        #expect(Set(installed) == expected, "extra: \(Set(installed).subtracting(expected)), missing: \(expected.subtracting(installed))")

        let executable = destination + "/usr/libexec/appliance/appliance"
        let sections = try run("/usr/bin/readelf", ["-S", "-W", executable]).output
        #expect(!sections.contains(".symtab") && !sections.contains(".debug_info") && sections.contains(".gnu_debuglink"), "\(sections)")
        #expect(try run("/usr/bin/readelf", ["-S", "-W", debug]).output.contains(".symtab"))
        let help = try run(destination + "/usr/libexec/appliance/procmon", ["--help"])
        #expect(help.code == 0 && help.output.contains("USAGE: procmon"))
    }

    @Test func everyServiceMapsTheOneFileUnderItsOwnName() throws {
        let harness = try AuditdSystemTests.start()
        defer { harness.stop() }
        let target = try #require(realpath(Self.executable, nil).map { pointer in defer { free(pointer) }; return String(cString: pointer) })
        for name in ["auditd", "configd"] {
            let pid = try #require(harness.running(name)?.pid, "\(name) not running")
            let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")
            #expect(exe == target, "\(name) runs \(exe)")
            // ps, top and procmon's own tables show the program, not "appliance".
            let comm = try String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)
            #expect(comm == name + "\n", "\(name)'s comm is \(comm)")
        }
    }

    /// The thread budget (docs/DESIGN.md, "Threads"): one event loop, which
    /// also runs the daemon's tasks and timers, and no Dispatch pool: no
    /// thread of Dispatch's root queues ("com.apple.root.…-qos…") ever starts.
    @Test func aDaemonRunsOneEventLoopAndNoDispatchThread() throws {
        let harness = try AuditdSystemTests.start()
        defer { harness.stop() }
        // A few seconds of the daemons' timers and configd's watches first.
        let client = ControlClient(paths: harness.paths, daemon: "configd", timeout: .seconds(10))
        for _ in 0..<20 { _ = try client.callBlocking(ConfigdMethod.Status.self, NoValue()) }
        harness.waitUntil("3 s of running") { (harness.running("configd")?.uptimeSeconds ?? 0) >= 3 }
        for name in ["auditd", "configd"] {
            let pid = try #require(harness.running(name)?.pid, "\(name) not running")
            let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").map { task in
                (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines) ?? ""
            }
            #expect(!threads.contains { $0.contains("qos") }, "\(name) runs Dispatch threads: \(threads)")
            #expect(threads.filter { $0.hasPrefix("NIO-") }.count == 1, "\(name)'s event loops: \(threads)")
        }
    }
}
