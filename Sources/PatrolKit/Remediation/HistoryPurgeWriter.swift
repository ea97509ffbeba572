import Foundation

/// The history purge: the commands after a push, in order, and what the hosting service keeps.
struct HistoryPurgeWriter {
    let facts: RepositoryFacts?
    let replacementsFile: String?
    let remoteNames: [String]

    /// `origins`: where the pushed secrets are; commit and tag messages are rewritten with
    /// `--replace-message` (the same replacements file), notes pushed again.
    func purge(secretCount: Int, fingerprints: [String], commits: [String], origins: Set<FindingOrigin> = [.file]) -> HistoryPurge {
        let remotes = facts?.remotes() ?? []
        let remote = remotes.first { remoteNames.contains($0.name) } ?? remotes.first
        let name = remote?.name ?? "origin"
        let url = remote.map { Shell.quote(absoluteURL($0.url)) } ?? "REPOSITORY-URL"
        let folder = PathText.lastComponent(of: (facts?.repository.root ?? "repository")).replacingOccurrences(of: ".git", with: "") + "-purge"
        let file = replacementsFile.map(Shell.quote) ?? "REPLACEMENTS-FILE"
        let messages = origins.contains(.commitMessage) || origins.contains(.tagMessage)
        var commands = [
            "git clone \(url) \(Shell.quote(folder))",
            "cd \(Shell.quote(folder))",
        ]
        if origins.contains(.note) {
            // A clone does not fetch notes unless asked.
            commands.append("git fetch \(url) 'refs/notes/*:refs/notes/*'")
        }
        commands += [
            "git filter-repo --replace-text \(file)" + (messages ? " --replace-message \(file)" : ""),
            "git remote add \(name) \(url)",
            "git push --force --all \(name)",
            "git push --force --tags \(name)",
        ]
        if origins.contains(.note) { commands.append("git push --force \(name) 'refs/notes/*'") }
        var notes = [
            "Run these in a fresh clone: `git filter-repo` refuses to rewrite a clone with local work, and removes the remote afterwards so nothing is pushed by accident (hence `git remote add`). Protected branches may need their protection lifted for the force-push.",
            "Every collaborator must re-clone: an old clone still holds the secrets, and a pull, merge or push from it brings them back. Forks and other mirrors keep their own copies.",
        ]
        if messages {
            notes.append("Secrets in commit or tag messages: `--replace-message` rewrites every commit and annotated tag message with the same replacements, which changes the ids of those commits and of every commit after them.")
        }
        if origins.contains(.note) {
            notes.append("Secrets in git notes: `--replace-text` rewrites the note blobs in `refs/notes/*`; a note stays attached to the old id of a commit the purge rewrote, so add it again (`git notes add -f`) on the new commit if it is still wanted, without the secret.")
        }
        let listed = commits.prefix(20).map { "`\($0)`" }.joined(separator: ", ") + (commits.count > 20 ? ", …" : "")
        let host = remote.map { HostingService(url: $0.url) } ?? .unknown
        switch host {
        case .github:
            notes.append("GitHub still serves the old commits by their ids, in cached views and through pull requests (`refs/pull/*`): ask GitHub Support to remove the cached views and dereference those pull requests, giving the commits \(listed).")
        case .azureDevOps:
            notes.append("Azure Repos keeps the commits that pull requests were built from, so the old commits stay reachable through pull requests and by id: ask Azure DevOps support to remove them, giving the commits \(listed).")
        case .gitlab:
            notes.append("GitLab keeps the old commits in merge-request refs and caches: after the push, run Settings → Repository → Repository maintenance → Repository cleanup with `.git/filter-repo/commit-map` from the purge clone, and ask support about the commits \(listed) if they stay visible.")
        case .bitbucket, .unknown:
            notes.append("The hosting service may still serve the old commits by id, in cached views and through pull requests: ask its support to purge them, giving the commits \(listed).")
        }
        return HistoryPurge(replacementsFile: replacementsFile, secretCount: secretCount, fingerprints: fingerprints, commits: commits, commands: commands, notes: notes)
    }

    /// A remote given as a relative path (`../shared.git`) is relative to the repository; the
    /// purge runs elsewhere, so it is made absolute.
    private func absoluteURL(_ url: String) -> String {
        guard url.hasPrefix("./") || url.hasPrefix("../"), let root = facts?.repository.root else { return url }
        return URL(fileURLWithPath: url, relativeTo: URL(fileURLWithPath: root, isDirectory: true)).standardizedFileURL.path
    }
}

/// Which service hosts a remote, from its URL: what it keeps after a force-push differs.
enum HostingService: Equatable {
    case github, azureDevOps, gitlab, bitbucket, unknown

    init(url: String) {
        let lowered = url.lowercased()
        if lowered.contains("github.com") { self = .github }
        else if lowered.contains("dev.azure.com") || lowered.contains("visualstudio.com") { self = .azureDevOps }
        else if lowered.contains("gitlab") { self = .gitlab }
        else if lowered.contains("bitbucket.org") { self = .bitbucket }
        else { self = .unknown }
    }
}

/// Quoting for the commands a plan prints.
enum Shell {
    /// `text` as one shell word: unchanged when it is plainly safe, else in single quotes.
    static func quote(_ text: String) -> String {
        let safe = !text.isEmpty && text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./:@%+=,".unicodeScalars.contains(scalar))
        }
        return safe ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
