/// A conceptual table (RFC 2578 §7.1.12 / §7.7): instances are
/// `entry.column.index…`, walked column by column, rows in index order
/// (RFC 3416 §4.2.2's lexicographic order does exactly this). A snapshot
/// value: the daemon builds a new one when the data changes.
public struct TableSource: MIBSource {
    /// One row: its index arcs and one value per column (nil where the
    /// row has no value in that column, as sparse tables allow).
    public struct Row: Hashable, Sendable {
        public var index: [UInt32]
        public var values: [SNMPValue?]

        public init(index: [UInt32], values: [SNMPValue?]) {
            self.index = index
            self.values = values
        }
    }

    /// Why a table cannot be built.
    public enum Problem: Error, Hashable, Sendable {
        case duplicateIndex([UInt32])
        case rowWidth(index: [UInt32], expected: Int, found: Int)
        case columnsNotAscending
    }

    /// The xxxEntry OID; columns are its children.
    public let entry: OID
    /// Column arcs under `entry`, ascending.
    public let columns: [UInt32]
    /// Rows, sorted by index.
    public let rows: [Row]

    public var subtree: OID { entry }

    /// Sorts the rows and checks that indices are unique and rows full width.
    public init(entry: OID, columns: [UInt32], rows: [Row]) throws(Problem) {
        guard zip(columns, columns.dropFirst()).allSatisfy({ $0 < $1 }) else { throw .columnsNotAscending }
        let sorted = rows.sorted { OID.compare($0.index[...], $1.index[...]) < 0 }
        for row in sorted where row.values.count != columns.count {
            throw .rowWidth(index: row.index, expected: columns.count, found: row.values.count)
        }
        for (first, second) in zip(sorted, sorted.dropFirst()) where first.index == second.index {
            throw .duplicateIndex(first.index)
        }
        self.entry = entry
        self.columns = columns
        self.rows = sorted
    }

    public func get(_ oid: OID) -> MIBLookup {
        guard let rest = oid.suffix(after: entry), let arc = rest.first,
              let column = columns.firstIndex(of: arc) else { return .noSuchObject }
        let index = rest.dropFirst()
        let position = firstRow(notBefore: index)
        guard position < rows.count, rows[position].index[...] == index,
              let value = rows[position].values[column] else { return .noSuchInstance }
        return .value(value)
    }

    public func next(after oid: OID) -> VarBind? {
        var column = 0
        var rowStart = 0
        if let rest = oid.suffix(after: entry), let arc = rest.first {
            // Inside the entry: continue in this column after the index, or
            // from the first column above arc.
            if let exact = columns.firstIndex(of: arc) {
                column = exact
                rowStart = firstRow(after: rest.dropFirst())
            } else {
                column = columns.firstIndex { $0 > arc } ?? columns.count
            }
        } else if oid > entry {
            // Past the whole table (oid == entry or before it: start at the top).
            return nil
        }
        while column < columns.count {
            var position = rowStart
            while position < rows.count {
                if let value = rows[position].values[column] {
                    return VarBind(entry.appending(columns[column]).appending(contentsOf: rows[position].index), value)
                }
                position += 1
            }
            column += 1
            rowStart = 0
        }
        return nil
    }

    /// The first row whose index is ≥ `index` (binary search).
    private func firstRow(notBefore index: ArraySlice<UInt32>) -> Int {
        var low = 0, high = rows.count
        while low < high {
            let middle = (low + high) / 2
            if OID.compare(rows[middle].index[...], index) < 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first row whose index is > `index`: the next instance in a column
    /// (a partial index sorts before every row it is a prefix of).
    private func firstRow(after index: ArraySlice<UInt32>) -> Int {
        var low = 0, high = rows.count
        while low < high {
            let middle = (low + high) / 2
            if OID.compare(rows[middle].index[...], index) <= 0 { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
