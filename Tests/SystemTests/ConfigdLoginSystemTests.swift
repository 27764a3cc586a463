import ApplianceProtocol
import ConfigDaemon
import ApplianceCore
import Configuration
import Foundation
import Glibc
import Testing

/// configd's sign-in throttle and API tokens under procmon, over the real
/// control socket: what the outside review reproduced against a running box.
@Suite(.serialized) struct ConfigdLoginSystemTests {
    static let adminPassword = ConfigdSystemTests.adminPassword
    static let ottoPassword = "Green-Harbour-17"
    static let adminKeyBlob = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"

    static func web(_ address: String, port: Int = 40_000) -> RequestOrigin {
        address.contains(":") ? RequestOrigin(channel: "web", peer: "[\(address)]:\(port)") : RequestOrigin(channel: "web", peer: "\(address):\(port)")
    }

    static func signIn(_ client: ControlClient, _ name: String, _ password: String, from origin: RequestOrigin) async throws -> ConfigdMethod.Login {
        try await client.call(ConfigdMethod.Authenticate.self, .init(name: name, password: password, origin: origin))
    }

    /// An operator `otto` with a password, made by the console administrator.
    static func makeOtto(_ client: ControlClient) async throws {
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account otto role operator"]))
        _ = try await client.call(ConfigdMethod.SetPassword.self, .init(account: "otto", newPassword: ottoPassword))
    }

