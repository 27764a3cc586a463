import ApplianceCore
import ApplianceProtocol
import Configuration
import Glibc
import Testing
import TestSupport

/// The permission tables are data (`<Daemon>Access.swift`), read by one
/// resolver; docs/PRIVSEP.md shows them. These tests walk every method ×
/// every caller class and role through the resolver and compare what it
/// does with what the document says.
@Suite struct AccessTableTests {
    static let repository: String = {
        var parts = String(#filePath).split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)
        return parts.joined(separator: "/")
    }()
    static let privsep = repository + "/docs/PRIVSEP.md"
    static let begin = "<!-- access tables: generated from Sources/ApplianceProtocol/*Access.swift; ACCESS_TABLES_WRITE=1 swift test --filter AccessTableTests rewrites it -->"
    static let end = "<!-- end of access tables -->"

    static func read(_ path: String) throws -> String {
        guard let text = readTextFile(path) else { throw ControlError(.failed, "cannot open \(path)") }
        return text
    }

    /// `text` without the leading and trailing characters in `set`.
    static func trimmed(_ text: Substring, _ set: Set<Character>) -> String {
        var text = text
        while let first = text.first, set.contains(first) { text.removeFirst() }
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }

    static func documentedBlock() throws -> (text: String, before: String, after: String) {
        let document = try read(privsep)
        guard let start = document.firstRange(of: begin), let stop = document.firstRange(of: end) else {
            Issue.record("docs/PRIVSEP.md has no generated access tables block")
            return ("", document, "")
        }
        let text = Self.trimmed(document[start.upperBound..<stop.lowerBound], ["\n"])
        return (text, String(document[..<start.upperBound]), String(document[stop.lowerBound...]))
    }

    /// The document's block is what the tables render; with ACCESS_TABLES_WRITE=1 the test rewrites it.
    @Test func theDocumentShowsTheTablesTheDaemonsUse() throws {
        let block = try Self.documentedBlock()
        let generated = AccessTables.markdown()
        if getenv("ACCESS_TABLES_WRITE") != nil, block.text != generated {
            let file = fopen(Self.privsep, "w")
            fputs(block.before + "\n" + generated + "\n" + block.after, file)
            fclose(file)
            return
        }
        #expect(block.text == generated, "docs/PRIVSEP.md's access tables differ from the code: run ACCESS_TABLES_WRITE=1 swift test --filter AccessTableTests")
    }

    // A system with one uid per caller class.
    static let own: UInt32 = 7000
    static let serviceUIDs: [UInt32: ApplianceService] = [7001: .webd, 7002: .snmpd, 7003: .sessmgrd, 7004: .auditd]
    static let resolver = CallerResolver(ownUID: own, services: serviceUIDs)

    static func caller(_ callerClass: CallerClass) -> PeerCredentials {
        let uid: UInt32 = switch callerClass {
        case .privileged: own
        case .service(let service): serviceUIDs.first { $0.value == service }!.key
        case .other: 7100
        }
        return PeerCredentials(pid: 1, uid: uid, gid: uid)
    }

    /// Parses the document's tables: daemon → method → column → permitted.
    static func documentedCells() throws -> [String: [String: [String: Bool]]] {
        var tables: [String: [String: [String: Bool]]] = [:]
        var daemon: String?
        var columns: [String] = []
        for line in try documentedBlock().text.split(separator: "\n") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { Self.trimmed($0, [" "]) }
            guard let first = cells.first, cells.count > 1 else { continue }
            if first.hasPrefix("`") {
                guard let daemon else { continue }
                let method = Self.trimmed(first[...], ["`"])
                var row: [String: Bool] = [:]
                for (column, cell) in zip(columns, cells.dropFirst()) { row[column] = cell.hasPrefix("✓") }
                tables[daemon, default: [:]][method] = row
            } else if !first.hasPrefix("---") {
                daemon = first
                columns = Array(cells.dropFirst())
            }
        }
        return tables
    }

    /// Every method × caller class × role: what the resolver lets through is
    /// what the document says, cell by cell.
    @Test func everyMethodAndCallerBehavesAsTheDocumentSays() throws {
        let documented = try Self.documentedCells()
        #expect(Set(documented.keys) == Set(AccessTables.all.map(\.daemon)))
        var cellsChecked = 0
        for table in AccessTables.all {
            #expect(Set(documented[table.daemon]?.keys ?? [:].keys) == Set(table.methods), "\(table.daemon): methods")
            for method in table.methods {
                let row = documented[table.daemon]?[method] ?? [:]
                let anyRole = Role.allCases.contains { row["\($0.rawValue) session"] == true }
                for callerClass in CallerClass.all {
                    let permitted = (try? Self.resolver.authorize(method, in: table, caller: Self.caller(callerClass), session: nil)) != nil
                    #expect(permitted == row[callerClass.description], "\(table.daemon) \(method) from \(callerClass)")
                    // The check made before decoding: the caller itself, or possibly its session.
                    let gate = Self.resolver.gate(table, method).permits(Self.caller(callerClass))
                    #expect(gate == (anyRole || row[callerClass.description] == true), "\(table.daemon) \(method) gate for \(callerClass)")
                    cellsChecked += 1
                }
                for role in Role.allCases {
                    let session = ConfigdMethod.SessionInfo(account: "someone", role: role, mustChangePassword: false)
                    let permitted = (try? Self.resolver.authorize(method, in: table, caller: Self.caller(.other), session: session)) != nil
                    #expect(permitted == row["\(role.rawValue) session"], "\(table.daemon) \(method) for a \(role.rawValue) session")
                    cellsChecked += 1
                }
            }
        }
        #expect(cellsChecked == AccessTables.all.reduce(0) { $0 + $1.methods.count } * (CallerClass.all.count + Role.allCases.count))
    }

