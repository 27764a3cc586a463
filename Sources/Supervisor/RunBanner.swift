import ApplianceProtocol
import ApplianceCore
import Glibc

/// What `make run` shows on procmon's terminal once every service is up:
/// the process table, where each service listens, the browser's address,
/// a first start's admin password and how to reach the CLI, ssh and the logs.
public enum RunBanner {
    /// The banner from the running tree: the manifest and the password file
    /// as they are now, commands named by procmon's own folder.
    public static func text(_ processes: [ProcessStatus], settings: SupervisorSettings, manifest: String) -> String {
        let services = (try? Procmon.readManifest(manifest).services) ?? []
        let password = (try? AtomicFile.read(settings.paths.initialAdminPasswordFile)).map { String(decoding: $0, as: UTF8.self) }
        let sshUser = geteuid() == 0 ? "ACCOUNT" : (getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? "USER")
        return text(processes, settings: settings, services: services, adminPassword: password,
                    binFolder: OwnExecutable.folder ?? ".", sshUser: sshUser)
    }

    /// The banner itself, from what `text(_:settings:manifest:)` reads.
    public static func text(_ processes: [ProcessStatus], settings: SupervisorSettings, services: [ServiceDefinition],
                            adminPassword: String?, binFolder: String, sshUser: String) -> String {
        let paths = settings.paths
        let root = paths.root.isEmpty ? "/" : paths.root
        var text = "\nappliance running (root \(root), port base \(settings.portBase))\n\n"
        text += ProcessTable.render(processes)
        let listening = services.flatMap { service in
            service.listen.map { listen in
                listen.transport == .unix || listen.transport == .unixgram
                    ? "  \(service.name) \(listen.name): \(paths.runDirectory)/\(listen.address ?? "")"
                    : "  \(service.name) \(listen.name): \(listen.transport.rawValue) \(listen.address ?? settings.listenAddress):\(Int(listen.port) + settings.portBase)"
            }
        }
        if !listening.isEmpty { text += "\nlistening:\n" + listening.joined(separator: "\n") + "\n" }
        // Where to point a browser: webd's HTTPS socket.
        for service in services {
            for listen in service.listen where listen.name == "https" && listen.transport == .tcp {
                let host = listen.address ?? settings.listenAddress
                text += "\nbrowser:    https://\(host.contains(":") ? "[\(host)]" : host):\(Int(listen.port) + settings.portBase)/\n"
            }
        }
        if let adminPassword {
            // Shown on the terminal of `make run` only, never logged (written once and printed).
            let password = adminPassword.hasSuffix("\n") ? String(adminPassword.dropLast()) : adminPassword
            text += "\nadmin password: \(password) (from \(paths.initialAdminPasswordFile))\n"
        }
        text += "\ncli:        \(binFolder)/cli --root \(root)    (? for help)\n"
        if services.contains(where: { $0.name == "sshd" }) {
            text += "ssh:        ssh -p \(22 + settings.portBase) \(sshUser)@127.0.0.1   (after: cli --root \(root) -c 'account NAME pubkey add \"KEY\"')\n"
        }
        text += "\nlogs:       \(paths.logDirectory)/<service>.log\n"
        text += "status:     \(binFolder)/procmon --root \(root) status\n"
        text += "stop:       Ctrl-C\n"
        return text
    }
}
