/// What a Get finds at an OID (RFC 3416 §4.2.1).
public enum MIBLookup: Hashable, Sendable {
    /// The instance exists.
    case value(SNMPValue)
    /// No object type is known here (RFC 3416 §4.2.1 step 1).
    case noSuchObject
    /// The object type exists but this instance does not (step 2).
    case noSuchInstance

    /// The value a Response carries for this lookup.
    public var responseValue: SNMPValue {
        switch self {
        case .value(let value): value
        case .noSuchObject: .noSuchObject
        case .noSuchInstance: .noSuchInstance
        }
    }
}

/// One registered subtree of the MIB: a group of scalars, a table, a set of
/// counters. Sources answer only for OIDs under `subtree`; `MIBView`
/// merges them into one lexicographically ordered tree.
public protocol MIBSource: Sendable {
    /// The subtree this source owns; every instance it returns lies under it.
    var subtree: OID { get }

    /// The instance at exactly `oid` (which lies under `subtree`).
    func get(_ oid: OID) -> MIBLookup

    /// The first instance strictly after `oid` in lexicographic order
    /// (RFC 3416 §4.2.2), or nil if this source has none after it. `oid` may
    /// lie before `subtree` (then the answer is the source's first instance)
    /// or inside it.
    func next(after oid: OID) -> VarBind?
}
