import ApplianceCore
import ArgumentParser
import Glibc
import SNMPAgent

struct SnmpdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snmpd",
        abstract: "The appliance's SNMPv3 agent: USM authPriv only, its MIBs, and SNMPv3 notifications.",
        discussion: """
        snmpd answers SNMPv3 requests (Get, GetNext, GetBulk, Set) on the UDP socket procmon \
        passes as "agent" (port 161 plus the port base, IPv4 and IPv6), or, run alone, on \
        --listen-address and --port. Only USM with authentication and privacy is accepted \
        (HMAC-SHA-1-96 and HMAC-SHA-2, AES-128/192/256 CFB); SNMPv1 and v2c messages are \
        dropped and counted in snmpInBadVersions.

        The engine ID comes from "snmp engine-id" in the configuration, or is generated once \
        and kept in <root>/var/lib/appliance/snmpd/engine-id; snmpEngineBoots is counted per \
        engine ID in boots.json there, written atomically before the agent answers anything. \
        Users, their roles and localized keys, sysName, sysContact, sysLocation and the \
        notification receivers come from configd (followed with watch). A Set of sysName, \
        sysContact or sysLocation by an admin user is applied through configd and audited.

        Served: SNMPv2-MIB (system, snmp), IF-MIB (ifTable, ifXTable from rtnetlink), \
        HOST-RESOURCES-MIB (hrSystem, hrSWRunTable, hrSWRunPerfTable for the appliance's \
        processes), the SNMPv3 engine and statistics groups, and APPLIANCE-MIB \
        (<root>/usr/share/snmp/mibs/APPLIANCE-MIB.txt: stream and process tables). Traps \
        (authPriv) go to every "snmp trap-receiver ... trap" on coldStart, \
        authenticationFailure, stream state changes and process restarts and failures.

        <root>/run/appliance/snmpd.sock answers status. SIGTERM stops. See snmpd(8).
        """
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "Address to bind when procmon passes no socket (\"::\" for IPv4 and IPv6).")
    var listenAddress = "127.0.0.1"

    @Option(help: "UDP port to bind when procmon passes no socket.")
    var port: UInt16 = 10161

    @Option(help: "Threads receiving requests.")
    var threads = 2

    func validate() throws {
        guard (1...16).contains(threads) else { throw ValidationError("--threads must be 1-16") }
        guard port > 0 else { throw ValidationError("--port must be 1-65535") }
    }

    func run() throws {
        let settings = Snmpd.Settings(listenAddress: listenAddress, port: port, receivers: threads)
        try daemon.run("snmpd") { await Snmpd.run(paths: $0.paths, settings: settings, signals: $0.signals) }
    }
}

