#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A path being walked: `absolute` is what is opened (bytes, so a name that is not UTF-8 is
/// opened as it is, and of any length: see `LongPath`); `relative` (to the target root) becomes
/// the report path through `ReportPath.display`.
struct WalkPath: Sendable {
    let absolute: [UInt8]
    let relative: [UInt8]

    init(absolute: [UInt8], relative: [UInt8]) {
        self.absolute = absolute
        self.relative = relative
    }

    init(absolute: String, display: String) {
        self.init(absolute: Array(absolute.utf8), relative: Array(display.utf8))
    }

    var display: String { ReportPath.display(relative) }

    /// For globs and the config's root, which are text.
    var absoluteText: String { String(decoding: absolute, as: UTF8.self) }

    func child(_ name: some Collection<UInt8>) -> WalkPath {
        var absolute = self.absolute
        if absolute.last != UInt8(ascii: "/") { absolute.append(UInt8(ascii: "/")) }
        absolute += name
        var relative = self.relative
        if !relative.isEmpty, relative != [UInt8(ascii: ".")] { relative.append(UInt8(ascii: "/")) } else { relative = [] }
        relative += name
        return WalkPath(absolute: absolute, relative: relative)
    }
}

/// A unit of work while walking: a folder to list or a file to scan.
enum WalkJob: Sendable {
    /// `listing` says how: `.root` finds out once whether the folder is in a git work tree;
    /// `.plain` is a folder below a root that is not (it is a repository only if it holds
    /// `.git` itself, seen while reading it); `.repository` is the top of a nested repository.
    case folder(WalkPath, listing: FolderKind)
    case file(WalkPath)
}

enum FolderKind: Sendable {
    case root, plain, repository
}

/// What listing a folder produced.
struct FolderListing {
    var jobs: [WalkJob] = []
    var skipped: [SkippedItem] = []
    var errors: [ScanFailure] = []
    var warnings: [String] = []
}

/// Lists folders for a scan: through `git ls-files` inside a work tree (so tracked files are
/// always scanned and untracked ones honour the ignore files), or by reading the folder.
/// `.git` is never entered. Symlinks are skipped unless `follow`, and followed folders are
/// remembered by device and inode so a link loop is entered once.
///
/// Whether a folder is in a work tree is asked once per root (`GitWorkTree.root`, which looks
/// for `.git` in every ancestor): below a root that is not in one, a folder starts a repository
/// only if its own listing holds `.git`. Asking for every folder cost depth³ (`stat` of every
/// ancestor, each a walk of the whole path): 9.8 s for a chain 800 folders deep.
final class FileTree: Sendable {
    let useGitIgnore: Bool
    let follow: Bool
    private let visitedFolders = Mutex<Set<FileIdentity>>([])
    private let gitMissingWarned = Mutex(false)
    private let lookups = Mutex(0)

    struct FileIdentity: Hashable, Sendable {
        let device: UInt64
        let inode: UInt64
    }

    init(useGitIgnore: Bool, follow: Bool) {
        self.useGitIgnore = useGitIgnore
        self.follow = follow
    }

    /// How many times a `.git` was looked for in a folder's ancestors (for tests of the cost).
    var workTreeLookups: Int { lookups.withLock { $0 } }

    /// Classifies one path given on the command line: a folder or a file to scan. Symlinks
    /// named explicitly are followed: the user asked for that path.
    func classifyArgument(absolute: String, display: String) -> WalkJob? {
        let path = WalkPath(absolute: absolute, display: display)
        guard let info = LongPath.status(path.absolute, follow: true) else { return nil }
        if info.st_mode & S_IFMT == S_IFDIR {
            return .folder(path, listing: .root)
        }
        return .file(path)
    }

    func list(folder path: WalkPath, kind: FolderKind) -> FolderListing {
        guard useGitIgnore else { return readFolder(path, detectRepository: false) }
        switch kind {
        case .root:
            lookups.withLock { $0 += 1 }
            if GitWorkTree.root(containing: path.absoluteText) != nil { return listWithGitOrRead(path) }
            return readFolder(path, detectRepository: true)
        case .plain:
            return readFolder(path, detectRepository: true)
        case .repository:
            return listWithGitOrRead(path)
        }
    }

    private func listWithGitOrRead(_ path: WalkPath) -> FolderListing {
        do {
            return try listWithGit(path)
        } catch {
            var listing = readFolder(path, detectRepository: false)
            switch error {
            case .gitMissing:
                if gitMissingWarned.withLock({ warned in defer { warned = true }; return !warned }) {
                    listing.warnings.append("git was not found on PATH, so .gitignore is not applied (install git, or pass --no-ignore to silence this)")
                }
            case .failed(let message):
                listing.warnings.append("git ls-files failed in \(path.relative.isEmpty ? "." : path.display) (\(message)); scanned the folder without .gitignore")
            }
            return listing
        }
    }