    /// Every control method of every daemon's protocol has a row (a route
    /// registered from a table without one stops the daemon at start).
    @Test func everyMethodOfEveryProtocolHasARule() {
        let methods: [String: [any ControlMethod.Type]] = [
            "procmon": [ProcmonMethod.Processes.self, ProcmonMethod.Start.self, ProcmonMethod.Stop.self, ProcmonMethod.Restart.self,
                        ProcmonMethod.RealtimeThread.self, ProcmonMethod.Log.self, ProcmonMethod.NetworkProcesses.self],
            "configd": [ConfigdMethod.Get.self, ConfigdMethod.Watch.self, ConfigdMethod.Authenticate.self, ConfigdMethod.SessionCheck.self,
                        ConfigdMethod.Logout.self, ConfigdMethod.Apply.self, ConfigdMethod.Save.self, ConfigdMethod.Revert.self,
                        ConfigdMethod.Diff.self, ConfigdMethod.SetPassword.self, ConfigdMethod.OpenSession.self,
                        ConfigdMethod.KeyOwnerLookup.self, ConfigdMethod.APITokenCreate.self, ConfigdMethod.APITokenList.self,
                        ConfigdMethod.APITokenRevoke.self, ConfigdMethod.Status.self],
            "auditd": [AuditdMethod.Query.self, AuditdMethod.Status.self],
            "sessmgrd": [SessmgrdMethod.List.self, SessmgrdMethod.Status.self, SessmgrdMethod.Start.self, SessmgrdMethod.Stop.self],
            "shaper": [ShaperMethod.Shape.self, ShaperMethod.Unshape.self, ShaperMethod.Reset.self, ShaperMethod.Status.self],
            "webd": [WebdMethod.Status.self, WebdMethod.CurrentCertificate.self, WebdMethod.CertificateInstall.self],
            "snmpd": [SnmpdMethod.Status.self],
        ]
        for table in AccessTables.all {
            #expect(Set(methods[table.daemon]?.map { $0.name } ?? []) == Set(table.methods), "\(table.daemon)")
        }
    }

    /// A refusal before decoding names who may call (ControlServer's message).
    @Test func theGateSaysWhoMayCall() {
        #expect(Self.resolver.gate(ProcmonAccess.table, ProcmonMethod.Stop.name).description == "root or uid 7000")
        #expect(Self.resolver.gate(ConfigdAccess.table, ConfigdMethod.SessionCheck.name).description
                == "root, uid 7000, appliance-web, appliance-sessmgr or appliance-audit")
        #expect(Self.resolver.gate(AuditdAccess.table, AuditdMethod.Query.name).description == "root, uid 7000, appliance-web or a session of admin")
        #expect(Self.resolver.gate(ProcmonAccess.table, ProcmonMethod.Processes.name).description == "anyone")
    }

    /// A session decides when one is presented, even from root; an expired
    /// password stops it; a refusal says what is needed.
    @Test func aPresentedSessionDecidesAndARefusalSaysWhatIsNeeded() throws {
        let viewer = ConfigdMethod.SessionInfo(account: "val", role: .viewer, mustChangePassword: false)
        #expect(throws: ControlError.self) {
            try Self.resolver.authorize(SessmgrdMethod.Start.name, in: SessmgrdAccess.table, caller: Self.caller(.privileged), session: viewer)
        }
        do {
            _ = try Self.resolver.authorize(SessmgrdMethod.Start.name, in: SessmgrdAccess.table, caller: Self.caller(.other), session: viewer)
        } catch {
            #expect(error.message == "starting and stopping streams needs the role admin or operator; val is viewer")
        }
        do {
            _ = try Self.resolver.authorize(AuditdMethod.Query.name, in: AuditdAccess.table, caller: Self.caller(.other), session: nil)
        } catch {
            #expect(error.message == "reading the audit log needs a session (sign in first)")
        }
        let expired = ConfigdMethod.SessionInfo(account: "ada", role: .admin, mustChangePassword: true)
        #expect(throws: ControlError.self) {
            try Self.resolver.authorize(AuditdMethod.Query.name, in: AuditdAccess.table, caller: Self.caller(.other), session: expired)
        }
        #expect(try Self.resolver.authorize(AuditdMethod.Query.name, in: AuditdAccess.table, caller: PeerCredentials(pid: 1, uid: 0, gid: 0),
                                            session: nil) == .console("root"))
    }
}
