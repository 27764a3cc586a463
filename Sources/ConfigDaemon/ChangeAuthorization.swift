import Configuration
import ApplianceProtocol
/// Whether an account may apply a change set, decided from its role before
/// anything is applied (like OpenSSH's monitor: each request checked against
/// a table; anything unknown is refused).
public enum ChangeAuthorization {
    /// The answer.
    public enum Decision: Equatable, Sendable {
        /// Every change is allowed.
        case permitted
        /// The first change refused.
        case refused(RefusedChange)
    }

    /// A change the role may not make.
    public struct RefusedChange: Error, Equatable, Sendable, CustomStringConvertible {
        /// 1-based position in the change set.
        public var index: Int
        /// The command line, or a description of the typed edit.
        public var command: String
        /// Why, in words for the user.
        public var reason: String

        public var description: String { "change \(index) (\(command)) refused: \(reason)" }
    }

    /// Whether `account`, holding `role`, may apply every change of `changes`.
    public static func check(_ changes: ChangeSet, role: Role, account: String) -> Decision {
        let who = role == .viewer ? "a viewer" : "an \(role.rawValue)"
        for (offset, change) in changes.changes.enumerated() {
            let index = offset + 1
            switch change {
            case .setPassword(let target, _, _):
                if target == account && role.may(.changeOwnPassword) { continue }
                if role.may(.change(.accounts)) { continue }
                return .refused(RefusedChange(index: index, command: "set password of \"\(ConfigSyntaxError.printable(target))\"",
                                              reason: "\(who) may change only its own password"))
            case .command(let line):
                let section: Section?
                do {
                    section = try ConfigParser.section(ofLine: line, lineNumber: index)
                } catch {
                    return .refused(RefusedChange(index: index, command: ConfigSyntaxError.printable(line),
                                                  reason: "not a configuration command (\(error))"))
                }
                guard let section else { continue }  // blank line or comment
                if role.may(.change(section)) { continue }
                var reason = "\(who) may not change \(section.rawValue) settings"
                if section == .accounts && role.may(.changeOwnPassword) {
                    reason += "; change your own password with the password command, which checks the password policy"
                }
                return .refused(RefusedChange(index: index, command: ConfigSyntaxError.printable(line), reason: reason))
            }
        }
        return .permitted
    }
}

extension ChangeAuthorization {
    /// Why the account `account` may not make the change from `before` to
    /// `after` to itself, or nil when it may: nobody deletes, locks or
    /// demotes the account they are signed in as (another admin may). An
    /// admin cannot shut themselves out by a slip, and one session of an
    /// account cannot end the account's other sessions this way.
    public static func ownAccountRefusal(_ account: String, before: ApplianceConfig, after: ApplianceConfig) -> String? {
        guard let was = before.accounts.first(where: { $0.name == account }) else { return nil }
        let printable = ConfigSyntaxError.printable(account)
        guard let now = after.accounts.first(where: { $0.name == account }) else {
            return "you may not delete the account you are signed in as (\(printable)); another admin may"
        }
        if now.locked && !was.locked {
            return "you may not lock the account you are signed in as (\(printable)); another admin may"
        }
        if now.role < was.role {
            return "you may not lower the role of the account you are signed in as (\(printable)); another admin may"
        }
        return nil
    }
}
