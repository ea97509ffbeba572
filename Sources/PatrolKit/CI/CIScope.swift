import Foundation

/// What `patrol ci` scans for an event, resolved with git: the revisions the history scan
/// takes, how many commits that is, and why — so that the log says what was and was not looked at.
///
/// The rule everywhere: scan at least what the event adds, never less. A commit that is on
/// another remote branch was scanned when that branch was pushed; anything the resolver cannot
/// place (a `before` that is gone after a force-push, a marker that is no ancestor) widens the
/// scan, and a shallow clone whose edge cuts into the commits is an error, not a smaller scan.
public struct CIScope: Sendable, Equatable {
    /// "new branch: 3 commits not on any other remote branch".
    public var summary: String
    /// Revisions for `HistoryOptions.revisions`; empty: every ref.
    public var revisions: [String]
    /// Exactly these commits (`HistoryOptions.commits`), when the scope is a union of ranges.
    public var commits: [String]?
    public var commitCount: Int
    /// The commit a clean scan records in the state file (`--state`), if any.
    public var head: String?

    /// Resolves `event` in the repository at `path`. `state` is the marker file of Azure CI
    /// builds; `note` receives what the resolver does on the way (deepening a shallow clone).
    public static func resolve(_ event: CIEvent, repository path: String, state: String?, note: (String) -> Void) throws(CIError) -> CIScope {
        let git = CIGit(folder: path)
        let repository: GitRepository
        do { repository = try GitRepository.open(path, checkPartial: false) } catch { throw .git(error) }
        var shallow = repository.isShallow
        if shallow {
            let remotes = (try? git.lines(["remote"])) ?? []
            if let remote = remotes.contains("origin") ? "origin" : remotes.first {
                note("patrol ci: shallow clone: fetching the rest of the history (git fetch --unshallow \(remote))")
                do {
                    _ = try git.lines(["fetch", "--quiet", "--unshallow", remote])
                } catch {
                    note("patrol ci: warning: git fetch --unshallow failed: \(error.description)")
                }
                shallow = (try? git.lines(["rev-parse", "--is-shallow-repository"]))?.first == "true"
            }
        }
        var scope = try plan(for: event, git: git, state: state)
        // Count the commits, and refuse a scan that reaches the edge of a shallow clone: past
        // that edge are commits the event may add that are not here to scan.
        let commits: [String]
        if let listed = scope.commits {
            commits = listed
        } else {
            do { commits = try git.lines(["rev-list"] + (scope.revisions.isEmpty ? ["--all"] : scope.revisions)) } catch { throw .git(error) }
        }
        scope.commitCount = commits.count
        scope.summary = scope.summary.replacingOccurrences(of: "{count}", with: TextReport.plural(commits.count, "commit"))
        if shallow {
            let edge = Set(((try? git.lines(["rev-parse", "--git-path", "shallow"])).flatMap(\.first))
                .flatMap { try? String(contentsOfFile: ($0.hasPrefix("/") ? $0 : PathText.appending($0, to: path)), encoding: .utf8) }?
                .split(separator: "\n").map(String.init) ?? [])
            if commits.contains(where: edge.contains) {
                throw .shallow(event.provider, "\(event.provider.rawValue) \(event.name): cannot tell what it adds")
            }
        }
        return scope
    }

