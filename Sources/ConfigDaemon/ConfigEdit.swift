import Configuration

/// One `apply`, decided without I/O: who may make which change (by role,
/// line by line), the change itself, account ids (configd's to give, never
/// a request's), and the rule that nobody shuts out their own account.
/// ConfigService commits, audits and answers what this decides.
struct ConfigEdit: Equatable {
    enum Outcome: Equatable {
        /// The new running configuration and what changed.
        case applied(ApplianceConfig, ConfigDiff)
        /// Not permitted for this account or role: audited as a refusal.
        case refused(String)
        /// Not a valid change: the parser's or validator's word.
        case invalid(String)
    }

    /// The most lines one change set may hold.
    static let maximumCommands = 10_000

    /// `commands` applied to `running` by `account` in `role`; new accounts
    /// get ids that none of `reservedIDs` (API tokens' bindings) has.
    static func apply(_ commands: [String], account: String, role: Role, to running: ApplianceConfig,
                      reservedIDs: Set<String>) -> Outcome {
        guard !commands.isEmpty, commands.count <= maximumCommands else {
            return .invalid("a change set holds 1 to \(maximumCommands) commands")
        }
        let changes = ChangeSet(commands: commands)
        if case .refused(let refusal) = ChangeAuthorization.check(changes, role: role, account: account) {
            return .refused(refusal.description)
        }
        let applied: ApplianceConfig
        do {
            applied = try running.applying(changes)
        } catch {
            return .invalid(error.description)
        }
        for changed in applied.accounts where changed.id != nil && changed.id != running.accounts.first(where: { $0.name == changed.name })?.id {
            return .invalid("account \(changed.name): configd gives account ids and never changes them; leave out \"id\"")
        }
        let updated = ConfigService.givingAccountIDs(applied, avoiding: reservedIDs).config
        if let reason = ChangeAuthorization.ownAccountRefusal(account, before: running, after: updated) {
            return .refused(reason)
        }
        return .applied(updated, ConfigDiff(from: running, to: updated))
    }
}
