#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPCRE2   // memmem (declared by the shim: glibc hides it without _GNU_SOURCE)
import Foundation

/// What a plan asks git about the repository a report was made in: file contents at commits,
/// which remote-tracking branches contain a commit (was it pushed?), which commits introduced a
/// secret at a path, and the remotes. Every answer can be "unknown" (nil): a plan is still made
/// when the repository moved or git is missing, and says what it could not tell.
struct RepositoryFacts {
    let repository: GitRepository
    /// Path of `target.root` inside the repository (`sub/dir/`), for scan reports of a subfolder.
    let prefix: String

    /// The repository holding `root`, or nil when it is not in one (or git is missing).
    static func open(root: String) -> RepositoryFacts? {
        guard let repository = try? GitRepository.open(root, checkPartial: false) else { return nil }
        let prefix = repository.isBare ? "" : (try? GitChild.text(["rev-parse", "--show-prefix"], in: root)) ?? ""
        return RepositoryFacts(repository: repository, prefix: prefix)
    }

    /// Contents of `names` (`commit:path`, or `:path` for the index) through one `git cat-file
    /// --batch`; a missing object maps to nil.
    func objects(_ names: [String]) -> [String: [UInt8]] {
        guard !names.isEmpty, let child = try? GitChild(["cat-file", "--batch"], in: repository.folder, feedsInput: true) else { return [:] }
        // A name with a newline cannot be asked for on a line of its own.
        let asked = names.filter { !$0.contains("\n") }
        child.feed(asked)
        let output = child.readAll()
        _ = child.wait()
        var result: [String: [UInt8]] = [:]
        var offset = 0
        for name in asked {
            guard let newline = output[offset...].firstIndex(of: 0x0A) else { break }
            let header = String(decoding: output[offset..<newline], as: UTF8.self)
            offset = newline + 1
            // "<oid> <type> <size>", or "<name> missing" / "ambiguous".
            let parts = header.split(separator: " ")
            guard parts.count == 3, let size = Int(parts[2]), offset + size <= output.count else { continue }
            // Commits and tags: asked for by id, to read their messages again.
            if parts[1] == "blob" || parts[1] == "commit" || parts[1] == "tag" { result[name] = Array(output[offset..<offset + size]) }
            offset += size + 1
        }
        return result
    }

    /// The remote-tracking branches that contain `commit` (`origin/main`), or nil when git could
    /// not answer (an unknown commit, say). Empty: the commit was not pushed, as far as the
    /// last fetch knows.
    func remoteBranches(containing commit: String) -> [String]? {
        guard let output = try? GitChild.text(["branch", "-r", "--contains", commit], in: repository.folder) else { return nil }
        return output.split(separator: "\n").compactMap { line in
            let name = String(line).trimmingWhitespace()
            // `origin/HEAD -> origin/main` is an alias of a branch already listed.
            return name.isEmpty || name.contains(" -> ") ? nil : name
        }
    }

    /// Author and dates of `commit`, or nil when git does not know it.
    func commitInfo(_ commit: String) -> CommitInfo? {
        guard let text = try? GitChild.text(["show", "-s", "--format=%H%x00%an <%ae>%x00%aI%x00%cI", commit], in: repository.folder) else { return nil }
        let fields = text.split(separator: "\0", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4 else { return nil }
        return CommitInfo(oid: fields[0], author: fields[1], authorDate: fields[2], commitDate: fields[3])
    }

    /// Whether any remote is configured, and their names and fetch URLs.
    func remotes() -> [(name: String, url: String)] {
        guard let output = try? GitChild.text(["remote", "-v"], in: repository.folder) else { return [] }
        var seen = Set<String>()
        var result: [(String, String)] = []
        for line in output.split(separator: "\n") where line.hasSuffix("(fetch)") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, seen.insert(String(fields[0])).inserted else { continue }
            result.append((String(fields[0]), String(fields[1])))
        }
        return result
    }

