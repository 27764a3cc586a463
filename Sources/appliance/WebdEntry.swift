import ApplianceCore
import ArgumentParser
import Glibc
import WebInterface

struct WebdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webd",
        abstract: "The appliance's web interface: HTTPS pages and a JSON API, and a redirect from HTTP.",
        discussion: """
        webd serves HTTPS (TLS 1.2 and 1.3, AEAD ciphers, an ECDSA P-256 certificate) on the \
        socket procmon passes as "https" (port 443 plus the port base) and answers every \
        request on "http" (port 80 plus the port base) with a permanent redirect to the \
        configured host name; run alone, it binds --listen-address itself. On a first start \
        it generates a self-signed certificate in <root>/var/lib/appliance/webd/ (key mode 0600); \
        an admin installs another from the web (PUT /api/v1/certificate, the /system page) or the \
        CLI (certificate install, through webd's control socket), served at once without a restart.

        Users sign in with their appliance account (configd's authenticate); the session \
        cookie holds configd's session token, so configd's idle timeout and session limits \
        apply, and configd, procmon and sessmgrd enforce the role. State-changing requests \
        need the CSRF token returned at sign-in. The JSON API is under /api/v1/. \
        SIGHUP re-reads the host name, SIGTERM stops. See webd(8).
        """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "Address to bind when procmon passes no socket (\"::\" for IPv4 and IPv6).")
    var listenAddress = "127.0.0.1"

    @Option(help: "Added to 443 and 80 when binding here (development: 10000).")
    var portBase = 10000

    @Option(help: "Event-loop threads.")
    var threads = 2

    @Option(help: ArgumentHelp("Seconds a connection may send nothing (a slow client, a stalled TLS handshake) before it is closed.", valueName: "seconds"))
    var clientTimeout: Int64 = 20

    @Option(help: "HTTPS connections served at once; more are closed on arrival and counted.")
    var maxConnections = 512

    func validate() throws {
        guard (1...16).contains(threads) else { throw ValidationError("--threads must be 1-16") }
        guard (0...55000).contains(portBase) else { throw ValidationError("--port-base must be 0-55000") }
        guard (1...3600).contains(clientTimeout) else { throw ValidationError("--client-timeout must be 1-3600 seconds") }
        guard (1...100_000).contains(maxConnections) else { throw ValidationError("--max-connections must be 1-100000") }
    }

    func run() throws {
        let settings = Webd.Settings(listenAddress: listenAddress, portBase: portBase, threads: threads, idleTimeoutSeconds: clientTimeout,
                                     maximumConnections: maxConnections)
        try daemon.run("webd", eventLoops: threads) { await Webd.run(paths: $0.paths, settings: settings, signals: $0.signals) }
    }
}

