/// A group of scalar objects under one subtree, each with its single
/// instance `.0` (RFC 2578 §7.7 note on scalar instances). Values are read
/// through closures, so a live value (sysUpTime, a counter) is read when
/// asked; the closures are the daemon's, this type keeps no clock.
public struct ScalarGroupSource: MIBSource {
    public let subtree: OID
    /// Sub-identifiers under `subtree`, ascending, with their readers.
    private let scalars: [(arc: UInt32, read: @Sendable () -> SNMPValue)]

    /// `scalars` maps each object's arc under `subtree` to its reader.
    public init(subtree: OID, scalars: [UInt32: @Sendable () -> SNMPValue]) {
        self.subtree = subtree
        self.scalars = scalars.sorted { $0.key < $1.key }.map { (arc: $0.key, read: $0.value) }
    }

    public func get(_ oid: OID) -> MIBLookup {
        guard let rest = oid.suffix(after: subtree), let arc = rest.first,
              let scalar = scalars.first(where: { $0.arc == arc }) else { return .noSuchObject }
        // The object exists; only `.0` is an instance of it.
        return rest.count == 2 && rest.last == 0 ? .value(scalar.read()) : .noSuchInstance
    }

    public func next(after oid: OID) -> VarBind? {
        for scalar in scalars {
            let instance = subtree.appending(scalar.arc, 0)
            if instance > oid { return VarBind(instance, scalar.read()) }
        }
        return nil
    }
}

/// The SNMPv2-MIB system group (RFC 3418 §2), the scalars every agent serves.
public struct SystemGroup: Sendable {
    /// sysDescr: what the device is.
    public var description: String
    /// sysObjectID: the product's OID under its vendor's enterprise arc.
    public var objectID: OID
    /// sysContact.
    public var contact: String
    /// sysName.
    public var name: String
    /// sysLocation.
    public var location: String
    /// sysServices: 72 = application (64) + end-to-end (8), as hosts answer.
    public var services: Int32

    /// 1.3.6.1.2.1.1.
    public static let subtree: OID = [1, 3, 6, 1, 2, 1, 1]

    public init(description: String, objectID: OID, contact: String, name: String, location: String, services: Int32 = 72) {
        self.description = description
        self.objectID = objectID
        self.contact = contact
        self.name = name
        self.location = location
        self.services = services
    }

    /// The group as a source; `upTime` gives sysUpTime in hundredths of a
    /// second since the agent started (RFC 3418).
    public func source(upTime: @escaping @Sendable () -> UInt32) -> ScalarGroupSource {
        let descr = Array(description.utf8), contact = Array(contact.utf8)
        let name = Array(name.utf8), location = Array(location.utf8)
        let objectID = objectID, services = services
        return ScalarGroupSource(subtree: Self.subtree, scalars: [
            1: { .octetString(descr) },
            2: { .objectIdentifier(objectID) },
            3: { .timeTicks(upTime()) },
            4: { .octetString(contact) },
            5: { .octetString(name) },
            6: { .octetString(location) },
            7: { .integer(services) },
        ])
    }
}
