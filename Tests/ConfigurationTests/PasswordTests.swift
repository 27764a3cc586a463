import ApplianceProtocol
@testable import ConfigDaemon
import Testing
@testable import Configuration

@Suite("Password hashing and policy")
struct PasswordTests {

    @Test("scrypt matches the RFC 7914 §12 test vectors", arguments: [
        ("", "", ScryptCost(logN: 4, blockSize: 1, parallelism: 1),
         "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"),
        ("password", "NaCl", ScryptCost(logN: 10, blockSize: 8, parallelism: 16),
         "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"),
        ("pleaseletmein", "SodiumChloride", ScryptCost(logN: 14, blockSize: 8, parallelism: 1),
         "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"),
    ])
    func rfc7914Vectors(password: String, salt: String, cost: ScryptCost, expected: String) throws {
        let derived = try PasswordHasher.deriveKey(password: Array(password.utf8), salt: Array(salt.utf8), cost: cost, length: 64)
        #expect(Hex.encode(derived) == expected)
    }

    @Test("a hash verifies its password and no other, and describes its own cost")
    func hashAndVerify() throws {
        let hasher = Fixture.hasher
        let stored = try hasher.hash("Correct-Horse-9")
        #expect(stored.hasPrefix("$scrypt$ln=4,r=1,p=1$"))
        #expect(hasher.verify("Correct-Horse-9", against: stored))
        #expect(!hasher.verify("correct-Horse-9", against: stored))
        #expect(!hasher.verify("", against: stored))
        #expect(try hasher.hash("Correct-Horse-9") != stored, "salts must differ")
        let parsed = try #require(StoredPasswordHash(stored))
        #expect(parsed.salt.count == 16 && parsed.hash.count == 32)
        #expect(parsed.description == stored)
    }

    @Test("verification uses the stored cost, and needsRehash flags hashes made at another cost")
    func storedCostGovernsVerification() throws {
        let old = try PasswordHasher(cost: ScryptCost(logN: 5, blockSize: 2, parallelism: 1)).hash("pw-Old-123456")
        #expect(Fixture.hasher.verify("pw-Old-123456", against: old))
        #expect(Fixture.hasher.needsRehash(old))
        #expect(!Fixture.hasher.needsRehash(Fixture.hash("x")))
        #expect(PasswordHasher().cost == ScryptCost(logN: 15, blockSize: 8, parallelism: 1))
    }

    @Test("malformed or over-costly stored hashes never verify", arguments: [
        "", "plaintext", "$scrypt$ln=4,r=1,p=1$AQEBAQEBAQEBAQEBAQEBAQ", "$scrypt$ln=4,r=1$AQEBAQEBAQEBAQEBAQEBAQ$AQEBAQEBAQEBAQEBAQEBAQ",
        "$scrypt$ln=25,r=8,p=1$AQEBAQEBAQEBAQEBAQEBAQ$AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE",
        "$scrypt$ln=4,r=1,p=1,p=2$AQEBAQEBAQEBAQEBAQEBAQ$AQEBAQEBAQEBAQEBAQEBAQ", "$scrypt$ln=4,r=1,p=1$!!$AQEBAQEBAQEBAQEBAQEBAQ",
        "$pbkdf2-sha256$29000$AQEB$AQEB",
    ])
    func malformedHashesNeverVerify(stored: String) {
        #expect(!Fixture.hasher.verify("anything", against: stored))
    }

    private func policy(_ edit: (inout SecurityPolicy) -> Void = { _ in }) -> PasswordPolicy {
        var rules = SecurityPolicy()
        edit(&rules)
        return PasswordPolicy(rules)
    }

    @Test("length: shorter than the minimum is refused, the minimum is accepted")
    func lengthRule() {
        let account = Account(name: "bob")
        #expect(policy().violations(of: "Abcdefgh1!x", for: account, hasher: Fixture.hasher) == [.tooShort(minimum: 12)])
        #expect(policy().violations(of: "Abcdefgh1!xy", for: account, hasher: Fixture.hasher) == [])
        #expect(policy().violations(of: String(repeating: "Aa1!", count: 300), for: account, hasher: Fixture.hasher) == [.tooLong(maximum: 1024)])
    }

    @Test("classes: too few character classes are refused; non-ASCII counts as 'other'")
    func classesRule() {
        let account = Account(name: "bob")
        #expect(policy().violations(of: "alllowercase1", for: account, hasher: Fixture.hasher) == [.tooFewCharacterClasses(required: 3, found: 2)])
        #expect(policy { $0.passwordRequiredClasses = 4 }.violations(of: "Upper-and-lower", for: account, hasher: Fixture.hasher)
                == [.tooFewCharacterClasses(required: 4, found: 3)])
        #expect(PasswordPolicy.characterClasses(in: "pässwörd日本") == 2)
        #expect(PasswordPolicy.characterClasses(in: "aB3$") == 4)
    }

    @Test("a password containing the account name, in any case, is refused")
    func accountNameRule() {
        #expect(policy().violations(of: "My-ALICE-pass-1", for: Account(name: "alice"), hasher: Fixture.hasher) == [.containsAccountName])
        #expect(policy().violations(of: "My-AL-pass-12", for: Account(name: "al"), hasher: Fixture.hasher) == [])
    }

    @Test("history: the current and the last N passwords are refused, older ones accepted")
    func historyRule() {
        var account = Account(name: "bob", passwordHash: Fixture.hash("Current-Pass-1"))
        account.passwordHistory = ["Old-Pass-One-1", "Old-Pass-Two-2", "Old-Pass-Three-3"].enumerated().map {
            Fixture.hash($0.element, saltByte: UInt8($0.offset + 10))
        }
        let depth2 = policy { $0.passwordHistoryDepth = 2 }
        #expect(depth2.violations(of: "Current-Pass-1", for: account, hasher: Fixture.hasher) == [.reused(depth: 2)])
        #expect(depth2.violations(of: "Old-Pass-Two-2", for: account, hasher: Fixture.hasher) == [.reused(depth: 2)])
        #expect(depth2.violations(of: "Old-Pass-Three-3", for: account, hasher: Fixture.hasher) == [])
        #expect(policy { $0.passwordHistoryDepth = 0 }.violations(of: "Current-Pass-1", for: account, hasher: Fixture.hasher) == [])
    }

    @Test("expiry: never by default; after N days must change; after the grace period expired; unknown age must change")
    func expiryRule() {
        let day: Int64 = 86_400
        let account = Account(name: "bob", passwordHash: Fixture.hash("x"), passwordChangedAt: 1_000 * day)
        #expect(!policy().mustChange(account, now: 5_000 * day))
        let ninety = policy { $0.passwordExpiryDays = 90; $0.passwordExpiryGraceDays = 10 }
        #expect(!ninety.mustChange(account, now: 1_090 * day - 1))
        #expect(ninety.mustChange(account, now: 1_090 * day))
        #expect(!ninety.isExpiredBeyondGrace(account, now: 1_100 * day - 1))
        #expect(ninety.isExpiredBeyondGrace(account, now: 1_100 * day))
        #expect(ninety.mustChange(Account(name: "new", passwordHash: Fixture.hash("x")), now: 0))
    }
}
