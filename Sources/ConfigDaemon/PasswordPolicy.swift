import Configuration
import ApplianceProtocol
/// A rule a new password broke.
public enum PasswordRuleViolation: Equatable, Sendable, CustomStringConvertible {
    /// Shorter than the policy's minimum.
    case tooShort(minimum: Int)
    /// Longer than `SecurityPolicy.maximumPasswordLength`.
    case tooLong(maximum: Int)
    /// Mixes fewer character classes than required.
    case tooFewCharacterClasses(required: Int, found: Int)
    /// Contains the account name (in any case).
    case containsAccountName
    /// Equal to the current password or one of the last `depth`.
    case reused(depth: Int)
    /// Holds control characters, which a terminal may not let one type again.
    case unprintable

    public var description: String {
        switch self {
        case .tooShort(let minimum): "the password must be at least \(minimum) characters long"
        case .tooLong(let maximum): "the password must be at most \(maximum) characters long"
        case .tooFewCharacterClasses(let required, let found):
            "the password must mix at least \(required) of: lowercase letters, uppercase letters, digits, other characters (it has \(found))"
        case .containsAccountName: "the password must not contain the account name"
        case .reused(let depth): "the password must differ from the current one and the last \(depth)"
        case .unprintable: "the password must not contain control characters"
        }
    }
}

/// Applies the security policy's password rules: quality when a password is
/// set, expiry when one logs in.
public struct PasswordPolicy: Sendable {
    /// The rules.
    public var policy: SecurityPolicy

    public init(_ policy: SecurityPolicy) { self.policy = policy }

    /// Every rule `password` breaks as the new password of `account`. The
    /// history check verifies the password against the current hash and the
    /// last `passwordHistoryDepth` ones, each at its own stored cost, with
    /// `hasher`.
    public func violations(of password: String, for account: Account, hasher: PasswordHasher) -> [PasswordRuleViolation] {
        var found: [PasswordRuleViolation] = []
        let length = password.count
        if length < policy.passwordMinLength { found.append(.tooShort(minimum: policy.passwordMinLength)) }
        if length > SecurityPolicy.maximumPasswordLength { found.append(.tooLong(maximum: SecurityPolicy.maximumPasswordLength)) }
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) { found.append(.unprintable) }
        let classes = PasswordPolicy.characterClasses(in: password)
        if classes < policy.passwordRequiredClasses {
            found.append(.tooFewCharacterClasses(required: policy.passwordRequiredClasses, found: classes))
        }
        // Names under 3 characters would forbid, say, every password with an "a".
        if account.name.count >= 3 && password.lowercased().contains(account.name.lowercased()) {
            found.append(.containsAccountName)
        }
        if policy.passwordHistoryDepth > 0 && length <= SecurityPolicy.maximumPasswordLength {
            let recent = (account.passwordHash.map { [$0] } ?? []) + account.passwordHistory.prefix(policy.passwordHistoryDepth)
            if recent.contains(where: { hasher.verify(password, against: $0) }) {
                found.append(.reused(depth: policy.passwordHistoryDepth))
            }
        }
        return found
    }

    /// How many of the four classes (lowercase, uppercase, digits, others)
    /// `password` uses. Letters without case (CJK) count as "others".
    public static func characterClasses(in password: String) -> Int {
        var lower = false, upper = false, digit = false, other = false
        for scalar in password.unicodeScalars {
            let properties = scalar.properties
            if properties.isLowercase { lower = true }
            else if properties.isUppercase { upper = true }
            else if properties.numericType == .decimal { digit = true }
            else { other = true }
        }
        return [lower, upper, digit, other].filter { $0 }.count
    }

    /// Whether `account` must change its password before doing anything
    /// else: the policy sets an expiry and the password is older than it, or
    /// its age is unknown. `now` is wall-clock seconds since the epoch.
    public func mustChange(_ account: Account, now: Int64) -> Bool {
        guard policy.passwordExpiryDays > 0 else { return false }
        guard let changed = account.passwordChangedAt else { return true }
        return now >= changed + Int64(policy.passwordExpiryDays) * 86_400
    }

    /// Whether the password expired more than the grace period ago: the
    /// login is refused and only an administrator can set a new password.
    /// An unknown age is treated as expired but within grace.
    public func isExpiredBeyondGrace(_ account: Account, now: Int64) -> Bool {
        guard policy.passwordExpiryDays > 0, let changed = account.passwordChangedAt else { return false }
        let limit = Int64(policy.passwordExpiryDays + policy.passwordExpiryGraceDays) * 86_400
        return now >= changed + limit
    }
}
