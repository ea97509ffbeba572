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
            let candidate = PathText.appending(".git", to: current)
            if FileManager.default.fileExists(atPath: candidate) { return current }
            let parent = PathText.parent(of: current)
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
    /// `unreadable`: untracked folders git could not open (it warns and goes on, exit 0 — a path
    /// past PATH_MAX, for one); the caller walks them itself rather than lose them in silence.
    static func listFiles(in folder: String) throws(ListError) -> (paths: [[UInt8]], unreadable: [String]) {
        let output: [UInt8]
        let message: String
        do throws(GitError) {
            let child = try GitChild(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], in: folder)
            output = child.readAll()
            let status: Int32
            (status, message) = child.wait()
            if status == 127 { throw GitError.gitMissing }
            guard status == 0 else { throw GitError.failed(command: "git ls-files", message: message) }
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
        // git cuts its messages at 4,096 bytes, so a long name may have lost its end: then the
        // folder up to the last complete '/' is walked instead (it holds the unreadable one),
        // and git's entries under it are dropped so that nothing is scanned twice.
        let prefix = "warning: could not open directory '"
        var unreadable: [String] = []
        for line in message.split(separator: "\n") where line.hasPrefix(prefix) {
            var name = line.dropFirst(prefix.count)
            if let end = name.range(of: "': ", options: .backwards) {
                name = name[..<end.lowerBound]
            } else if let slash = name.lastIndex(of: "/") {
                name = name[..<slash]
            } else {
                name = ""
            }
            while name.hasSuffix("/") { name.removeLast() }
            unreadable.append(String(name))
        }
        // An outer folder covers the folders under it.
        unreadable = unreadable.filter { inner in !unreadable.contains { $0 != inner && ($0.isEmpty || inner.hasPrefix($0 + "/")) } }
        if !unreadable.isEmpty {
            let covered = unreadable.map { Array($0.utf8) + [UInt8(ascii: "/")] }
            paths.removeAll { path in unreadable.contains("") || covered.contains { path.starts(with: $0) } }
        }
        return (paths, Array(Set(unreadable)).sorted())
    }
}
