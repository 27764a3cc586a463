/// An OBJECT IDENTIFIER as SNMP uses it (RFC 2578 §7.1.3): at least two arcs,
/// each 0...2^32-1, the first 0, 1 or 2 (and the second below 40 unless the
/// first is 2, X.690 §8.19.4), so that every value of this type has a BER
/// encoding. Ordered lexicographically by arcs, a prefix first, which is the
/// order GetNext walks (RFC 3416 §4.2.2).
public struct OID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The arcs.
    public private(set) var components: [UInt32]

    /// The arcs if they form an encodable OID; nil otherwise.
    public init?(_ components: [UInt32]) {
        guard Self.isEncodable(components) else { return nil }
        self.components = components
    }

    /// Parses dotted text such as `1.3.6.1.2.1.1.1.0` (a leading dot, as
    /// net-snmp prints with `-On`, is accepted).
    public init?(dotted text: String) {
        var body = Substring(text)
        if body.first == "." { body = body.dropFirst() }
        var arcs: [UInt32] = []
        for part in body.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let arc = UInt32(part) else { return nil }
            arcs.append(arc)
        }
        self.init(arcs)
    }

    /// `0.0`, the RFC 2578 zeroDotZero: the smallest OID.
    public static let zeroDotZero = OID(trusted: [0, 0])

    /// For arcs known to be valid (built from constants in this module).
    init(trusted components: [UInt32]) { self.components = components }

    static func isEncodable(_ arcs: [UInt32]) -> Bool {
        guard arcs.count >= 2 else { return false }
        switch arcs[0] {
        case 0, 1: return arcs[1] < 40
        case 2: return arcs[1] <= UInt32.max - 80
        default: return false
        }
    }

    /// The number of arcs.
    public var count: Int { components.count }

    /// This OID with more arcs appended (table indices, `.0` of a scalar).
    public func appending(_ arcs: UInt32...) -> OID { appending(contentsOf: arcs) }

    /// This OID with more arcs appended.
    public func appending(contentsOf arcs: some Sequence<UInt32>) -> OID {
        var copy = self
        copy.components.append(contentsOf: arcs)
        return copy
    }

    /// Whether `self` is `other` or lies below it.
    public func hasPrefix(_ other: OID) -> Bool {
        other.components.count <= components.count && components.starts(with: other.components)
    }

    /// The arcs after `prefix`, or nil if `prefix` is not a prefix of `self`.
    public func suffix(after prefix: OID) -> ArraySlice<UInt32>? {
        hasPrefix(prefix) ? components[prefix.components.count...] : nil
    }

    /// The first BER sub-identifier: 40 × first arc + second (X.690 §8.19.4).
    var firstSubidentifier: UInt64 { UInt64(components[0]) * 40 + UInt64(components[1]) }

    public var description: String { components.map(String.init).joined(separator: ".") }

    public static func < (lhs: OID, rhs: OID) -> Bool {
        OID.compare(lhs.components[...], rhs.components[...]) < 0
    }

    /// Lexicographic three-way comparison of arc sequences (a prefix sorts first).
    public static func compare(_ lhs: ArraySlice<UInt32>, _ rhs: ArraySlice<UInt32>) -> Int {
        var left = lhs.startIndex, right = rhs.startIndex
        while left < lhs.endIndex && right < rhs.endIndex {
            if lhs[left] != rhs[right] { return lhs[left] < rhs[right] ? -1 : 1 }
            left += 1
            right += 1
        }
        let leftCount = lhs.count, rightCount = rhs.count
        return leftCount == rightCount ? 0 : (leftCount < rightCount ? -1 : 1)
    }

    /// Decodes OBJECT IDENTIFIER content octets. Redundant leading 0x80
    /// octets in a sub-identifier are tolerated; values above 2^32-1 and
    /// more than 128 arcs (RFC 2578 §3.5) are refused.
    init(berContent bytes: [UInt8], _ range: Range<Int>, elementStart: Int) throws(BERError) {
        guard !range.isEmpty else { throw BERError(.invalidObjectIdentifier, at: elementStart) }
        var arcs: [UInt32] = []
        arcs.reserveCapacity(min(range.count + 1, 129))
        var value: UInt64 = 0
        var inSubidentifier = false
        // The first sub-identifier holds two arcs, 2.x allowing up to 2^32-1+80.
        var limit = UInt64(UInt32.max) + 80
        for index in range {
            let octet = bytes[index]
            value = (value << 7) | UInt64(octet & 0x7F)
            guard value <= limit else { throw BERError(.invalidObjectIdentifier, at: elementStart) }
            inSubidentifier = octet & 0x80 != 0
            if inSubidentifier { continue }
            if arcs.isEmpty {
                switch value {
                case ..<40: arcs = [0, UInt32(value)]
                case ..<80: arcs = [1, UInt32(value - 40)]
                default: arcs = [2, UInt32(value - 80)]
                }
                limit = UInt64(UInt32.max)
            } else {
                guard arcs.count < 128 else { throw BERError(.objectIdentifierTooLong, at: elementStart) }
                arcs.append(UInt32(value))
            }
            value = 0
        }
        guard !inSubidentifier else { throw BERError(.invalidObjectIdentifier, at: elementStart) }
        components = arcs
    }

    /// Content octets of this OID's BER encoding.
    public var encodedContentLength: Int {
        var total = BERSize.base128(firstSubidentifier)
        for arc in components.dropFirst(2) { total += BERSize.base128(UInt64(arc)) }
        return total
    }
}

extension OID: ExpressibleByArrayLiteral {
    /// For constants written in code. An invalid literal is a programming
    /// error, caught by the first test that touches it; it is replaced by
    /// zeroDotZero rather than trapping, since a literal is never input.
    public init(arrayLiteral elements: UInt32...) {
        self.components = OID.isEncodable(elements) ? elements : [0, 0]
        assert(OID.isEncodable(elements), "invalid OID literal \(elements)")
    }
}
