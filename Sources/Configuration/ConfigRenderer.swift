/// Writes a configuration as the command language `ConfigParser` reads
/// (`show running-config`).
///
/// The output is deterministic: sections in a fixed order (system, security,
/// accounts, network, time, logging, SNMP, streams), separated by `!` lines,
/// objects in the configuration's order. Settings at their default are left
/// out, as on network devices; everything else is written, so that
/// `ConfigParser.parse(render(config)) == config` for every valid
/// configuration.
public enum ConfigRenderer {
    /// The whole configuration. `secrets` says whether password hashes and
    /// SNMP keys are written (only configd's own startup file has both).
    public static func render(_ config: ApplianceConfig, secrets: SecretDisclosure = .all) -> String {
        render(config, sections: Set(Section.allCases), secrets: secrets)
    }

    /// The sections `service` may read, with the secrets it may see.
    public static func render(_ config: ApplianceConfig, for service: ApplianceService) -> String {
        render(config, sections: service.readableSections, secrets: service.secretDisclosure)
    }

    /// The given sections only.
    public static func render(_ config: ApplianceConfig, sections: Set<Section>, secrets: SecretDisclosure) -> String {
        let groups = lines(config, sections: sections, secrets: secrets).filter { !$0.isEmpty }
        return groups.map { $0.joined(separator: "\n") + "\n" }.joined(separator: "!\n")
    }

    /// The command lines, grouped by section in rendering order.
    package static func lines(_ config: ApplianceConfig, sections: Set<Section>, secrets: SecretDisclosure) -> [[String]] {
        var groups: [[String]] = []
        if sections.contains(.system) { groups.append(system(config.system)) }
        if sections.contains(.policy) { groups.append(policy(config.policy)) }
        if sections.contains(.accounts) { groups.append(config.accounts.flatMap { account($0, secrets) }) }
        if sections.contains(.network) { groups.append(config.network.interfaces.map(interface)) }
        if sections.contains(.time) { groups.append(config.time.ntpServers.map { "ntp server \($0)" }) }
        if sections.contains(.audit) { groups.append(audit(config.audit)) }
        if sections.contains(.snmp) { groups.append(snmp(config.snmp, secrets)) }
        if sections.contains(.streams) { groups.append(config.streams.map(stream)) }
        return groups
    }

    /// `text` as one word of the configuration language: bare when it can be, else quoted and escaped.
    public static func word(_ text: String) -> String { ConfigLexer.word(text) }
    private static func quoted(_ text: String) -> String { ConfigLexer.quoted(text) }

    private static func system(_ system: SystemSettings) -> [String] {
        var lines: [String] = []
        if system.hostname != SystemSettings.defaultHostname { lines.append(ConfigLine.hostname(system.hostname)) }
        if let location = system.location { lines.append(ConfigLine.systemLocation(location)) }
        if let contact = system.contact { lines.append(ConfigLine.systemContact(contact)) }
        if let banner = system.loginBanner { lines.append(ConfigLine.loginBanner(banner)) }
        return lines
    }

    private static func policy(_ policy: SecurityPolicy) -> [String] {
        let defaults = SecurityPolicy()
        return SecurityPolicy.groups.compactMap { group in
            let changed = SecurityPolicy.settings.filter { $0.group == group && policy[$0] != defaults[$0] }
            guard !changed.isEmpty else { return nil }
            return "security \(group) " + changed.map { "\($0.keyword) \(policy[$0])" }.joined(separator: " ")
        }
    }

    private static func account(_ account: Account, _ secrets: SecretDisclosure) -> [String] {
        var main = "account \(word(account.name)) role \(account.role.rawValue)"
        if secrets.includesPasswordHashes, let hash = account.passwordHash { main += " password-hash " + quoted(hash) }
        if let changed = account.passwordChangedAt { main += " changed \(changed)" }
        if account.locked { main += " locked" }
        var lines = [main]
        if let id = account.id { lines.append("account \(word(account.name)) id \(id)") }
        if secrets.includesPasswordHashes {
            lines += account.passwordHistory.map { "account \(word(account.name)) password-history " + quoted($0) }
        }
        lines += account.sshKeys.map { ConfigLine.accountSSHKey(account.name, $0.description) }
        return lines
    }

