import Foundation

/// A repository patrol reads history from: a work tree, a linked worktree or a bare repository.
struct GitRepository: Sendable {
    /// The folder git commands run in (`git -C`).
    let folder: String
    /// The top of the work tree, or the git directory of a bare repository.
    let root: String
    let isBare: Bool
    let isShallow: Bool
    /// A partial clone (a promisor remote): objects may be missing and are never fetched.
    let isPartial: Bool

    /// Opens `path` as a repository; throws when git is missing or it is not a repository.
    /// `checkPartial` asks git whether objects may be missing (not needed to read a diff).
    static func open(_ path: String, checkPartial: Bool = true) throws(GitError) -> GitRepository {
        try open(path, probe: try startProbe(path), checkPartial: checkPartial)
    }

    /// Starts the `rev-parse` that `open(_:probe:checkPartial:)` reads, so that it can run while
    /// the caller does something else.
    static func startProbe(_ path: String) throws(GitError) -> GitChild {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notARepository(path)
        }
        return try GitChild(["rev-parse", "--is-bare-repository", "--is-shallow-repository", "--absolute-git-dir", "--show-toplevel"], in: path)
    }

    /// Opens `path` from the answer of `probe` (`startProbe`).
    static func open(_ path: String, probe: GitChild, checkPartial: Bool) throws(GitError) -> GitRepository {
        let output: String
        do {
            output = try probe.text(command: "git rev-parse")
        } catch .gitMissing {
            throw .gitMissing
        } catch {
            // --show-toplevel fails in a bare repository; ask again without it.
            guard let bare = try? GitChild.text(["rev-parse", "--is-bare-repository", "--is-shallow-repository", "--absolute-git-dir"], in: path) else {
                throw .notARepository(path)
            }
            return try make(path: path, lines: bare.split(separator: "\n").map(String.init), checkPartial: checkPartial)
        }
        return try make(path: path, lines: output.split(separator: "\n").map(String.init), checkPartial: checkPartial)
    }

    private static func make(path: String, lines: [String], checkPartial: Bool) throws(GitError) -> GitRepository {
        guard lines.count >= 3 else { throw .notARepository(path) }
        let isBare = lines[0] == "true"
        let gitDirectory = lines[2]
        let root = !isBare && lines.count >= 4 ? lines[3] : gitDirectory
        let promisor = checkPartial ? (try? GitChild.text(["config", "--get-regexp", #"^(remote\..*\.promisor|extensions\.partialclone)$"#], in: path)) ?? "" : ""
        // A promisor pack marks a partial clone even when its configuration is gone.
        let packs = PathText.appending("objects/pack", to: gitDirectory)
        let promisorPack = checkPartial && ((try? FileManager.default.contentsOfDirectory(atPath: packs)) ?? []).contains { $0.hasSuffix(".promisor") }
        return GitRepository(
            folder: path,
            root: root,
            isBare: isBare,
            isShallow: lines[1] == "true",
            isPartial: !promisor.isEmpty || promisorPack
        )
    }

    /// Checks that each revision argument names something, so a typo is a clear error rather
    /// than an empty scan. Options such as `--not` or `--remotes` pass through.
    func verify(revisions: [String]) throws(GitError) {
        for revision in revisions where !revision.hasPrefix("-") {
            var names = [revision]
            if let range = revision.range(of: "...") ?? revision.range(of: "..") {
                names = [String(revision[..<range.lowerBound]), String(revision[range.upperBound...])].filter { !$0.isEmpty }
            }
            for name in names {
                let bare = name.hasPrefix("^") ? String(name.dropFirst()) : name
                do {
                    _ = try GitChild.run(["rev-parse", "--verify", "--quiet", "--end-of-options", bare + "^{commit}"], in: folder)
                } catch {
                    // A name that resolves to an object git cannot read (a corrupt commit) is no
                    // typo: the scan goes on and reports what it could not read.
                    if let oid = try? GitChild.text(["rev-parse", "--verify", "--quiet", "--end-of-options", bare], in: folder), !oid.isEmpty,
                       (try? GitChild.run(["cat-file", "-t", oid], in: folder)) == nil {
                        continue
                    }
                    throw .badRevision(revision, message: "not a commit in \(root)")
                }
            }
        }
    }
}
