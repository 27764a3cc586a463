/// Answers read requests from a `MIBView` (RFC 3416 §4.2.1-4.2.5): the
/// command responder's PDU-level logic, with access control already applied
/// by the choice of view. This agent is read-only.
public struct RequestResponder: Sendable {
    /// The view the requesting user may read.
    public var view: MIBView

    /// The most varbinds a GetBulk response holds whatever the size budget,
    /// bounding the work one request can cause (RFC 3416 §4.2.3 lets an
    /// agent return fewer repetitions than asked).
    public var maximumBulkVarBinds: Int

    public init(view: MIBView, maximumBulkVarBinds: Int = 10_000) {
        self.view = view
        self.maximumBulkVarBinds = maximumBulkVarBinds
    }

    /// The Response-PDU for `request`. `varBindBudget` is how many octets of
    /// encoded varbinds fit in a response message (see `varBindBudget`).
    public func respond(to request: PDU, varBindBudget: Int) -> PDU {
        switch request.type {
        case .getRequest:
            return fitted(request, request.varBinds.map { VarBind($0.name, view.get($0.name).responseValue) }, budget: varBindBudget)
        case .getNextRequest:
            return fitted(request, request.varBinds.map { nextBinding(after: $0.name) }, budget: varBindBudget)
        case .getBulkRequest:
            return getBulk(request, budget: varBindBudget)
        case .setRequest:
            // RFC 3416 §4.2.5 step 1: no variable is in a write view → noAccess
            // on the first varbind; the varbinds are returned as received.
            let status: ErrorStatus = request.varBinds.isEmpty ? .noError : .noAccess
            return .response(to: request, status: status, index: request.varBinds.isEmpty ? 0 : 1, varBinds: request.varBinds)
        case .response, .informRequest, .snmpV2Trap, .report:
            // Not requests to a command responder; the caller counts these
            // in snmpUnknownPDUHandlers before reaching here.
            return .response(to: request, status: .genErr, index: 0, varBinds: request.varBinds)
        }
    }

    /// GetNext of one name: the next instance, or endOfMibView at the end.
    private func nextBinding(after name: OID) -> VarBind {
        view.next(after: name) ?? VarBind(name, .endOfMibView)
    }

    /// RFC 3416 §4.2.1 / §4.2.2: a response that does not fit becomes tooBig
    /// with error-index 0 and no varbinds.
    private func fitted(_ request: PDU, _ varBinds: [VarBind], budget: Int) -> PDU {
        let size = varBinds.reduce(0) { $0 + $1.encodedLength }
        guard size <= budget else { return .response(to: request, status: .tooBig, index: 0, varBinds: []) }
        return .response(to: request, varBinds: varBinds)
    }

    /// GetBulk (RFC 3416 §4.2.3): N non-repeaters get one GetNext each; the
    /// R repeaters get up to M rounds, each continuing from the previous
    /// round's result. Rounds stop early when every repeater has reached
    /// endOfMibView, and varbinds that would not fit are left out (whole
    /// rounds' tails first) rather than answering tooBig.
    private func getBulk(_ request: PDU, budget: Int) -> PDU {
        let count = request.varBinds.count
        let nonRepeaters = min(max(Int(request.nonRepeaters), 0), count)
        let maxRepetitions = max(Int(request.maxRepetitions), 0)
        var result: [VarBind] = []
        var used = 0
        for binding in request.varBinds.prefix(nonRepeaters) {
            let next = nextBinding(after: binding.name)
            used += next.encodedLength
            result.append(next)
        }
        // The non-repeaters must all fit, or the answer is tooBig.
        guard used <= budget else { return .response(to: request, status: .tooBig, index: 0, varBinds: []) }
        var cursors = request.varBinds.dropFirst(nonRepeaters).map(\.name)
        var finished = [Bool](repeating: false, count: cursors.count)
        rounds: for _ in 0..<maxRepetitions {
            if finished.allSatisfy({ $0 }) { break }
            for column in cursors.indices {
                let next = finished[column] ? VarBind(cursors[column], .endOfMibView) : nextBinding(after: cursors[column])
                let size = next.encodedLength
                guard used + size <= budget, result.count < maximumBulkVarBinds else { break rounds }
                used += size
                result.append(next)
                if next.value == .endOfMibView { finished[column] = true } else { cursors[column] = next.name }
            }
        }
        return .response(to: request, varBinds: result)
    }
}

extension USMEngine {
    /// How many octets of encoded varbinds fit in the Response to `request`:
    /// the smaller of the manager's msgMaxSize and ours, less the response's
    /// encoding without varbinds and a margin for length fields that grow
    /// (five enclosing lengths, each up to two octets longer). Throws only
    /// if the user's privacy key cannot encrypt, as `encodeResponse` would.
    public func varBindBudget(for request: AuthenticatedRequest, engine: EngineSnapshot) throws(USMPrivacy.Failure) -> Int {
        let limit = Int(min(request.header.maxSize, maxMessageSize))
        let empty = PDU(type: .response, requestID: request.scopedPDU.pdu.requestID,
                        errorStatus: ErrorStatus.tooBig.rawValue, errorIndex: Int32.max, varBinds: [])
        let salt = [UInt8](repeating: 0, count: USMPrivacy.saltLength)
        let overhead = try encodeResponse(empty, to: request, engine: engine, salt: salt).count
        return max(limit - overhead - 10, 0)
    }
}
