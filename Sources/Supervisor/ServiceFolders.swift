import ApplianceCore
import Glibc

/// The folders procmon makes and owns for the services, as root.
///
/// - the appliance's own folders (`etc/appliance`, `run/appliance`,
///   `var/lib/appliance`, `var/log`): root's, and `run/appliance` and
///   `var/lib/appliance` are set back to root 0755 at every start, so no
///   service can create, rename or replace an entry in them;
/// - each service's state folder `var/lib/appliance/<name>/`, owned by the
///   service, mode 0700;
/// - each `writable` folder of the manifest, group-owned by the service's
///   group, mode 1771 (it may create entries there, the sticky bit keeps it from
///   removing or renaming anyone else's). A writable folder may not be, hold or
///   lie inside one of the appliance's own folders.
///
/// Every path is walked from the root one component at a time with
/// `openat(O_NOFOLLOW | O_DIRECTORY)`, checked with `fstat` and changed with
/// `fchown`/`fchmod` on the descriptor: a symbolic link planted anywhere on the
/// way is refused, so procmon never changes the owner or mode of anything
/// outside the tree it was given.
public enum ServiceFolders {
    public struct FolderError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The appliance's own folders, relative to the root.
    public static let applianceFolders = ["etc/appliance", "run/appliance", "var/lib/appliance", "var/log"]
    /// Those that procmon alone writes: set back to root 0755 at every start.
    static let rootOnlyFolders: Set<String> = ["run/appliance", "var/lib/appliance"]

    /// Files an older appliance left in procmon's folders, removed at start:
    /// `var/lib/appliance/initial-admin-password` (configd now writes it in
    /// its own folder; the old copy would keep the first password for good).
    static let leftovers = ["var/lib/appliance": ["initial-admin-password"]]

    /// Makes the appliance's own folders (procmon, at start).
    public static func prepareTree(paths: AppliancePaths) throws(FolderError) {
        for folder in applianceFolders {
            let fd = try open(folder, under: paths.root, creating: 0o755)
            defer { close(fd) }
            if rootOnlyFolders.contains(folder) && geteuid() == 0 {
                try set(fd, folder, under: paths.root, uid: 0, gid: 0, mode: 0o755)
            }
            // Through the folder's descriptor: a link is removed, never followed.
            for name in leftovers[folder] ?? [] { _ = unlinkat(fd, name, 0) }
        }
    }

    public static func prepare(_ definition: ServiceDefinition, identity: (uid: UInt32, gid: UInt32)?, paths: AppliancePaths) throws(FolderError) {
        let state = "var/lib/appliance/" + definition.name
        let stateFD = try open(state, under: paths.root, creating: 0o700)
        defer { close(stateFD) }
        for folder in definition.writable { try checkWritable(folder) }
        guard let identity else { return }
        try set(stateFD, state, under: paths.root, uid: identity.uid, gid: identity.gid, mode: 0o700)
        for folder in definition.writable {
            let fd = try open(folder, under: paths.root, creating: 0o755)
            defer { close(fd) }
            try set(fd, folder, under: paths.root, uid: 0, gid: identity.gid, mode: 0o1771)
        }
    }

    /// A `writable` folder must not be one of the appliance's own folders, above
    /// one (a writable parent lets a service rename another's folder and leave a
    /// symbolic link in its place), or inside one.
    public static func checkWritable(_ folder: String) throws(FolderError) {
        let components = folder.split(separator: "/")
        guard !components.isEmpty, !components.contains("."), !components.contains("..") else {
            throw FolderError(description: "writable folder \"\(folder)\" refused: it must name a folder below the root, without \".\" or \"..\"")
        }
        for own in applianceFolders {
            let ownComponents = own.split(separator: "/")
            if components.starts(with: ownComponents) || ownComponents.starts(with: components) {
                throw FolderError(description: "writable folder \(folder) refused: it is, holds or lies inside \(own), which only procmon writes")
            }
        }
    }

    /// Opens `relative` (below `root`) without following any symbolic link,
    /// making each missing folder with `mode`. Every folder on the way must be
    /// owned by root (or procmon's own user) and not writable by others unless
    /// sticky; otherwise another user could swap it for a link after the check.
    static func open(_ relative: String, under root: String, creating mode: mode_t) throws(FolderError) -> Int32 {
        let rootPath = root.isEmpty ? "/" : root
        var fd = Glibc.open(rootPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FolderError(description: "cannot open \(rootPath): \(String(cString: strerror(errno)))") }
        var walked = root
        let components = relative.split(separator: "/").map(String.init)
        for (index, component) in components.enumerated() {
            walked += "/" + component
            var next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT {
                if mkdirat(fd, component, mode) != 0 && errno != EEXIST {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw FolderError(description: "cannot make \(walked): \(reason)")
                }
                next = openat(fd, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let openError = errno
            close(fd)
            guard next >= 0 else {
                var info = stat()
                let isLink = lstat(walked, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
                throw FolderError(description: isLink
                    ? "refusing \(walked): it is a symbolic link (procmon never follows one in the appliance's folders)"
                    : "cannot open \(walked): \(String(cString: strerror(openError)))")
            }
            fd = next
            if index < components.count - 1 {
                var info = stat()
                guard fstat(fd, &info) == 0 else {
                    close(fd)
                    throw FolderError(description: "cannot check \(walked): \(String(cString: strerror(errno)))")
                }
                let trustedOwner = info.st_uid == 0 || info.st_uid == geteuid()
                let othersMayRename = info.st_mode & 0o022 != 0 && info.st_mode & S_ISVTX == 0
                guard trustedOwner && !othersMayRename else {
                    close(fd)
                    throw FolderError(description: "refusing \(walked): owned by uid \(info.st_uid) or writable by others (mode \(String(info.st_mode & 0o7777, radix: 8)))")
                }
            }
        }
        return fd
    }

    /// Owner and mode of an opened folder, changed only when they differ.
    static func set(_ fd: Int32, _ relative: String, under root: String, uid: UInt32, gid: UInt32, mode: mode_t) throws(FolderError) {
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw FolderError(description: "cannot prepare \(root)/\(relative): not a folder")
        }
        if info.st_uid != uid || info.st_gid != gid {
            guard fchown(fd, uid, gid) == 0 else {
                throw FolderError(description: "cannot prepare \(root)/\(relative): \(String(cString: strerror(errno)))")
            }
        }
        if info.st_mode & 0o7777 != mode {
            guard fchmod(fd, mode) == 0 else {
                throw FolderError(description: "cannot prepare \(root)/\(relative): \(String(cString: strerror(errno)))")
            }
        }
    }
}
