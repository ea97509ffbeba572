import Foundation

/// What patrol asks git about a work tree: where it starts, and which files a scan covers —
/// every tracked file, even one an ignore pattern matches (a committed `.env` is exactly what
/// leaks), plus untracked files that `.gitignore`, `.git/info/exclude` and the global excludes
/// do not exclude. git answers that exactly, so patrol does not re-implement ignore rules.
enum GitWorkTree {
    /// The top of the work tree holding `folder`, found by looking for `.git` (a folder, or a
    /// file in linked worktrees and submodules) in it and its parents.
    static func root(containing folder: String) -> String? {
        var current = absolutePath(folder)
        while true {
            let candidate = (current as NSString).appendingPathComponent(".git")
            if FileManager.default.fileExists(atPath: candidate) { return current }
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current || parent.isEmpty { return nil }
            current = parent
        }
    }

    /// `folder` made absolute (against the current folder) with `.` and `..` resolved in the
    /// text, as `URL.standardizedFileURL` would, without Foundation's URL parsing: a million
    /// instructions at every start of the hook. Symbolic links are left as they are.
    static func absolutePath(_ folder: String) -> String {
        var path = folder
        if !path.hasPrefix("/") {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            guard let cwd = getcwd(&buffer, buffer.count) else { return URL(fileURLWithPath: folder).standardizedFileURL.path }
            path = String(cString: cwd) + "/" + path
        }
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
            } else {
                parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    enum ListError: Error {
        case gitMissing
        case failed(String)
    }

    /// Paths relative to `folder` of the files git tracks under it plus the untracked ones it
    /// does not ignore. A nested repository or submodule comes back as one entry ending in `/`.
    /// Read with `-z`, as bytes: a name that is not UTF-8 (or holds a newline) comes back exactly.
    static func listFiles(in folder: String) throws(ListError) -> [[UInt8]] {
        let output: [UInt8]
        do {
            output = try GitChild.run(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], in: folder)
        } catch .gitMissing {
            throw .gitMissing
        } catch {
            throw .failed(error.description)
        }
        var seen = Set<[UInt8]>()
        var paths: [[UInt8]] = []
        for entry in output.split(separator: 0) {
            let path = Array(entry)
            if seen.insert(path).inserted { paths.append(path) }   // conflicted files appear once per stage
        }
        return paths
    }
}
