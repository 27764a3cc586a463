import Foundation
import Testing
@testable import CLIShell

@Suite struct SSHDConfigTests {
    static let appliance = SSHDConfig(root: "/", port: 22, listenAddress: "::", cliPath: "/usr/bin/cli", keysCommandUser: "nobody",
                                      allowed: .group("appliance-accounts"))

    /// rootfs/etc/ssh/sshd_config is what appliance-sshd writes on the
    /// appliance, byte for byte, so the shipped file never drifts from it.
    @Test func theShippedSSHDConfigIsWhatApplianceSSHDWrites() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try String(contentsOf: source.appendingPathComponent("rootfs/etc/ssh/sshd_config"), encoding: .utf8)
        #expect(shipped == Self.appliance.render())
    }

    @Test func keysOnlyNoForwardingModernAlgorithms() {
        let text = Self.appliance.render()
        for line in ["AuthenticationMethods publickey", "PasswordAuthentication no", "PermitRootLogin no", "DisableForwarding yes",
                     "X11Forwarding no", "PermitTunnel no", "AllowAgentForwarding no", "AllowGroups appliance-accounts", "AuthorizedKeysFile none"] {
            #expect(text.contains("\n" + line + "\n"), "\(line)")
        }
        #expect(!text.contains("ssh-rsa,") && !text.contains("cbc") && !text.contains("hmac-sha1") && !text.contains("diffie-hellman-group1"))
        #expect(!text.contains("Subsystem"), "no sftp")
    }
}