    private func listWithGit(_ folder: WalkPath) throws(GitWorkTree.ListError) -> FolderListing {
        var listing = FolderListing()
        let (paths, unreadable) = try GitWorkTree.listFiles(in: folder.absoluteText)
        for name in unreadable {
            let child = name.isEmpty ? folder : folder.child(Array(name.utf8))
            listing.warnings.append("git could not list a folder in \(child.relative.isEmpty ? "." : child.display) (a path past PATH_MAX?); scanned it without .gitignore")
            listing.jobs.append(.folder(child, listing: .plain))
        }
        for var relative in paths {
            let isNestedRepository = relative.last == UInt8(ascii: "/")
            while relative.last == UInt8(ascii: "/") { relative.removeLast() }
            let child = folder.child(relative)
            if isNestedRepository {
                listing.jobs.append(.folder(child, listing: .repository))
                continue
            }
            classify(child, in: nil, typeHint: nil, into: &listing, missingIsError: false)
        }
        return listing
    }

    /// Reads the folder through its descriptor: entries are inspected with `fstatat` relative
    /// to it, so neither a name's bytes nor the path's length matter. With `detectRepository`,
    /// a folder holding `.git` is listed by git instead.
    private func readFolder(_ folder: WalkPath, detectRepository: Bool) -> FolderListing {
        var listing = FolderListing()
        let shown = folder.relative.isEmpty ? "." : folder.display
        let descriptor = LongPath.open(folder.absolute, flags: O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0, let directory = fdopendir(descriptor) else {
            let message = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            listing.errors.append(ScanFailure(path: shown, message: "cannot list folder: \(message)"))
            return listing
        }
        defer { closedir(directory) }
        let folderDescriptor = dirfd(directory)
        while let entry = readdir(directory) {
            let name: [UInt8] = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            if name == Array(".git".utf8) {
                if detectRepository { return listWithGitOrRead(folder) }
                continue
            }
            classify(folder.child(name), in: (folderDescriptor, name), typeHint: entry.pointee.d_type, into: &listing, missingIsError: true)
        }
        return listing
    }

    /// `entry`: the open folder holding the path and the path's name in it, when known, so the
    /// path is inspected relative to the folder.
    private func classify(_ path: WalkPath, in entry: (folder: Int32, name: [UInt8])?, typeHint: UInt8?, into listing: inout FolderListing, missingIsError: Bool) {
        func status(follow: Bool) -> stat? {
            guard let entry else { return LongPath.status(path.absolute, follow: follow) }
            var info = stat()
            let result = (entry.name + [0]).withUnsafeBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                    fstatat(entry.folder, $0, &info, follow ? 0 : AT_SYMLINK_NOFOLLOW)
                }
            }
            return result == 0 ? info : nil
        }
        var type = typeHint.flatMap { $0 == UInt8(DT_UNKNOWN) ? nil : $0 }
        if type == nil || type == UInt8(DT_LNK) {
            guard let info = status(follow: false) else {
                // A tracked file deleted from the work tree is simply not there to scan.
                if missingIsError || errno != ENOENT {
                    listing.errors.append(ScanFailure(path: path.display, message: String(cString: strerror(errno))))
                }
                return
            }
            type = Self.directoryEntryType(info.st_mode)
        }
        switch type {
        case UInt8(DT_DIR):
            listing.jobs.append(.folder(path, listing: .plain))
        case UInt8(DT_REG):
            listing.jobs.append(.file(path))
        case UInt8(DT_LNK):
            guard follow else {
                listing.skipped.append(SkippedItem(path: path.display, reason: .symlink))
                return
            }
            guard let target = status(follow: true) else {
                listing.errors.append(ScanFailure(path: path.display, message: "broken symlink: \(String(cString: strerror(errno)))"))
                return
            }
            if target.st_mode & S_IFMT == S_IFDIR {
                // A link can lead anywhere, into a work tree or out of one: asked once per link.
                listing.jobs.append(.folder(path, listing: .root))
            } else if target.st_mode & S_IFMT == S_IFREG {
                listing.jobs.append(.file(path))
            } else {
                listing.skipped.append(SkippedItem(path: path.display, reason: .notRegularFile))
            }
        default:
            listing.skipped.append(SkippedItem(path: path.display, reason: .notRegularFile))
        }
    }

    /// With `follow`, records a folder before it is listed; false if it was listed before
    /// (a symlink loop, or a second link to it), and then it must not be listed again.
    func enter(folder path: WalkPath) -> Bool {
        guard follow else { return true }
        guard let info = LongPath.status(path.absolute, follow: true) else { return true }
        let identity = FileIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        return visitedFolders.withLock { $0.insert(identity).inserted }
    }

    private static func directoryEntryType(_ mode: mode_t) -> UInt8 {
        switch mode & S_IFMT {
        case S_IFDIR: UInt8(DT_DIR)
        case S_IFREG: UInt8(DT_REG)
        case S_IFLNK: UInt8(DT_LNK)
        default: UInt8(DT_UNKNOWN)
        }
    }
}
