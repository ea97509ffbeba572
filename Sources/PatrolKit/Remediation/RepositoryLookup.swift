import Foundation

/// The repositories a report's paths live in. A `history` or `diff` report has one, at
/// `target.root`; a `scan` report may name files of several (a scanned folder of clones, or
/// files given one by one), or of a repository above the scanned folder, so each file's own
/// folder is asked. Answers are cached: one `git rev-parse` per folder, one `git branch -r
/// --contains` per commit.
final class RepositoryLookup {
    let target: ScanTarget
    /// The repository at `target.root`, if it is in one.
    let root: RepositoryFacts?
    private var byFolder: [String: RepositoryFacts?] = [:]
    private var branches: [String: [String]?] = [:]

    init(target: ScanTarget) {
        self.target = target
        // A sweep of several repositories has no one root (its output names each).
        root = target.kind == "stdin" || target.root.isEmpty ? nil : RepositoryFacts.open(root: target.root)
    }

    /// Paths from the top of the repository, with commits: `history`, `diff`, and `sweep`
    /// output read back (JSON Lines).
    var isHistoryReport: Bool { target.kind == "git" || target.kind == "diff" || target.kind == "sweep" }

    /// The repository holding a reported path, and the path from its top.
    func repository(for path: String) -> (facts: RepositoryFacts, path: String)? {
        if target.kind == "stdin" { return nil }
        if isHistoryReport { return root.map { ($0, path) } }
        let absolute = path.hasPrefix("/") ? path : PathText.appending(path, to: target.root)
        let folder = PathText.parent(of: absolute)
        let facts: RepositoryFacts?
        if let cached = byFolder[folder] {
            facts = cached
        } else {
            facts = FileManager.default.fileExists(atPath: folder) ? RepositoryFacts.open(root: folder) : nil
            byFolder[folder] = facts
        }
        guard let facts, !facts.repository.isBare else { return nil }
        return (facts, facts.prefix + PathText.lastComponent(of: absolute))
    }

    /// Remote-tracking branches of `facts` holding `commit` (nil: git could not tell).
    func remoteBranches(containing commit: String, in facts: RepositoryFacts) -> [String]? {
        let key = facts.repository.root + "\u{0}" + commit
        if let cached = branches[key] { return cached }
        let answer = facts.remoteBranches(containing: commit)
        branches[key] = answer
        return answer
    }
}
