import ApplianceCore
import ArgumentParser
import CLIShell
import Glibc

// appliance-sshd(8): procmon's sshd service. Writes sshd_config for this root
// and port, makes the host keys on a first start, then becomes OpenSSH's sshd.

struct SSHDArguments: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appliance-sshd",
        abstract: "Start OpenSSH's sshd for the appliance.",
        usage: "appliance-sshd [--root DIR] [--port-base N] [--listen ADDRESS]",
        discussion: "Writes DIR/run/appliance/sshd_config and the host keys in DIR/etc/ssh, then runs /usr/sbin/sshd -D -e."
    )

    // procmon's manifest passes each value as it is, never one to read as a flag.
    @Option(parsing: .unconditional, help: ArgumentHelp("The appliance root", valueName: "DIR"))
    var root = "/"

    @Option(parsing: .unconditional, help: ArgumentHelp("Added to port 22 (development mode: 10000)", valueName: "N"))
    var portBase = 0

    @Option(parsing: .unconditional, help: ArgumentHelp("The address to listen on", valueName: "ADDRESS"))
    var listen = "::"

    func validate() throws {
        guard (0...65000).contains(portBase) else { throw ValidationError("--port-base takes 0 to 65000") }
    }
}

/// appliance-sshd's entry in the multicall table.
enum SSHDEntry {
    static func fail(_ message: String) -> Never {
        let text = "appliance-sshd: \(message)\n"
        _ = Array(text.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(ExitCodes.systemError)
    }

    static func spawnWait(_ argv: [String]) -> Int32 {
        var pid: pid_t = 0
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        guard posix_spawn(&pid, argv[0], nil, nil, &cArguments, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    static func main(_ commandLine: [String]) -> Never {
        // A refused command line is a system error to procmon, as every other failure here.
        let arguments = SSHDArguments.parseOrExit(commandLine, name: "appliance-sshd", refusedStatus: ExitCodes.systemError)
        let root = arguments.root
        guard let cliPath = OwnExecutable.sibling("cli") else { fail("cannot find my own folder") }

        let asRoot = geteuid() == 0
        let me = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "root"
        let config = SSHDConfig(root: root, port: 22 + arguments.portBase, listenAddress: arguments.listen, cliPath: cliPath,
                                keysCommandUser: asRoot ? "nobody" : me, allowed: asRoot ? .group("appliance-accounts") : .user(me))

        mkdir((root == "/" ? "" : root) + "/etc", 0o755)
        mkdir(config.folder, 0o755)
        for (key, type) in zip(config.hostKeys, ["ed25519"]) where access(key, F_OK) != 0 {
            guard spawnWait(["/usr/bin/ssh-keygen", "-q", "-t", type, "-N", "", "-C", "appliance host key", "-f", key]) == 0 else {
                fail("ssh-keygen could not make \(key)")
            }
        }
        // sshd's privilege separation needs its empty folder (Debian: /run/sshd).
        if asRoot { mkdir("/run/sshd", 0o755) }
        let configPath = (root == "/" ? "" : root) + "/run/appliance/sshd_config"
        let text = Array(config.render().utf8)
        let fd = open(configPath + ".new", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0, text.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == text.count, fsync(fd) == 0, close(fd) == 0,
              rename(configPath + ".new", configPath) == 0 else { fail("cannot write \(configPath): \(String(cString: strerror(errno)))") }
        guard spawnWait(["/usr/sbin/sshd", "-t", "-f", configPath]) == 0 else { fail("sshd refuses \(configPath) (sshd -t says why above)") }
        let argv = ["/usr/sbin/sshd", "-D", "-e", "-f", configPath]
        var cArguments = argv.map { strdup($0) } + [nil]
        execv(argv[0], &cArguments)
        fail("cannot run /usr/sbin/sshd: \(String(cString: strerror(errno)))")
    }
}
