/// The sshd_config the appliance runs OpenSSH with (rendered at each start
/// by appliance-sshd; rootfs/etc/ssh/sshd_config documents the same settings).
public struct SSHDConfig: Equatable, Sendable {
    public var root: String
    public var port: Int
    public var listenAddress: String
    public var cliPath: String
    /// Who runs the AuthorizedKeysCommand: `nobody` as root, else sshd's own user.
    public var keysCommandUser: String
    /// Root: `AllowGroups appliance-accounts`; a development root run by one
    /// user: `AllowUsers` that user (the account then comes from the key).
    public var allowed: Allowed

    public enum Allowed: Equatable, Sendable {
        case group(String)
        case user(String)
    }

    public init(root: String, port: Int, listenAddress: String, cliPath: String, keysCommandUser: String, allowed: Allowed) {
        self.root = root
        self.port = port
        self.listenAddress = listenAddress
        self.cliPath = cliPath
        self.keysCommandUser = keysCommandUser
        self.allowed = allowed
    }

    public var hostKeys: [String] { ["ssh_host_ed25519_key"].map { folder + "/" + $0 } }
    public var folder: String { (root == "/" ? "" : root) + "/etc/ssh" }
    var run: String { (root == "/" ? "" : root) + "/run/appliance" }

    public func render() -> String {
        // sshd runs the keys command only from a root-owned path that no one
        // else may write (StrictModes); /usr/bin/env is one, wherever the
        // development checkout lives.
        let keysCommand = "/usr/bin/env \(cliPath) --root \(root) --authorized-keys %u %t %k"
        let access = switch allowed {
        case .group(let group): "AllowGroups \(group)"
        case .user(let user): "AllowUsers \(user)"
        }
        return """
        # Written by appliance-sshd at each start; do not edit (rootfs/etc/ssh/sshd_config explains it).
        Port \(port)
        ListenAddress \(listenAddress)
        \(hostKeys.map { "HostKey " + $0 }.joined(separator: "\n"))
        PidFile none

        # Public keys only, from configd through the CLI's key lookup.
        AuthenticationMethods publickey
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        PermitEmptyPasswords no
        PermitRootLogin no
        UsePAM no
        AuthorizedKeysFile none
        AuthorizedKeysCommand \(keysCommand)
        AuthorizedKeysCommandUser \(keysCommandUser)
        \(access)
        StrictModes yes

        # No forwarding of any kind, no environment from the client, no rc files.
        DisableForwarding yes
        AllowAgentForwarding no
        AllowTcpForwarding no
        AllowStreamLocalForwarding no
        X11Forwarding no
        PermitTunnel no
        PermitUserEnvironment no
        PermitUserRC no
        SetEnv APPLIANCE_ROOT=\(root)

        # Modern algorithms only; one ed25519 host key; no compression (nothing
        # to gain on a CLI session; zlib is code an attacker with a key need not reach).
        KexAlgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256,curve25519-sha256@libssh.org
        Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com
        MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com
        HostKeyAlgorithms ssh-ed25519
        Compression no
        PubkeyAcceptedAlgorithms ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256

        Banner \(run)/ssh-banner
        PrintMotd no
        PrintLastLog no
        LoginGraceTime 30
        MaxAuthTries 3
        MaxSessions 4
        MaxStartups 10:30:60
        ClientAliveInterval 60
        ClientAliveCountMax 3
        LogLevel VERBOSE

        """
    }
}
