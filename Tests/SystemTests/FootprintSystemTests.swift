import Testing

/// The firmware carries no full Foundation and no ICU: every executable of
/// the set loads at most FoundationEssentials (`ldd`, as a user would check).
@Suite struct FootprintSystemTests {
    static let executables = ["procmon", "configd", "auditd", "sessmgrd", "snmpd", "webd", "cli", "appliance-sshd"]

    @Test func noExecutableLoadsFullFoundationOrICU() throws {
        for name in Self.executables {
            let result = try run("/usr/bin/ldd", [ProcmonHarness.binDirectory + "/" + name])
            #expect(result.code == 0, "ldd \(name): \(result.error)")
            let libraries = result.output.split(separator: "\n").compactMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) }
            #expect(libraries.contains { $0.hasPrefix("libswiftCore") } || libraries.contains { $0.hasPrefix("libc.so") }, "\(name): \(libraries)")
            let heavy = libraries.filter { $0.hasPrefix("libFoundation.so") || $0.hasPrefix("libFoundationInternationalization") || $0.contains("ICU") || $0.hasPrefix("libicu") }
            #expect(heavy.isEmpty, "\(name) loads \(heavy)")
        }
    }
}
