import ApplianceCore
import Glibc

/// The one folder file sources are read from: `<root>/srv` (`/srv` on the
/// appliance), or the folder given with `sessmgrd --media-folder`.
///
/// A configured `file:PATH` names a file inside it: PATH starts with the
/// folder's path (or with `/srv` for the default folder, the appliance's
/// own spelling, so `file:/srv/cam1.ts` is `<root>/srv/cam1.ts` under a
/// development root). Anything else is refused before the file system is
/// asked, with words that do not depend on whether the path exists. Inside,
/// the path is walked one component at a time from the folder's descriptor
/// (`openat`, `O_NOFOLLOW`): no symbolic link is followed, no `..` is
/// accepted, and only a regular file is opened (a FIFO, device or folder is
/// refused without being opened; `O_NONBLOCK` and `fstat` close the race).
public struct MediaFolder: Sendable, Equatable {
    /// The folder on this host, absolute.
    public let path: String
    /// What a configured path may start with.
    let spellings: [String]

    /// The default: `<root>/srv`.
    public init(paths: AppliancePaths) {
        path = paths.root + "/srv"
        spellings = paths.root.isEmpty ? ["/srv"] : [path, "/srv"]
    }

    /// A folder of its own (`--media-folder`, `--play`'s file's folder).
    public init(folder: String) {
        path = AppliancePaths.absolute(folder)
        spellings = [path]
    }

    /// The components of `configured` below the folder; refused when it is not inside.
    func components(of configured: String) throws(SourceFailure) -> [String] {
        for spelling in spellings {
            let base = spelling == "/" ? "" : spelling
            guard configured.hasPrefix(base + "/") else { continue }
            let parts = configured.dropFirst(base.count + 1).split(separator: "/").map(String.init).filter { $0 != "." }
            guard !parts.isEmpty, !parts.contains("..") else { break }
            return parts
        }
        throw SourceFailure(description: "file:\(configured) is not in the media folder \(path) (file sources are read from there only)")
    }

    /// Opens the regular file `configured` names inside the folder, read-only.
    func open(_ configured: String) throws(SourceFailure) -> Int32 {
        let parts = try components(of: configured)
        var folder = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard folder >= 0 else { throw SourceFailure(description: "cannot open the media folder \(path): \(Self.text(errno))") }
        for (index, part) in parts.enumerated() {
            let last = index == parts.count - 1
            var info = stat()
            guard fstatat(folder, part, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                let code = errno
                close(folder)
                throw code == ENOENT ? SourceFailure(description: "file:\(configured): no such file in the media folder")
                                     : SourceFailure(description: "file:\(configured): \(Self.text(code))")
            }
            let kind = info.st_mode & S_IFMT
            if kind == S_IFLNK {
                close(folder)
                throw SourceFailure(description: "file:\(configured) is or passes through a symbolic link (the media folder is read without following links)")
            }
            if last ? kind != S_IFREG : kind != S_IFDIR {
                close(folder)
                throw SourceFailure(description: "file:\(configured) is not a regular file" + (last ? "" : " (\(part) is not a folder)"))
            }
            let flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY)
            let next = openat(folder, part, flags)
            let code = errno
            close(folder)
            guard next >= 0 else {
                throw code == ELOOP ? SourceFailure(description: "file:\(configured) is or passes through a symbolic link (the media folder is read without following links)")
                                    : SourceFailure(description: "file:\(configured): \(Self.text(code))")
            }
            folder = next
        }
        // What was opened is what was checked: a regular file (the name may have been swapped meanwhile).
        var info = stat()
        guard fstat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(folder)
            throw SourceFailure(description: "file:\(configured) is not a regular file")
        }
        return folder
    }

    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}
