import TestSupport
import Testing
@testable import SNMP

/// The system group plus a table of `rows` rows × 3 columns under
/// 1.3.6.1.4.1.32473.1.1.1 (an example enterprise entry), index = row number.
private func makeView(rows: Int) throws -> (MIBView, [VarBind]) {
    let system = SystemGroup(description: "Broadcast encoder", objectID: [1, 3, 6, 1, 4, 1, 32473, 2],
                             contact: "noc@example.net", name: "enc-1", location: "rack 4").source { 4200 }
    let entry: OID = [1, 3, 6, 1, 4, 1, 32473, 1, 1, 1]
    let tableRows: [TableSource.Row] = (1...rows).reversed().map { (index: Int) -> TableSource.Row in
        let name: SNMPValue = .octetString(Array("stream \(index)".utf8))
        let octets: SNMPValue? = index % 2 == 0 ? SNMPValue.counter64(UInt64(index) << 33) : nil
        return TableSource.Row(index: [UInt32(index)], values: [SNMPValue.integer(Int32(index)), name, octets])
    }
    let table = try TableSource(entry: entry, columns: [1, 2, 5], rows: tableRows)
    // The full walk order: system scalars, then the table column by column.
    var expected: [VarBind] = []
    var cursor: OID = [1, 3, 6, 1, 2, 1, 1]
    while let next = system.next(after: cursor) { expected.append(next); cursor = next.name }
    for (position, column) in [UInt32(1), 2, 5].enumerated() {
        for index in 1...rows {
            guard let value = tableRows[rows - index].values[position] else { continue }
            expected.append(VarBind(entry.appending(column, UInt32(index)), value))
        }
    }
    return (try MIBView([table, system]), expected)
}

