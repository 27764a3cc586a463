import CLIShell
import Glibc

// appliance-sshd(8): procmon's sshd service. Writes sshd_config for this root
// and port, makes the host keys on a first start, then becomes OpenSSH's sshd.

func fail(_ message: String) -> Never {
    let text = "appliance-sshd: \(message)\n"
    _ = Array(text.utf8).withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(71)
}

var root = "/"
var portBase = 0
var listen = "::"
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    guard !arguments.isEmpty || argument == "--help" || argument == "-h" else { fail("\(argument) needs a value") }
    switch argument {
    case "--root": root = arguments.removeFirst()
    case "--port-base": portBase = Int(arguments.removeFirst()) ?? -1
    case "--listen": listen = arguments.removeFirst()
    case "--help", "-h":
        print("usage: appliance-sshd [--root DIR] [--port-base N] [--listen ADDRESS]\nWrites DIR/run/appliance/sshd_config and the host keys in DIR/etc/ssh, then runs /usr/sbin/sshd -D -e.")
        exit(0)
    default: fail("unknown argument \(argument)")
    }
}
guard (0...65000).contains(portBase) else { fail("--port-base takes 0 to 65000") }

var exe = [CChar](repeating: 0, count: 4096)
let length = readlink("/proc/self/exe", &exe, exe.count - 1)
guard length > 0 else { fail("cannot find my own folder") }
let ownPath = String(decoding: exe[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
let binFolder = String(ownPath[..<(ownPath.lastIndex(of: "/") ?? ownPath.endIndex)])

let asRoot = geteuid() == 0
let me = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "root"
let config = SSHDConfig(root: root, port: 22 + portBase, listenAddress: listen, cliPath: binFolder + "/cli",
                        keysCommandUser: asRoot ? "nobody" : me, allowed: asRoot ? .group("appliance-accounts") : .user(me))

func spawnWait(_ argv: [String]) -> Int32 {
    var pid: pid_t = 0
    var cArguments = argv.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    guard posix_spawn(&pid, argv[0], nil, nil, &cArguments, environ) == 0 else { return -1 }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return status
}

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