    private static func plan(for event: CIEvent, git: CIGit, state: String?) throws(CIError) -> CIScope {
        let provider = event.provider
        switch event.selection {
        case .range(let base, let head):
            let headCommit = try git.commit(head, provider: provider, what: "the head commit")
            let baseCommit = try git.commit(base, provider: provider, what: "the base commit")
            return CIScope(summary: "{count} in \(short(baseCommit))..\(short(headCommit))", revisions: [headCommit, "^" + baseCommit], commitCount: 0, head: headCommit)

        case .push(let before, let after, let branch):
            if CIEvent.isZero(after) {
                return CIScope(summary: "the branch was deleted: nothing to scan", revisions: [], commits: [], commitCount: 0)
            }
            let afterCommit = try git.commit(after, provider: provider, what: "the pushed commit")
            var why = branch == nil ? "" : "new branch"
            if let before {
                if let beforeCommit = git.resolve(before), git.isAncestor(beforeCommit, of: afterCommit) {
                    return CIScope(summary: "{count} in \(short(beforeCommit))..\(short(afterCommit))", revisions: [afterCommit, "^" + beforeCommit], commitCount: 0, head: afterCommit)
                }
                why = "force-push (\(short(before)) is \(git.resolve(before) == nil ? "not in this checkout" : "not an ancestor"))"
            }
            let tips = try git.remoteTips(remote: nil, except: branch)
            let which = branch == nil ? "any remote branch" : "any other remote branch"
            let summary = (why.isEmpty ? "" : why + ": ") + (tips.isEmpty ? "no \(which.dropFirst(4)), so the whole history: {count}" : "{count} not on \(which)")
            return CIScope(summary: summary, revisions: [afterCommit] + (tips.isEmpty ? [] : ["--not"] + tips), commitCount: 0, head: afterCommit)

        case .sinceMarker(let head):
            let headCommit = try git.commit(head, provider: provider, what: "the built commit")
            guard let state else {
                return CIScope(summary: "no --state file, so the whole history: {count}", revisions: [headCommit], commitCount: 0, head: headCommit)
            }
            let marker: String
            do {
                marker = try String(contentsOfFile: state, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                guard !FileManager.default.fileExists(atPath: state) else { throw .state(state, error.localizedDescription) }
                return CIScope(summary: "no marker from a previous build yet, so the whole history: {count}", revisions: [headCommit], commitCount: 0, head: headCommit)
            }
            guard let markerCommit = git.resolve(marker), git.isAncestor(markerCommit, of: headCommit) else {
                return CIScope(summary: "the last scanned commit \(short(marker)) is not an ancestor (a force-push?), so the whole history: {count}", revisions: [headCommit], commitCount: 0, head: headCommit)
            }
            return CIScope(summary: "{count} since the last scanned commit \(short(markerCommit))", revisions: [headCommit, "^" + markerCommit], commitCount: 0, head: headCommit)

        case .history(let head):
            let headCommit = try git.commit(head, provider: provider, what: "the commit")
            return CIScope(summary: "the whole history of \(short(headCommit)): {count}", revisions: [headCommit], commitCount: 0, head: headCommit)

        case .allRefs:
            return CIScope(summary: "all history: {count} of every ref", revisions: [], commitCount: 0, head: git.resolve("HEAD"))

        case .pushedRefs(let refs, let remote):
            // The pre-push hook's rule for each ref: what the remote's old tip lacks, or for a
            // new branch (or an old tip we do not have) what no branch of the remote has.
            var selections: [[String]] = []
            for ref in refs {
                let local = try git.commit(ref.localSha, provider: provider, what: "the pushed commit")
                if let remoteSha = ref.remoteSha, let old = git.resolve(remoteSha) {
                    selections.append([local, "^" + old])
                } else {
                    let tips = try git.remoteTips(remote: remote, except: nil)
                    selections.append([local] + (tips.isEmpty ? [] : ["--not"] + tips))
                }
            }
            let summary = "{count} that \(remote) does not have"
            if selections.count == 1 {
                return CIScope(summary: summary, revisions: selections[0], commitCount: 0)
            }
            var seen = Set<String>()
            var union: [String] = []
            for selection in selections {
                let listed: [String]
                do { listed = try git.lines(["rev-list"] + selection) } catch { throw .git(error) }
                for commit in listed where seen.insert(commit).inserted { union.append(commit) }
            }
            return CIScope(summary: summary, revisions: [], commits: union, commitCount: union.count)
        }
    }

    /// Records `commit` as scanned clean in the state file, creating its folder.
    public static func writeState(_ commit: String, to path: String) throws(CIError) {
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((commit + "\n").utf8).write(to: url)
        } catch {
            throw .state(path, "cannot write it: \(error.localizedDescription)")
        }
    }

    static func short(_ commit: String) -> String { String(commit.prefix(12)) }
}

/// The few git questions the resolver asks.
struct CIGit {
    let folder: String

    func lines(_ arguments: [String]) throws(GitError) -> [String] {
        try GitChild.text(arguments, in: folder).split(separator: "\n").map(String.init)
    }

    /// The commit `name` names, or nil.
    func resolve(_ name: String) -> String? {
        for candidate in [name, "refs/remotes/origin/" + name] {
            if let commit = try? GitChild.text(["rev-parse", "--verify", "--quiet", "--end-of-options", candidate + "^{commit}"], in: folder), !commit.isEmpty {
                return commit
            }
        }
        return nil
    }

    func commit(_ name: String, provider: CIEvent.Provider, what: String) throws(CIError) -> String {
        guard let commit = resolve(name) else { throw .missingCommit(provider, what: what, commit: name) }
        return commit
    }

    func isAncestor(_ ancestor: String, of commit: String) -> Bool {
        (try? GitChild.run(["merge-base", "--is-ancestor", ancestor, commit], in: folder)) != nil
    }

    /// The commits remote-tracking branches point at (of `remote`, or of every remote), leaving
    /// out `except` on any remote and symbolic refs such as origin/HEAD.
    func remoteTips(remote: String?, except branch: String?) throws(CIError) -> [String] {
        let remotes: [String]
        let refs: [String]
        do {
            remotes = try lines(["remote"])
            refs = try lines(["for-each-ref", "--format=%(objectname) %(refname) %(symref)", "refs/remotes/"])
        } catch {
            throw .git(error)
        }
        let excluded = Set(branch.map { name in remotes.map { "refs/remotes/\($0)/\(name)" } } ?? [])
        var tips: [String] = []
        var seen = Set<String>()
        for line in refs {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 2, fields.count < 3 || fields[2].isEmpty, !excluded.contains(fields[1]) else { continue }
            if let remote, !fields[1].hasPrefix("refs/remotes/\(remote)/") { continue }
            if seen.insert(fields[0]).inserted { tips.append(fields[0]) }
        }
        return tips
    }
}