@Suite("MIB view and request responder")
struct MIBViewTests {
    @Test("Get answers values, noSuchInstance for a missing instance of a known object, noSuchObject elsewhere")
    func getExceptions() throws {
        let (view, _) = try makeView(rows: 10)
        let responder = RequestResponder(view: view)
        let names: [OID] = [
            [1, 3, 6, 1, 2, 1, 1, 5, 0],         // sysName.0
            [1, 3, 6, 1, 2, 1, 1, 5, 1],         // sysName.1: no such instance
            [1, 3, 6, 1, 2, 1, 1, 5],            // the object itself, not an instance
            [1, 3, 6, 1, 2, 1, 1, 99, 0],        // no such object in the group
            [1, 3, 6, 1, 2, 1, 2, 1, 0],         // outside every source
            [1, 3, 6, 1, 4, 1, 32473, 1, 1, 1, 2, 7],   // table cell
            [1, 3, 6, 1, 4, 1, 32473, 1, 1, 1, 2, 70],  // row that does not exist
            [1, 3, 6, 1, 4, 1, 32473, 1, 1, 1, 5, 7],   // sparse cell (odd rows have no column 5)
            [1, 3, 6, 1, 4, 1, 32473, 1, 1, 1, 3, 1],   // column that does not exist
        ]
        let response = responder.respond(to: PDU(type: .getRequest, requestID: 5, varBinds: names.map { VarBind($0) }), varBindBudget: 10_000)
        #expect(response.type == .response && response.requestID == 5 && response.errorStatus == 0)
        #expect(response.varBinds.map(\.value) == [
            .octetString(Array("enc-1".utf8)), .noSuchInstance, .noSuchInstance, .noSuchObject, .noSuchObject,
            .octetString(Array("stream 7".utf8)), .noSuchInstance, .noSuchInstance, .noSuchObject,
        ])
        #expect(response.varBinds.map(\.name) == names)
    }

    @Test("a 10 000-row table is walked completely and in order by repeated GetNext")
    func getNextWalk() throws {
        let (view, expected) = try makeView(rows: 10_000)
        let responder = RequestResponder(view: view)
        var walked: [VarBind] = []
        var cursor: OID = [1, 3, 6, 1]
        while true {
            let response = responder.respond(to: PDU(type: .getNextRequest, requestID: 1, varBinds: [VarBind(cursor)]), varBindBudget: 1_400)
            let binding = response.varBinds[0]
            if binding.value == .endOfMibView { break }
            #expect(binding.name > cursor)
            walked.append(binding)
            cursor = binding.name
        }
        #expect(walked.count == 7 + 10_000 * 2 + 5_000)
        #expect(walked == expected)
    }

    @Test("the same table is walked completely by GetBulk within a 1400-octet budget")
    func getBulkWalk() throws {
        let (view, expected) = try makeView(rows: 10_000)
        let responder = RequestResponder(view: view)
        var walked: [VarBind] = []
        var cursor: OID = [1, 3, 6, 1]
        var requests = 0
        walk: while true {
            requests += 1
            let request = PDU.getBulk(requestID: Int32(requests), nonRepeaters: 0, maxRepetitions: 50, varBinds: [VarBind(cursor)])
            let response = responder.respond(to: request, varBindBudget: 1_400)
            #expect(response.errorStatus == 0 && !response.varBinds.isEmpty)
            #expect(response.varBinds.reduce(0) { $0 + $1.encodedLength } <= 1_400)
            for binding in response.varBinds {
                if binding.value == .endOfMibView { break walk }
                walked.append(binding)
                cursor = binding.name
            }
        }
        #expect(walked == expected)
        #expect(requests < expected.count / 20)  // many varbinds per request, not one
    }

    @Test("GetBulk: non-repeaters once, repeaters max-repetitions times, endOfMibView past the end (RFC 3416 §4.2.3)")
    func getBulkShape() throws {
        let (view, _) = try makeView(rows: 3)
        let responder = RequestResponder(view: view)
        let entry: OID = [1, 3, 6, 1, 4, 1, 32473, 1, 1, 1]
        let request = PDU.getBulk(requestID: 9, nonRepeaters: 1, maxRepetitions: 4, varBinds: [
            VarBind([1, 3, 6, 1, 2, 1, 1, 3]),   // non-repeater: sysUpTime.0
            VarBind(entry.appending(1)),          // column 1 from its start
            VarBind(entry.appending(5, 3)),       // past the last of column 5: the end of the view
        ])
        let response = responder.respond(to: request, varBindBudget: 10_000)
        #expect(response.varBinds.map(\.name) == [
            [1, 3, 6, 1, 2, 1, 1, 3, 0],
            entry.appending(1, 1), entry.appending(5, 3),
            entry.appending(1, 2), entry.appending(5, 3),
            entry.appending(1, 3), entry.appending(5, 3),
            entry.appending(2, 1), entry.appending(5, 3),
        ])
        #expect(response.varBinds[0].value == .timeTicks(4200))
        #expect(response.varBinds.enumerated().filter { $0.offset >= 2 && $0.offset % 2 == 0 }.allSatisfy { $0.element.value == .endOfMibView })
    }

    @Test("GetBulk truncates repetitions to the size budget; max-repetitions 0 gives only the non-repeaters")
    func getBulkBudget() throws {
        let (view, _) = try makeView(rows: 100)
        let responder = RequestResponder(view: view)
        let start = VarBind([1, 3, 6, 1, 4, 1, 32473, 1, 1, 1, 1])
        let full = responder.respond(to: .getBulk(requestID: 1, nonRepeaters: 0, maxRepetitions: 30, varBinds: [start]), varBindBudget: 65_000)
        #expect(full.varBinds.count == 30)
        let size = full.varBinds.prefix(10).reduce(0) { $0 + $1.encodedLength }
        let capped = responder.respond(to: .getBulk(requestID: 1, nonRepeaters: 0, maxRepetitions: 30, varBinds: [start]), varBindBudget: size)
        #expect(capped.varBinds == Array(full.varBinds.prefix(10)))
        let none = responder.respond(to: .getBulk(requestID: 1, nonRepeaters: 5, maxRepetitions: 0, varBinds: [start]), varBindBudget: 65_000)
        #expect(none.varBinds.count == 1)
        let negative = responder.respond(to: .getBulk(requestID: 1, nonRepeaters: -3, maxRepetitions: -1, varBinds: [start]), varBindBudget: 65_000)
        #expect(negative.varBinds.isEmpty && negative.errorStatus == 0)
        let bounded = RequestResponder(view: view, maximumBulkVarBinds: 7)
            .respond(to: .getBulk(requestID: 1, nonRepeaters: 0, maxRepetitions: Int32.max, varBinds: [start]), varBindBudget: 65_000)
        #expect(bounded.varBinds.count == 7)
    }

    @Test("a Get whose response does not fit is tooBig with no varbinds (RFC 3416 §4.2.1)")
    func getTooBig() throws {
        let (view, _) = try makeView(rows: 10)
        let response = RequestResponder(view: view).respond(
            to: PDU(type: .getRequest, requestID: 3, varBinds: [VarBind([1, 3, 6, 1, 2, 1, 1, 1, 0])]), varBindBudget: 10)
        #expect(response.errorStatus == ErrorStatus.tooBig.rawValue && response.errorIndex == 0 && response.varBinds.isEmpty)
    }

    @Test("a Set is refused with noAccess on the first varbind: the agent is read-only")
    func setRefused() throws {
        let (view, _) = try makeView(rows: 1)
        let request = PDU(type: .setRequest, requestID: 8, varBinds: [VarBind([1, 3, 6, 1, 2, 1, 1, 5, 0], .octetString([0x78]))])
        let response = RequestResponder(view: view).respond(to: request, varBindBudget: 1_000)
        #expect(response.errorStatus == ErrorStatus.noAccess.rawValue && response.errorIndex == 1 && response.varBinds == request.varBinds)
    }

    @Test("overlapping subtrees, duplicate indices and ragged rows are refused")
    func invalidSources() throws {
        let system = SystemGroup(description: "", objectID: [1, 3], contact: "", name: "", location: "").source { 0 }
        let inner = ScalarGroupSource(subtree: [1, 3, 6, 1, 2, 1, 1, 9], scalars: [:])
        #expect(throws: MIBView.Problem.overlappingSubtrees([1, 3, 6, 1, 2, 1, 1], [1, 3, 6, 1, 2, 1, 1, 9])) {
            try MIBView([inner, system])
        }
        #expect(throws: TableSource.Problem.duplicateIndex([1])) {
            try TableSource(entry: [1, 3, 9], columns: [1], rows: [.init(index: [1], values: [.null]), .init(index: [1], values: [.null])])
        }
        #expect(throws: TableSource.Problem.rowWidth(index: [1], expected: 2, found: 1)) {
            try TableSource(entry: [1, 3, 9], columns: [1, 2], rows: [.init(index: [1], values: [.null])])
        }
    }

    @Test("GetNext from arbitrary OIDs matches a linear scan of the sorted instances")
    func getNextMatchesLinearScan() throws {
        let (view, expected) = try makeView(rows: 50)
        var generator = SeededGenerator(seed: 11)
        let probes: [OID] = expected.map(\.name) + (0..<500).map { _ in
            let base = expected[Int(generator.next() % UInt64(expected.count))].name.components
            let cut = Int(generator.next() % UInt64(base.count - 1)) + 2
            return OID(Array(base.prefix(cut)) + (generator.next() % 2 == 0 ? [UInt32(generator.next() % 60)] : [])) ?? .zeroDotZero
        } + [.zeroDotZero, [2, 0], [1, 3, 6, 1, 4, 1, 32473, 1, 1, 1], [1, 3, 6, 1, 4, 1, 32473, 1, 1, 2]]
        for probe in probes {
            #expect(view.next(after: probe) == expected.first { $0.name > probe }, "after \(probe)")
        }
    }
}