    /// The review's reproduction: five wrong web sign-ins for `admin` from
    /// one address. That address is throttled, but admin still signs in from
    /// another address, and its ssh key is still found and opens a session.
    @Test func wrongSignInsFromOneSourceLeaveAdminFreeFromAnotherAndByKey() async throws {
        let harness = try ConfigdSystemTests.start()
        defer { harness.stop() }
        let client = ConfigdSystemTests.configd(harness)
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account admin ssh-key \"ssh-ed25519 \(Self.adminKeyBlob) admin@test\""]))
        for attempt in 0..<5 {
            let wrong = try await Self.signIn(client, "admin", "wrong-\(attempt)", from: Self.web("192.0.2.1", port: 40_000 + attempt))
            #expect(wrong.outcome == "bad-credentials")
        }
        let throttled = try await Self.signIn(client, "admin", Self.adminPassword, from: Self.web("192.0.2.1", port: 41_000))
        #expect(throttled.outcome == "locked" && throttled.session == nil, "the source of the failures waits: \(throttled)")
        let elsewhere = try await Self.signIn(client, "admin", Self.adminPassword, from: Self.web("198.51.100.2"))
        #expect(elsewhere.outcome == "success", "admin from another address: \(elsewhere)")
        let owner = try await client.call(ConfigdMethod.KeyOwnerLookup.self, .init(keyType: "ssh-ed25519", keyBase64: Self.adminKeyBlob))
        #expect(owner.account == "admin", "sshd's authorized-keys lookup still finds admin")
        let keyLogin = try await client.call(ConfigdMethod.OpenSession.self, .init(account: "admin", origin: .init(channel: "ssh", peer: "192.0.2.1:50022")))
        #expect(keyLogin.outcome == "success", "a key login is not refused by the throttle: \(keyLogin)")
        harness.waitUntil("throttle audited") { harness.audit.events(kind: "login-lockout").contains { $0.contains("192.0.2.1") } }
    }

    /// The review's reproduction through webd: five wrong web sign-ins for
    /// admin from 127.0.0.1 leave admin able to sign in from 127.0.0.2 (curl
    /// binds that source address; webd hands configd the client's address,
    /// configd throttles by it).
    @Test func fiveWrongWebSignInsFromOneAddressLeaveAdminFreeFromAnother() throws {
        let harness = try WebdSystemTests.start()
        defer { harness.stop() }
        func signIn(from address: String, _ password: String) throws -> String {
            let result = try WebdSystemTests.curl(["-k", "--interface", address, "-o", "/dev/null", "-w", "%{http_code}", "-H", "Content-Type: application/json",
                                                   "--data", #"{"account":"admin","password":"\#(password)"}"#,
                                                   WebdSystemTests.url("/api/v1/session")])
            #expect(result.code == 0, "\(result.error)")
            return result.output
        }
        for attempt in 0..<5 {
            #expect(try signIn(from: "127.0.0.1", "wrong-\(attempt)") != "200")
        }
        #expect(try signIn(from: "127.0.0.1", WebdSystemTests.password) != "200", "the address of the failures waits")
        #expect(try signIn(from: "127.0.0.2", WebdSystemTests.password) == "200", "admin signs in from another address")
    }

    /// `lockout 0` ("until an administrator unlocks") never locks the last
    /// admin: the account is not flagged locked, another address and the
    /// ssh key still get in.
    @Test func lockoutZeroNeverLocksTheLastAdmin() async throws {
        let harness = try ConfigdSystemTests.start()
        defer { harness.stop() }
        let client = ConfigdSystemTests.configd(harness)
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["security login max-failures 3 lockout 0",
                                                                              "account admin ssh-key \"ssh-ed25519 \(Self.adminKeyBlob) admin@test\""]))
        for attempt in 0..<6 {
            _ = try await Self.signIn(client, "admin", "wrong-\(attempt)", from: Self.web("192.0.2.1"))
        }
        let text = try await client.call(ConfigdMethod.Get.self, .init()).text
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("account admin ") && $0.hasSuffix(" locked") }, "admin is not flagged locked:\n\(text)")
        let startup = try await client.call(ConfigdMethod.Get.self, .init(startup: true)).text
        #expect(!startup.contains(" locked"), "nor in startup-config")
        #expect(try await Self.signIn(client, "admin", Self.adminPassword, from: Self.web("2001:db8::5")).outcome == "success")
        #expect(try await client.call(ConfigdMethod.KeyOwnerLookup.self, .init(keyType: "ssh-ed25519", keyBase64: Self.adminKeyBlob)).account == "admin")
    }

    /// An administrator's unlock (`no account NAME locked`), a role change
    /// and a password reset each lift the throttle of every address at once.
    @Test func unlockRoleChangeAndPasswordResetClearTheThrottleAtOnce() async throws {
        let harness = try ConfigdSystemTests.start()
        defer { harness.stop() }
        let client = ConfigdSystemTests.configd(harness)
        try await Self.makeOtto(client)
        var password = Self.ottoPassword
        let resets: [(String, (ControlClient) async throws -> String?)] = [
            ("unlock", { client in _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["no account otto locked"])); return nil }),
            ("role change", { client in _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account otto role viewer"])); return nil }),
            ("password reset", { client in
                _ = try await client.call(ConfigdMethod.SetPassword.self, .init(account: "otto", newPassword: "Purple-Meadow-58"))
                return "Purple-Meadow-58"
            }),
        ]
        for (what, reset) in resets {
            for _ in 0..<5 { _ = try await Self.signIn(client, "otto", "wrong", from: Self.web("192.0.2.1")) }
            let before = try await Self.signIn(client, "otto", password, from: Self.web("192.0.2.1"))
            #expect(before.outcome == "locked", "throttled before the \(what)")
            if let changed = try await reset(client) { password = changed }
            let after = try await Self.signIn(client, "otto", password, from: Self.web("192.0.2.1"))
            #expect(after.outcome == "success", "after the \(what): \(after)")
        }
    }

    /// set-password with a wrong current password counts as a failed
    /// sign-in from the caller's address: five of them throttle that address
    /// for sign-ins and for further password changes.
    @Test func aWrongCurrentPasswordInSetPasswordCountsTowardTheThrottle() async throws {
        let harness = try ConfigdSystemTests.start()
        defer { harness.stop() }
        let client = ConfigdSystemTests.configd(harness)
        try await Self.makeOtto(client)
        let origin = Self.web("192.0.2.9")
        let session = try #require(try await Self.signIn(client, "otto", Self.ottoPassword, from: origin).session)
        for attempt in 0..<5 {
            await #expect(throws: ControlError(.permissionDenied, "the current password is wrong")) {
                try await client.call(ConfigdMethod.SetPassword.self, .init(session: session, currentPassword: "guess-\(attempt)", newPassword: "Orange-Valley-93", origin: origin))
            }
        }
        let signIn = try await Self.signIn(client, "otto", Self.ottoPassword, from: origin)
        #expect(signIn.outcome == "locked", "the guesses throttle the address: \(signIn)")
        await #expect(throws: ControlError.self, "the right current password waits too") {
            try await client.call(ConfigdMethod.SetPassword.self, .init(session: session, currentPassword: Self.ottoPassword, newPassword: "Orange-Valley-93", origin: origin))
        }
        #expect(try await Self.signIn(client, "otto", Self.ottoPassword, from: Self.web("198.51.100.2")).outcome == "success")
        harness.waitUntil("guesses audited") { harness.audit.events(kind: "login-failure").filter { $0.contains(#"name="otto""#) }.count >= 5 }
    }

    /// A local caller other than a front end (here `nobody`, holding otto's
    /// session) cannot spread its guesses of the current password over
    /// made-up client addresses: its attempts count against its uid.
    @Test(.enabled(if: getuid() == 0, "needs root to call as another uid"))
    func aLocalCallerCannotSpreadGuessesOverMadeUpAddresses() async throws {
        let harness = try ConfigdSystemTests.start()
        defer { harness.stop() }
        let client = ConfigdSystemTests.configd(harness)
        try await Self.makeOtto(client)
        let session = try #require(try await Self.signIn(client, "otto", Self.ottoPassword, from: Self.web("192.0.2.9")).session)
        chmod(harness.root, 0o755)
        let nobody = try #require(getpwnam("nobody"))
        func setPassword(current: String, peer: String) throws -> String {
            let line = #"{"id":1,"method":"set-password","params":{"session":"\#(session)","currentPassword":"\#(current)","newPassword":"Orange-Valley-93","origin":{"channel":"web","peer":"\#(peer)"}}}"#
            let script = "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b'\\n'); print(s.makefile().readline())"
            let result = try run("/usr/bin/setpriv", ["--reuid=\(nobody.pointee.pw_uid)", "--regid=\(nobody.pointee.pw_gid)", "--clear-groups", "/usr/bin/python3", "-c", script,
                                                      harness.paths.controlSocket("configd"), line])
            #expect(result.code == 0, "client as nobody failed: \(result.error)")
            return result.output
        }
        for attempt in 1...5 {
            #expect(try setPassword(current: "guess-\(attempt)", peer: "203.0.113.\(attempt):1").contains("the current password is wrong"))
        }
        let sixth = try setPassword(current: Self.ottoPassword, peer: "203.0.113.6:1")
        #expect(sixth.contains("too many wrong passwords"), "the sixth guess, from a sixth made-up address: \(sixth)")
    }

    /// A token does not come back with its account's name: create bob, make
    /// a token, delete bob, create bob again, and the old token is refused.
    @Test func aTokenDoesNotComeBackWhenTheAccountNameIsReused() async throws {
        let harness = try ConfigdSystemTests.start()
        defer { harness.stop() }
        let client = ConfigdSystemTests.configd(harness)
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account bob role operator"]))
        let secret = try await client.call(ConfigdMethod.APITokenCreate.self, .init(session: nil, account: "bob", label: "old")).secret
        #expect(try await client.call(ConfigdMethod.SessionCheck.self, .init(session: secret)).account == "bob")
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["no account bob"]))
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account bob role operator"]))
        await #expect(throws: ControlError.self, "the old bob's token is refused for the new bob") {
            try await client.call(ConfigdMethod.SessionCheck.self, .init(session: secret))
        }
        #expect(try await client.call(ConfigdMethod.APITokenList.self, .init(session: nil)).isEmpty, "and it is gone from the list")
    }

    /// A revert to startup-config that brings a deleted account's name back
    /// does not bring its tokens; nor does a restart that forgets an unsaved
    /// account before the name is made again.
    @Test func aRevertOrRestartDoesNotBringBackADeletedAccountsTokens() async throws {
        let harness = try ConfigdSystemTests.start()
        defer { harness.stop() }
        let client = ConfigdSystemTests.configd(harness)
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account bob role operator"]))
        _ = try await client.call(ConfigdMethod.Save.self, .init())
        let bobs = try await client.call(ConfigdMethod.APITokenCreate.self, .init(session: nil, account: "bob", label: "saved-bob")).secret
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["no account bob"]))
        _ = try await client.call(ConfigdMethod.Revert.self, .init())
        #expect(try await client.call(ConfigdMethod.Get.self, .init()).text.contains("account bob role operator"), "the revert brought bob back")
        await #expect(throws: ControlError.self, "but not bob's token") {
            try await client.call(ConfigdMethod.SessionCheck.self, .init(session: bobs))
        }

        // An unsaved account and its token; configd restarts and forgets the account.
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account carol role operator"]))
        let carols = try await client.call(ConfigdMethod.APITokenCreate.self, .init(session: nil, account: "carol", label: "unsaved-carol")).secret
        let pid = try #require(harness.running("configd")?.pid)
        kill(pid, SIGKILL)
        harness.waitUntil("configd back") { (harness.running("configd")?.pid).map { $0 != pid } ?? false }
        harness.waitUntil("configd answers") { (try? client.callBlocking(ConfigdMethod.Status.self, NoValue())) != nil }
        _ = try await client.call(ConfigdMethod.Apply.self, .init(commands: ["account carol role operator"]))
        await #expect(throws: ControlError.self, "a new carol does not inherit the forgotten carol's token") {
            try await client.call(ConfigdMethod.SessionCheck.self, .init(session: carols))
        }
    }
}
