/// Several `MIBSource`s seen as one MIB tree, in lexicographic order, for
/// Get, GetNext and GetBulk (RFC 3416 §4.2.1-4.2.3). Subtrees must not
/// overlap, so every OID has at most one owner.
public struct MIBView: Sendable {
    /// The sources, sorted by subtree.
    public let sources: [any MIBSource]

    /// Why sources cannot be combined.
    public enum Problem: Error, Hashable, Sendable {
        /// One subtree contains another.
        case overlappingSubtrees(OID, OID)
    }

    public init(_ sources: [any MIBSource]) throws(Problem) {
        let sorted = sources.sorted { $0.subtree < $1.subtree }
        for (first, second) in zip(sorted, sorted.dropFirst()) where second.subtree.hasPrefix(first.subtree) {
            throw .overlappingSubtrees(first.subtree, second.subtree)
        }
        self.sources = sorted
    }

    /// The source owning `oid`, if any.
    private func owner(of oid: OID) -> (any MIBSource)? {
        // The owner is the last source whose subtree sorts at or before oid.
        var low = 0, high = sources.count
        while low < high {
            let middle = (low + high) / 2
            if sources[middle].subtree <= oid { low = middle + 1 } else { high = middle }
        }
        guard low > 0, oid.hasPrefix(sources[low - 1].subtree) else { return nil }
        return sources[low - 1]
    }

    /// Get (RFC 3416 §4.2.1): the value, or noSuchObject outside every source.
    public func get(_ oid: OID) -> MIBLookup {
        owner(of: oid)?.get(oid) ?? .noSuchObject
    }

    /// GetNext (RFC 3416 §4.2.2): the first instance after `oid` in the
    /// whole view, or nil at the end (the caller answers endOfMibView).
    public func next(after oid: OID) -> VarBind? {
        // Start with the source that owns oid, or the first one after it.
        var low = 0, high = sources.count
        while low < high {
            let middle = (low + high) / 2
            if sources[middle].subtree <= oid { low = middle + 1 } else { high = middle }
        }
        var index = low > 0 && oid.hasPrefix(sources[low - 1].subtree) ? low - 1 : low
        while index < sources.count {
            if let found = sources[index].next(after: oid) { return found }
            index += 1
        }
        return nil
    }
}
