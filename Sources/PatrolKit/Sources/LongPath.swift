#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opening and inspecting paths of any length and any bytes. The kernel refuses a path of
/// `PATH_MAX` (4,096) bytes or more with `ENAMETOOLONG`, but a folder tree can be far deeper
/// than that; such a path is opened one stretch at a time: each stretch below the limit is
/// opened as a folder (`O_PATH`), and the next is looked up relative to it with `openat`.
enum LongPath {
    private static let limit = Int(PATH_MAX) - 1

    #if os(Linux)
    // O_PATH (a handle to walk through, needing only search permission) is 010000000 on every
    // Linux architecture; Glibc's module does not export it without _GNU_SOURCE.
    private static let folderOnly = 0o10000000 | O_DIRECTORY | O_CLOEXEC
    #else
    private static let folderOnly = O_RDONLY | O_DIRECTORY | O_CLOEXEC
    #endif

    /// `open(2)` of `path`; -1 with `errno` set on failure.
    static func open(_ path: [UInt8], flags: Int32) -> Int32 {
        withFolder(of: path) { folder, rest in
            withCString(rest) { openat(folder, $0, flags) }
        } ?? -1
    }

    /// `stat(2)` (following a final symlink) or `lstat(2)` of `path`; nil with `errno` set.
    static func status(_ path: [UInt8], follow: Bool) -> stat? {
        withFolder(of: path) { folder, rest in
            var info = stat()
            let result = withCString(rest) { fstatat(folder, $0, &info, follow ? 0 : AT_SYMLINK_NOFOLLOW) }
            return result == 0 ? info : nil
        }
    }

    /// Calls `body` with a folder descriptor (or `AT_FDCWD`) and the rest of `path` relative to
    /// it, the rest shorter than `PATH_MAX`; the folder is closed afterwards, keeping `errno`.
    private static func withFolder<Result>(of path: [UInt8], _ body: (Int32, ArraySlice<UInt8>) -> Result?) -> Result? {
        var folder = AT_FDCWD
        var start = path.startIndex
        defer {
            if folder != AT_FDCWD {
                let saved = errno
                close(folder)
                errno = saved
            }
        }
        while path.count - start > limit {
            var cut = start + limit - 1
            while cut > start, path[cut] != UInt8(ascii: "/") { cut -= 1 }
            guard cut > start else {
                errno = ENAMETOOLONG   // one name longer than any folder entry can be
                return nil
            }
            let next = withCString(path[start..<cut]) { openat(folder, $0, folderOnly) }
            if folder != AT_FDCWD {
                let saved = errno
                close(folder)
                errno = saved
            }
            folder = next
            guard next >= 0 else {
                folder = AT_FDCWD
                return nil
            }
            start = cut + 1
        }
        return body(folder, path[start...])
    }

    private static func withCString<Result>(_ bytes: ArraySlice<UInt8>, _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        var terminated = Array(bytes)
        terminated.append(0)
        return terminated.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count, body)
        }
    }
}
