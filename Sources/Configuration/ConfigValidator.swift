/// Checks a whole configuration: every value (a JSON body or a typed edit
/// can hold anything), and the rules across objects that no single command
/// can check: unique names and destinations, references that resolve, an
/// administrator left to log in.
public struct ConfigValidator: Sendable {
    /// The most objects of each kind configd keeps: firmware has bounded memory.
    public var maximumAccounts = 256
    public var maximumStreams = 64
    public var maximumSNMPUsers = 32
    public var maximumTrapReceivers = 16
    public var maximumInterfaces = 16

    public init() {}

    /// Throws every problem of `config`, if there is any.
    public func validate(_ config: ApplianceConfig) throws(ConfigValidationError) {
        let found = problems(in: config)
        if !found.isEmpty { throw ConfigValidationError(problems: found) }
    }

    /// Every problem of `config`, in section order; empty when it is valid.
    public func problems(in config: ApplianceConfig) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        system(config.system, &problems)
        policy(config.policy, &problems)
        accounts(config.accounts, &problems)
        network(config.network, &problems)
        time(config.time, &problems)
        audit(config.audit, &problems)
        snmp(config.snmp, &problems)
        streams(config.streams, &problems)
        return problems
    }

    /// Problems of a change from `old` to `new`: those of `new`, plus the
    /// rules about transitions (the last unlocked administrator cannot be
    /// removed, locked, demoted or left without a credential).
    public func problems(changingFrom old: ApplianceConfig, to new: ApplianceConfig) -> [ConfigProblem] {
        var found = problems(in: new)
        let canAdminister = { (config: ApplianceConfig) in config.accounts.contains(where: ConfigValidator.isUsableAdmin) }
        // With accounts left, `problems(in:)` already says so; this covers removing them all.
        if canAdminister(old) && new.accounts.isEmpty {
            found.append(ConfigProblem("accounts", "the change would leave no unlocked admin account with a password or ssh key; keep or create one first"))
        }
        return found
    }

    package static func isUsableAdmin(_ account: Account) -> Bool {
        account.role == .admin && !account.locked && (account.passwordHash != nil || !account.sshKeys.isEmpty)
    }

    // MARK: - Sections

    private func system(_ system: SystemSettings, _ problems: inout [ConfigProblem]) {
        if !SystemSettings.isValidHostname(system.hostname) {
            problems.append(ConfigProblem("hostname", "\"\(shown(system.hostname))\" is not \(SystemSettings.hostnameRule)"))
        }
        for (field, value) in [("location", system.location), ("contact", system.contact)] {
            if let value, !SystemSettings.isValidText(value) {
                problems.append(ConfigProblem("system \(field)", "must be one line of printable text of at most \(SystemSettings.maximumTextLength) characters"))
            }
        }
        if let banner = system.loginBanner, !SystemSettings.isValidBanner(banner) {
            let size = banner.utf8.count
            problems.append(ConfigProblem("banner login", size > SystemSettings.maximumBannerBytes
                ? "is \(size) bytes; at most \(SystemSettings.maximumBannerBytes) are allowed"
                : "may hold only printable ASCII characters and newlines"))
        }
    }

    private func policy(_ policy: SecurityPolicy, _ problems: inout [ConfigProblem]) {
        for setting in SecurityPolicy.settings where !setting.range.contains(policy[setting]) {
            problems.append(ConfigProblem("security \(setting.group) \(setting.keyword)",
                "\(policy[setting]) is out of range \(setting.range.lowerBound)-\(setting.range.upperBound)"))
        }
    }

    private func accounts(_ accounts: [Account], _ problems: inout [ConfigProblem]) {
        if accounts.count > maximumAccounts {
            problems.append(ConfigProblem("accounts", "\(accounts.count) accounts; at most \(maximumAccounts) are allowed"))
        }
        var names = Set<String>()
        var ids = Set<String>()
        for account in accounts {
            let subject = "account \"\(shown(account.name))\""
            if !ConfigName.isValid(account.name) {
                problems.append(ConfigProblem(subject, "the name must be \(ConfigName.rule)"))
            }
            if !names.insert(account.name).inserted {
                problems.append(ConfigProblem(subject, "is defined more than once"))
            }
            if let id = account.id {
                if !Account.isValidID(id) {
                    problems.append(ConfigProblem(subject, "the id must be 16 lowercase hex digits"))
                } else if !ids.insert(id).inserted {
                    problems.append(ConfigProblem(subject, "has the id \(id) of another account; ids are never shared"))
                }
            }
            if let hash = account.passwordHash, StoredPasswordHash(hash) == nil {
                problems.append(ConfigProblem(subject, "the password hash is not a $scrypt$ hash within configd's cost limits; set the password again"))
            }
            if account.passwordHistory.contains(where: { StoredPasswordHash($0) == nil }) {
                problems.append(ConfigProblem(subject, "the password history holds an entry that is not a $scrypt$ hash"))
            }
            if account.passwordHistory.count > 24 {
                problems.append(ConfigProblem(subject, "the password history holds \(account.passwordHistory.count) entries; at most 24 are kept"))
            }
            if let changed = account.passwordChangedAt, changed < 0 {
                problems.append(ConfigProblem(subject, "the password change time \(changed) is before 1970"))
            }
            if account.sshKeys.count > Account.maximumSSHKeys {
                problems.append(ConfigProblem(subject, "has \(account.sshKeys.count) ssh keys; at most \(Account.maximumSSHKeys) are allowed"))
            }
            var blobs = Set<[UInt8]>()
            for key in account.sshKeys {
                // Keys built in code bypass the parser: check each blob again.
                do {
                    _ = try SSHPublicKey(key.description)
                } catch {
                    problems.append(ConfigProblem(subject, "ssh key \(key.fingerprint): \(error.message)"))
                }
                if !blobs.insert(key.blob).inserted {
                    problems.append(ConfigProblem(subject, "ssh key \(key.fingerprint) is listed twice"))
                }
            }
        }
        if !accounts.isEmpty && !accounts.contains(where: ConfigValidator.isUsableAdmin) {
            problems.append(ConfigProblem("accounts", "no unlocked admin account with a password or ssh key remains; nobody could administer the appliance"))
        }
    }

    private func network(_ network: NetworkSettings, _ problems: inout [ConfigProblem]) {
        if network.interfaces.count > maximumInterfaces {
            problems.append(ConfigProblem("interfaces", "\(network.interfaces.count) interfaces; at most \(maximumInterfaces) are allowed"))
        }
        var names = Set<String>()
        for interface in network.interfaces {
            let subject = "interface \"\(shown(interface.name))\""
            if !InterfaceConfig.isValidName(interface.name) {
                problems.append(ConfigProblem(subject, "the name must be \(InterfaceConfig.nameRule)"))
            }
            if !names.insert(interface.name).inserted {
                problems.append(ConfigProblem(subject, "is configured more than once"))
            }
            guard case .static(let settings) = interface.addressing else { continue }
            let address = settings.address
            let bits = address.family.bitCount
            if !(0...bits).contains(settings.prefixLength) {
                problems.append(ConfigProblem(subject, "prefix length \(settings.prefixLength) is out of range 0-\(bits)"))
            }
            if address.isUnspecified || address.isMulticast || address.isLimitedBroadcast {
                problems.append(ConfigProblem(subject, "\(address) cannot be an interface address (unspecified, multicast or broadcast)"))
            }
            if let gateway = settings.gateway {
                if gateway.family != address.family {
                    problems.append(ConfigProblem(subject, "gateway \(gateway) is not of the same address family as \(address)"))
                } else if gateway == address {
                    problems.append(ConfigProblem(subject, "gateway \(gateway) is the interface's own address"))
                } else if !gateway.sharesPrefix(with: address, length: settings.prefixLength) {
                    problems.append(ConfigProblem(subject, "gateway \(gateway) is outside \(address)/\(settings.prefixLength); it must be reachable on the link"))
                }
            }
            if settings.dnsServers.count > StaticAddressing.maximumDNSServers {
                problems.append(ConfigProblem(subject, "\(settings.dnsServers.count) DNS servers; at most \(StaticAddressing.maximumDNSServers) are used"))
            }
            if Set(settings.dnsServers).count != settings.dnsServers.count {
                problems.append(ConfigProblem(subject, "a DNS server is listed twice"))
            }
        }
    }

    private func time(_ time: TimeSettings, _ problems: inout [ConfigProblem]) {
        if time.ntpServers.count > TimeSettings.maximumServers {
            problems.append(ConfigProblem("ntp", "\(time.ntpServers.count) servers; at most \(TimeSettings.maximumServers) are allowed"))
        }
        var seen = Set<NetworkHost>()
        for server in time.ntpServers where !seen.insert(server).inserted {
            problems.append(ConfigProblem("ntp server \(server)", "is listed twice"))
        }
    }

    private func audit(_ audit: AuditSettings, _ problems: inout [ConfigProblem]) {
        if audit.remoteDestinations.count > AuditSettings.maximumDestinations {
            problems.append(ConfigProblem("logging remote", "\(audit.remoteDestinations.count) destinations; at most \(AuditSettings.maximumDestinations) are allowed"))
        }
        var seen = Set<String>()
        for destination in audit.remoteDestinations {
            let subject = "logging remote \(destination.host) port \(destination.port)"
            if !seen.insert("\(destination.host) \(destination.port)").inserted {
                problems.append(ConfigProblem(subject, "is configured twice"))
            }
            if destination.port == 0 {
                problems.append(ConfigProblem(subject, "port 0 is out of range 1-65535"))
            }
            if let address = destination.host.address, address.isUnspecified || address.isMulticast || address.isLimitedBroadcast {
                problems.append(ConfigProblem(subject, "\(address) is not a unicast address"))
            }
            if case .caSigned(let path) = destination.trust, !FilePath.isValid(path) {
                problems.append(ConfigProblem(subject, "the CA bundle path must be \(FilePath.rule)"))
            }
            if case .fingerprint(let fingerprint) = destination.trust, fingerprint.sha256.count != 32 {
                problems.append(ConfigProblem(subject, "the fingerprint must be a SHA-256 digest (32 octets)"))
            }
            if case .fingerprint = destination.trust, destination.permittedPeer != nil {
                problems.append(ConfigProblem(subject, "a permitted peer name applies to ca-signed trust only; a fingerprint names the certificate itself"))
            }
            switch (destination.clientCertificatePath, destination.clientKeyPath) {
            case (nil, nil): break
            case (let certificate?, let key?):
                if !FilePath.isValid(certificate) || !FilePath.isValid(key) {
                    problems.append(ConfigProblem(subject, "client certificate and key paths must be \(FilePath.rule)"))
                }
            default:
                problems.append(ConfigProblem(subject, "a client certificate needs its key and a key its certificate; give both or neither"))
            }
        }
        if let days = audit.retention.days, !LogRetention.daysRange.contains(days) {
            problems.append(ConfigProblem("logging retention", "days \(days) is out of range 1-3650"))
        }
        if let size = audit.retention.maxMiB, !LogRetention.maxMiBRange.contains(size) {
            problems.append(ConfigProblem("logging retention", "max-mib \(size) is out of range 1-1048576"))
        }
    }

    private func snmp(_ snmp: SNMPSettings, _ problems: inout [ConfigProblem]) {
        if let engineID = snmp.engineID, let problem = engineID.formatProblem {
            problems.append(ConfigProblem("snmp engine-id", problem))
        }
        if snmp.users.count > maximumSNMPUsers {
            problems.append(ConfigProblem("snmp", "\(snmp.users.count) users; at most \(maximumSNMPUsers) are allowed"))
        }
        var names = Set<String>()
        for user in snmp.users {
            let subject = "snmp user \"\(shown(user.name))\""
            if !ConfigName.isValid(user.name) {
                problems.append(ConfigProblem(subject, "the name must be \(ConfigName.rule)"))
            }
            if !names.insert(user.name).inserted {
                problems.append(ConfigProblem(subject, "is defined more than once"))
            }
            if user.authKey.octets.count != user.authProtocol.keyLength {
                problems.append(ConfigProblem(subject, "the \(user.authProtocol.rawValue) auth-key must be \(user.authProtocol.keyLength) octets, not \(user.authKey.octets.count)"))
            }
            if user.privKey.octets.count != user.privProtocol.keyLength {
                problems.append(ConfigProblem(subject, "the \(user.privProtocol.rawValue) priv-key must be \(user.privProtocol.keyLength) octets, not \(user.privKey.octets.count)"))
            }
        }
        if snmp.trapReceivers.count > maximumTrapReceivers {
            problems.append(ConfigProblem("snmp", "\(snmp.trapReceivers.count) trap receivers; at most \(maximumTrapReceivers) are allowed"))
        }
        var receivers = Set<String>()
        for receiver in snmp.trapReceivers {
            let subject = "snmp trap-receiver \(receiver.host) port \(receiver.port)"
            if !receivers.insert("\(receiver.host) \(receiver.port)").inserted {
                problems.append(ConfigProblem(subject, "is configured twice"))
            }
            if receiver.port == 0 {
                problems.append(ConfigProblem(subject, "port 0 is out of range 1-65535"))
            }
            if !names.contains(receiver.user) {
                problems.append(ConfigProblem(subject, "user \"\(shown(receiver.user))\" is not an SNMP user; create it with snmp user first"))
            }
        }
    }

    private func streams(_ streams: [StreamConfig], _ problems: inout [ConfigProblem]) {
        if streams.count > maximumStreams {
            problems.append(ConfigProblem("streams", "\(streams.count) streams; at most \(maximumStreams) are allowed"))
        }
        var names = Set<String>()
        var destinations: [MediaAddress: String] = [:]
        for stream in streams {
            let subject = "stream \"\(shown(stream.name))\""
            if !ConfigName.isValid(stream.name) {
                problems.append(ConfigProblem(subject, "the name must be \(ConfigName.rule)"))
            }
            if !names.insert(stream.name).inserted {
                problems.append(ConfigProblem(subject, "is defined more than once; stream names must be unique"))
            }
            let destination = stream.destination
            if destination.port == 0 {
                problems.append(ConfigProblem(subject, "destination port 0 is out of range 1-65535"))
            }
            if destination.host.isUnspecified || destination.host.isLimitedBroadcast {
                problems.append(ConfigProblem(subject, "destination \(destination.host) is not an address a stream can be sent to"))
            }
            if destination.sourceFilter != nil {
                problems.append(ConfigProblem(subject, "a destination cannot have a source filter (SOURCE@ is for inputs)"))
            }
            let key = MediaAddress(transport: .udp, host: destination.host, port: destination.port)
            if let other = destinations[key] {
                problems.append(ConfigProblem(subject, "destination \(destination.host) port \(destination.port) is already used by stream \"\(shown(other))\""))
            } else {
                destinations[key] = stream.name
            }
            switch stream.source {
            case .file(let path):
                if !FilePath.isValid(path) {
                    problems.append(ConfigProblem(subject, "source file path must be \(FilePath.rule)"))
                }
            case .network(let source):
                if source.port == 0 {
                    problems.append(ConfigProblem(subject, "source port 0 is out of range 1-65535"))
                }
                if let filter = source.sourceFilter {
                    // RFC 4607 §1: a source-specific channel is (S, G) with G multicast, S unicast.
                    if !source.host.isMulticast {
                        problems.append(ConfigProblem(subject, "source filter \(filter)@ needs a multicast group, and \(source.host) is not one"))
                    }
                    if filter.isMulticast || filter.isUnspecified || filter.family != source.host.family {
                        problems.append(ConfigProblem(subject, "source filter \(filter) must be a unicast address of the group's family"))
                    }
                }
                if source.host == destination.host && source.port == destination.port {
                    problems.append(ConfigProblem(subject, "source and destination are the same address; the stream would loop"))
                }
            }
            if stream.encapsulation == .tsUDP && destination.transport == .rtp {
                problems.append(ConfigProblem(subject, "encapsulation ts-udp contradicts the rtp:// destination; use a udp:// destination or drop encapsulation"))
            }
            if !(1...255).contains(stream.ttl) {
                problems.append(ConfigProblem(subject, "ttl \(stream.ttl) is out of range 1-255"))
            }
            if !(0...255).contains(stream.tos) {
                problems.append(ConfigProblem(subject, "tos \(stream.tos) is out of range 0-255"))
            }
            if !(576...9000).contains(stream.mtu) {
                problems.append(ConfigProblem(subject, "mtu \(stream.mtu) is out of range 576-9000"))
            } else if stream.mtu < stream.minimumMTU {
                let layers = (stream.effectiveEncapsulation == .tsRTP ? "RTP/" : "") + "UDP/" + (destination.host.family == .ipv4 ? "IPv4" : "IPv6")
                problems.append(ConfigProblem(subject, "mtu \(stream.mtu) is too small: one datagram of 7 TS packets (1316 bytes) over \(layers) needs \(stream.minimumMTU)"))
            }
            if let interface = stream.outputInterface, !InterfaceConfig.isValidName(interface) {
                problems.append(ConfigProblem(subject, "output interface must be \(InterfaceConfig.nameRule)"))
            }
            if !(0...100).contains(stream.shapingCeilingPercent) {
                problems.append(ConfigProblem(subject, "shaping ceiling \(stream.shapingCeilingPercent)% is out of range 0-100"))
            } else if stream.shaping && stream.shapingCeilingPercent == 0 {
                problems.append(ConfigProblem(subject, "shaping with a ceiling of 0% would send nothing; raise the ceiling or turn shaping off"))
            }
        }
    }

    /// A name as shown in a message: control characters escaped, long ones cut.
    private func shown(_ text: String) -> String { ConfigSyntaxError.printable(text) }
}
