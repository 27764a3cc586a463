import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Foundation
import Glibc
import Sessmgr
import Supervisor
import Testing

/// sessmgrd parses untrusted input (TS files, network streams) and holds no
/// capability; tc runs in the shaper service, which holds CAP_NET_ADMIN and
/// takes only a narrow, checked request set from sessmgrd's user.
@Suite struct ShaperSeparationTests {
    static var repository: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    @Test func theAppliancesManifestGivesCapNetAdminToTheShaperAloneNotToSessmgrd() throws {
        let path = Self.repository + "/rootfs/etc/appliance/services.conf"
        let manifest = try ManifestParser.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
        let sessmgrd = try #require(manifest.services.first { $0.name == "sessmgrd" })
        let shaper = try #require(manifest.services.first { $0.name == "shaper" }, "no shaper service in the manifest")
        #expect(sessmgrd.capabilities.isEmpty, "sessmgrd holds \(sessmgrd.capabilities)")
        #expect(shaper.capabilities == [12], "the shaper holds \(shaper.capabilities)")
        #expect(shaper.user != sessmgrd.user, "the shaper runs as sessmgrd's user")
        #expect(shaper.command.contains("--shaper") && sessmgrd.after.contains("shaper"))
    }

    @Test func theShaperRefusesRequestsOutsideItsNarrowSet() {
        func refused(_ minor: UInt16, _ interface: String, rate: UInt64 = 1_000_000, port: UInt16 = 5000) -> Bool {
            do {
                try ShaperMethod.validate(.init(minor: minor, interface: interface, rate: rate, sourcePort: port, ipv6: false))
                return false
            } catch {
                return error.code == .invalidParameters
            }
        }
        #expect(!refused(1, "lo"))
        #expect(refused(0, "lo") && refused(0xffff, "lo"))
        for name in ["", "-lo", "lo;rm", "lo dev", "../x", "a234567890123456", "nosuchif0"] { #expect(refused(1, name), "\(name)") }
        #expect(refused(1, "lo", rate: 10) && refused(1, "lo", rate: 1 << 60) && refused(1, "lo", port: 0))
    }
}
