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
}