    private static func interface(_ interface: InterfaceConfig) -> String {
        var line = "interface " + word(interface.name)
        switch interface.addressing {
        case .dhcp:
            line += " dhcp"
        case .static(let settings):
            line += " address \(settings.address)/\(settings.prefixLength)"
            if let gateway = settings.gateway { line += " gateway \(gateway)" }
            for server in settings.dnsServers { line += " dns \(server)" }
        }
        return line
    }

    private static func audit(_ audit: AuditSettings) -> [String] {
        var lines = audit.remoteDestinations.map { destination -> String in
            var line = "logging remote \(destination.host)"
            if destination.port != SyslogDestination.defaultPort { line += " port \(destination.port)" }
            switch destination.trust {
            case .caSigned(let path):
                line += " trust ca-signed ca-bundle " + word(path)
                if let peer = destination.permittedPeer { line += " permitted-peer \(peer)" }
            case .fingerprint(let fingerprint): line += " trust fingerprint \(fingerprint)"
            }
            if let certificate = destination.clientCertificatePath { line += " client-certificate " + word(certificate) }
            if let key = destination.clientKeyPath { line += " client-key " + word(key) }
            return line
        }
        var retention: [String] = []
        if let days = audit.retention.days { retention.append("days \(days)") }
        if let size = audit.retention.maxMiB { retention.append("max-mib \(size)") }
        if !retention.isEmpty { lines.append("logging retention " + retention.joined(separator: " ")) }
        return lines
    }

    private static func snmp(_ snmp: SNMPSettings, _ secrets: SecretDisclosure) -> [String] {
        var lines: [String] = []
        if let engineID = snmp.engineID { lines.append("snmp engine-id \(engineID)") }
        for user in snmp.users { lines.append(line(user, keys: secrets.includesSNMPKeys)) }
        for receiver in snmp.trapReceivers {
            var line = "snmp trap-receiver \(receiver.host)"
            if receiver.port != TrapReceiver.defaultPort { line += " port \(receiver.port)" }
            line += " user \(word(receiver.user)) \(receiver.kind.rawValue)"
            lines.append(line)
        }
        return lines
    }

    /// The `snmp user` line that creates or replaces `user`; with `keys`
    /// false, without its localized keys (what may be shown).
    public static func line(_ user: USMUser, keys: Bool = true) -> String { ConfigLine.snmpUser(user, keys: keys) }

    private static func stream(_ stream: StreamConfig) -> String {
        let defaults = StreamConfig(name: stream.name, source: stream.source, destination: stream.destination)
        var line = "stream \(word(stream.name)) source \(word(stream.source.description)) destination \(stream.destination)"
        if let encapsulation = stream.encapsulation { line += " encapsulation \(encapsulation.rawValue)" }
        if stream.ttl != defaults.ttl { line += " ttl \(stream.ttl)" }
        if stream.tos != defaults.tos {
            line += (0...255).contains(stream.tos) ? " tos 0x" + Hex.encode([UInt8(stream.tos)]) : " tos \(stream.tos)"
        }
        if stream.mtu != defaults.mtu { line += " mtu \(stream.mtu)" }
        if let interface = stream.outputInterface { line += " interface " + word(interface) }
        if stream.shaping {
            line += " shaping ceiling \(stream.shapingCeilingPercent)"
        } else if stream.shapingCeilingPercent != defaults.shapingCeilingPercent {
            line += " shaping off ceiling \(stream.shapingCeilingPercent)"
        }
        if stream.autostart { line += " autostart" }
        return line
    }
}
