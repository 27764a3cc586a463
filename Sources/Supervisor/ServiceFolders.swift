import ApplianceCore
import Glibc

/// The folders a service may write, made by procmon before the service starts:
/// its own state folder `var/lib/appliance/<name>/` (owned by it, mode 0700)
/// and each `writable` folder of the manifest (group-owned by the service's
/// group, mode 1771: it may create entries there, but the sticky bit keeps it
/// from removing or renaming anyone else's).
public enum ServiceFolders {
    public struct FolderError: Error, CustomStringConvertible {
        public var description: String
    }

    public static func prepare(_ definition: ServiceDefinition, identity: (uid: UInt32, gid: UInt32)?, paths: AppliancePaths) throws {
        let state = paths.stateDirectory(definition.name)
        try AtomicFile.makeFolders(state, mode: 0o700)
        guard let identity else { return }
        try own(state, uid: identity.uid, gid: identity.gid, mode: 0o700)
        for folder in definition.writable {
            let path = paths.root + "/" + folder
            try AtomicFile.makeFolders(path, mode: 0o755)
            try own(path, uid: 0, gid: identity.gid, mode: 0o1771)
        }
    }

    static func own(_ path: String, uid: UInt32, gid: UInt32, mode: mode_t) throws(FolderError) {
        guard chown(path, uid, gid) == 0, chmod(path, mode) == 0 else {
            throw FolderError(description: "cannot prepare \(path): \(String(cString: strerror(errno)))")
        }
    }
}
