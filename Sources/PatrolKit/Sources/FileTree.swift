#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A unit of work while walking: a folder to list or a file to scan. `display` is the path shown
/// in reports (relative to the target root); `absolute` is what is opened.
enum WalkJob: Sendable {
    case folder(absolute: String, display: String)
    case file(absolute: String, display: String)
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
final class FileTree: Sendable {
    let useGitIgnore: Bool
    let follow: Bool
    private let visitedFolders = Mutex<Set<FileIdentity>>([])
    private let gitMissingWarned = Mutex(false)

    struct FileIdentity: Hashable, Sendable {
        let device: UInt64
        let inode: UInt64
    }

    init(useGitIgnore: Bool, follow: Bool) {
        self.useGitIgnore = useGitIgnore
        self.follow = follow
    }

    /// Classifies one path given on the command line: a folder or a file to scan. Symlinks
    /// named explicitly are followed: the user asked for that path.
    func classifyArgument(absolute: String, display: String) -> WalkJob? {
        var info = stat()
        guard stat(absolute, &info) == 0 else { return nil }
        if info.st_mode & S_IFMT == S_IFDIR {
            return .folder(absolute: absolute, display: display)
        }
        return .file(absolute: absolute, display: display)
    }

    func list(folder absolute: String, display: String) -> FolderListing {
        if useGitIgnore, GitWorkTree.root(containing: absolute) != nil {
            do {
                return try listWithGit(folder: absolute, display: display)
            } catch {
                var listing = readFolder(absolute: absolute, display: display)
                switch error {
                case .gitMissing:
                    if gitMissingWarned.withLock({ warned in defer { warned = true }; return !warned }) {
                        listing.warnings.append("git was not found on PATH, so .gitignore is not applied (install git, or pass --no-ignore to silence this)")
                    }
                case .failed(let message):
                    listing.warnings.append("git ls-files failed in \(display.isEmpty ? "." : display) (\(message)); scanned the folder without .gitignore")
                }
                return listing
            }
        }
        return readFolder(absolute: absolute, display: display)
    }

    private func listWithGit(folder absolute: String, display: String) throws(GitWorkTree.ListError) -> FolderListing {
        var listing = FolderListing()
        for path in try GitWorkTree.listFiles(in: absolute) {
            var relative = path
            let isNestedRepository = relative.hasSuffix("/")
            while relative.hasSuffix("/") { relative.removeLast() }
            let childAbsolute = absolute + "/" + relative
            let childDisplay = Self.join(display, relative)
            if isNestedRepository {
                listing.jobs.append(.folder(absolute: childAbsolute, display: childDisplay))
                continue
            }
            classify(absolute: childAbsolute, display: childDisplay, typeHint: nil, into: &listing, missingIsError: false)
        }
        return listing
    }

    private func readFolder(absolute: String, display: String) -> FolderListing {
        var listing = FolderListing()
        guard let directory = opendir(absolute) else {
            listing.errors.append(ScanFailure(path: display.isEmpty ? "." : display, message: "cannot list folder: \(String(cString: strerror(errno)))"))
            return listing
        }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." || name == ".git" { continue }
            let childAbsolute = absolute + "/" + name
            let childDisplay = Self.join(display, name)
            classify(absolute: childAbsolute, display: childDisplay, typeHint: entry.pointee.d_type, into: &listing, missingIsError: true)
        }
        return listing
    }

    private func classify(absolute: String, display: String, typeHint: UInt8?, into listing: inout FolderListing, missingIsError: Bool) {
        var type = typeHint.flatMap { $0 == UInt8(DT_UNKNOWN) ? nil : $0 }
        var info = stat()
        if type == nil || type == UInt8(DT_LNK) {
            guard lstat(absolute, &info) == 0 else {
                // A tracked file deleted from the work tree is simply not there to scan.
                if missingIsError || errno != ENOENT {
                    listing.errors.append(ScanFailure(path: display, message: String(cString: strerror(errno))))
                }
                return
            }
            type = Self.directoryEntryType(info.st_mode)
        }
        switch type {
        case UInt8(DT_DIR):
            listing.jobs.append(.folder(absolute: absolute, display: display))
        case UInt8(DT_REG):
            listing.jobs.append(.file(absolute: absolute, display: display))
        case UInt8(DT_LNK):
            guard follow else {
                listing.skipped.append(SkippedItem(path: display, reason: .symlink))
                return
            }
            var target = stat()
            guard stat(absolute, &target) == 0 else {
                listing.errors.append(ScanFailure(path: display, message: "broken symlink: \(String(cString: strerror(errno)))"))
                return
            }
            if target.st_mode & S_IFMT == S_IFDIR {
                listing.jobs.append(.folder(absolute: absolute, display: display))
            } else if target.st_mode & S_IFMT == S_IFREG {
                listing.jobs.append(.file(absolute: absolute, display: display))
            } else {
                listing.skipped.append(SkippedItem(path: display, reason: .notRegularFile))
            }
        default:
            listing.skipped.append(SkippedItem(path: display, reason: .notRegularFile))
        }
    }

    /// With `follow`, records a folder before it is listed; false if it was listed before
    /// (a symlink loop, or a second link to it), and then it must not be listed again.
    func enter(folder absolute: String) -> Bool {
        guard follow else { return true }
        var info = stat()
        guard stat(absolute, &info) == 0 else { return true }
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

    static func join(_ parent: String, _ child: String) -> String {
        parent.isEmpty || parent == "." ? child : parent + "/" + child
    }
}