    /// The commits that introduced `secret` at `path` (from the top of the repository, whatever
    /// folder git runs in, and taken literally, not as a glob):
    /// commits touching the path whose version holds the secret while no parent's version does,
    /// oldest first, with author and date. Nil when git could not answer.
    func commitsIntroducing(_ secret: [UInt8], at path: String) -> [(commit: CommitInfo, line: Int, column: Int)]? {
        let format = "--format=%H%x00%P%x00%an <%ae>%x00%aI%x00%cI"
        guard let log = try? GitChild.run(["log", "--all", "--full-history", "--topo-order", "--reverse", "-z", format, "--", ":(top,literal)" + path], in: repository.folder) else {
            return nil
        }
        var commits: [(info: CommitInfo, parents: [String])] = []
        // With -z, records are NUL-terminated; each record's fields are NUL-separated too, so
        // read five fields at a time.
        let fields = log.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self).trimmingWhitespace() }
        var index = 0
        while index + 4 < fields.count {
            let oid = fields[index]
            if oid.count >= 40 {
                let parents = fields[index + 1].split(separator: " ").map(String.init)
                commits.append((CommitInfo(oid: oid, author: fields[index + 2], authorDate: fields[index + 3], commitDate: fields[index + 4]), parents))
            }
            index += 5
        }
        var names: [String] = []
        for commit in commits {
            names.append(commit.info.oid + ":" + path)
            names += commit.parents.map { $0 + ":" + path }
        }
        let contents = objects(Array(Set(names)))
        func holds(_ name: String) -> Bool {
            guard let bytes = contents[name] else { return false }
            return ByteSearch.contains(bytes, secret)
        }
        return commits.compactMap { commit in
            let name = commit.info.oid + ":" + path
            guard let bytes = contents[name], let offset = ByteSearch.offsets(of: secret, in: bytes, limit: 1).first,
                  !commit.parents.contains(where: { holds($0 + ":" + path) }) else { return nil }
            let position = ByteSearch.position(of: offset, in: bytes)
            return (commit.info, position.line, position.column)
        }
    }

    /// Whether git ignores `path` (absolute), asked in the work tree that holds it; nil when
    /// the path is not in a work tree.
    static func isIgnored(_ path: String) -> Bool? {
        let folder = PathText.parent(of: path)
        guard FileManager.default.fileExists(atPath: folder),
              let top = try? GitChild.text(["rev-parse", "--show-toplevel"], in: folder), !top.isEmpty else { return nil }
        guard let child = try? GitChild(["check-ignore", "-q", "--", path], in: folder) else { return nil }
        _ = child.readAll()
        let (status, _) = child.wait()
        return status == 0
    }
}

/// Finding a secret's bytes in a buffer, and the lines it sits on.
enum ByteSearch {
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        !offsets(of: needle, in: haystack, limit: 1).isEmpty
    }

    static func offsets(of needle: [UInt8], in haystack: [UInt8], limit: Int = .max) -> [Int] {
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        var found: [Int] = []
        haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin in
                var start = 0
                while found.count < limit, start + pin.count <= hay.count,
                      let hit = memmem(hay.baseAddress! + start, hay.count - start, pin.baseAddress!, pin.count) {
                    let offset = hay.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    found.append(offset)
                    start = offset + 1
                }
            }
        }
        return found
    }

    /// 1-based line and byte column of `offset` in `bytes`.
    static func position(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return (line, offset - lineStart + 1)
    }

    /// The 1-based line and byte column of each of `offsets` (ascending), in one pass over
    /// `bytes`: a literal found 200,000 times in a file costs one read of it, not one per place.
    static func positions(of offsets: [Int], in bytes: [UInt8]) -> [(line: Int, column: Int)] {
        var result: [(line: Int, column: Int)] = []
        result.reserveCapacity(offsets.count)
        var line = 1, lineStart = 0, index = 0
        for offset in offsets {
            while index < min(offset, bytes.count) {
                if bytes[index] == 0x0A {
                    line += 1
                    lineStart = index + 1
                }
                index += 1
            }
            result.append((line, offset - lineStart + 1))
        }
        return result
    }

    /// The byte offset of 1-based (`line`, `column`), or nil when the text is shorter.
    static func offset(line: Int, column: Int, in bytes: [UInt8]) -> Int? {
        guard line >= 1, column >= 1 else { return nil }
        var currentLine = 1
        var index = 0
        while currentLine < line {
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else { return nil }
            index = newline + 1
            currentLine += 1
        }
        // The column comes from a report, which anyone can write: compared, not added, so a
        // column near Int.max cannot overflow.
        guard column - 1 <= bytes.count - index else { return nil }
        return index + column - 1
    }
}
