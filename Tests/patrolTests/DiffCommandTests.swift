import Foundation
import Testing

/// `patrol diff`: only added lines, at their line in the new file.
@Suite struct DiffCommandTests {
    private func diff(_ arguments: [String], in folder: TemporaryFolder, stdin: Data? = nil) throws -> (RunResult, [[String: Any]]) {
        let result = try patrol(["diff", "--format", "json", "--show-secrets"] + arguments, in: folder.url, stdin: stdin)
        return (result, (try? result.findings()) ?? [])
    }

    @Test func workingTreeAndStagedChangesAgainstHead() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let existing = Tokens.cask(seed: 1), staged = Tokens.cask(seed: 2), unstaged = Tokens.legacy(seed: 3)
        try repo.commit("base", ["a.txt": "one\n\(existing)\nthree\n", "b.txt": "b\n"])
        try repo.write("a.txt", "one\n\(existing)\nthree\nfour \(staged)\n")
        try repo.git("add", "a.txt")
        try repo.write("b.txt", "b\nline2\nline3 \(unstaged)\n")

        let (all, allFindings) = try diff([], in: repo)
        #expect(all.status == 1)
        #expect(Set(allFindings.compactMap { $0["secret"] as? String }) == [staged, unstaged], "the committed token is not part of the change")
        let placed = allFindings.map { "\($0["path"]!):\($0["line"]!):\($0["column"]!)" }.sorted()
        #expect(placed == ["a.txt:4:6", "b.txt:3:7"])

        let (_, stagedFindings) = try diff(["--staged"], in: repo)
        #expect(stagedFindings.compactMap { $0["secret"] as? String } == [staged])
        #expect(try patrol(["diff", "--staged"], in: repo.url).status == 1)
    }

    @Test func firstCommitOfARepositoryIsDiffedAgainstNothing() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.cask(seed: 4)
        try repo.write("first.txt", "pat: \(token)\n")
        try repo.git("add", ".")
        let (staged, findings) = try diff(["--staged"], in: repo)
        #expect(staged.status == 1, "\(staged.stderr)")
        #expect(findings.first?["line"] as? Int == 1)
        let first = try repo.commit("first")
        let (revision, byCommit) = try diff([first], in: repo)
        #expect(revision.status == 1)
        #expect(byCommit.first?["commit"] as? String == first)
    }

    @Test func renamesModeChangesDeletionsBinaryAndNoNewlineAtEnd() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let kept = Tokens.cask(seed: 5), added = Tokens.cask(seed: 6)
        var long = (1...30).map { "line \($0)" }
        long[10] = "pat=\(kept)"
        try repo.commit("base", ["old/name.txt": long.joined(separator: "\n") + "\n", "gone.txt": "bye \(Tokens.legacy(seed: 7))\n", "tool.sh": "echo\n"])
        try FileManager.default.createDirectory(at: repo.url.appendingPathComponent("new"), withIntermediateDirectories: true)
        try repo.git("mv", "old/name.txt", "new/name.txt")
        var changed = long
        changed[20] = "added=\(added)"
        try repo.write("new/name.txt", changed.joined(separator: "\n"))          // also drops the final newline
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent("gone.txt"))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repo.url.appendingPathComponent("tool.sh").path)
        var binary = Data([0, 1, 2, 0])
        binary.append(Data(added.utf8))
        try repo.write("blob.bin", binary)
        try repo.git("add", "-A")
        let commit = try repo.commit("rename and more")

        let (result, findings) = try diff([commit], in: repo)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(findings.count == 1)
        #expect(findings.first?["path"] as? String == "new/name.txt")
        #expect(findings.first?["line"] as? Int == 21)
        #expect(findings.first?["secret"] as? String == added)
    }

    @Test func rangeScansEveryCommitSoAddedThenRemovedIsFound() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.cask(seed: 8), evil = Tokens.cask(seed: 9)
        let base = try repo.commit("base", ["a.txt": "a\n"])
        let leak = try repo.commit("leak", ["a.txt": "a\n\(token)\n"])
        try repo.commit("fix", ["a.txt": "a\n"])
        try repo.git("checkout", "-q", "-b", "side")
        try repo.commit("side", ["side.txt": "s\n"])
        try repo.git("checkout", "-q", "main")
        try repo.commit("main", ["main.txt": "m\n"])
        try repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
        try repo.write("main.txt", "m\nevil=\(evil)\n")
        try repo.git("add", ".")
        try repo.git("commit", "-q", "-m", "merge")

        let (result, findings) = try diff(["\(base)..HEAD"], in: repo)
        #expect(result.status == 1)
        let byCommit = Dictionary(uniqueKeysWithValues: findings.map { ($0["secret"] as! String, $0) })
        #expect(byCommit[token]?["commit"] as? String == leak)
        #expect(byCommit[token]?["line"] as? Int == 2)
        #expect(byCommit[evil]?["path"] as? String == "main.txt")
        #expect(byCommit[evil]?["line"] as? Int == 2)
        #expect((byCommit[evil]?["locations"] as? [Any])?.count == 1)
        // The merge commit alone, against its first parent.
        #expect(try diff(["HEAD"], in: repo).1.compactMap { $0["secret"] as? String } == [evil])
    }

    @Test func unifiedDiffOnStandardInput() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.legacy(seed: 10)
        let patch = """
            From 1234 Mon Sep 17 00:00:00 2001
            Subject: [PATCH] add settings

            diff --git a/conf/settings.ini b/conf/settings.ini
            index 111..222 100644
            --- a/conf/settings.ini
            +++ b/conf/settings.ini
            @@ -3,2 +3,3 @@ [auth]
             user = build
            -token = old
            +token = \(token)
            +mode = ci
            \\ No newline at end of file

            """
        let (result, findings) = try diff(["-"], in: folder, stdin: Data(patch.utf8))
        #expect(result.status == 1, "\(result.stderr)")
        #expect(findings.first?["path"] as? String == "conf/settings.ini")
        #expect(findings.first?["line"] as? Int == 4)
        #expect(findings.first?["column"] as? Int == 9)

        let plain = "--- a.txt\t2024-01-01\n+++ b.txt\t2024-01-02\n@@ -0,0 +1 @@\n+\(token)\n"
        let (plainResult, plainFindings) = try diff(["-"], in: folder, stdin: Data(plain.utf8))
        #expect(plainResult.status == 1)
        #expect(plainFindings.first?["path"] as? String == "b.txt")
    }

    @Test func malformedDiffExitsTwoNamingTheLine() throws {
        let folder = try TemporaryFolder()
        let bad = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,1 +1,2 @@\n+one\n?two\n"
        let result = try patrol(["diff", "-"], in: folder.url, stdin: Data(bad.utf8))
        #expect(result.status == 2)
        #expect(result.stderr.contains("malformed diff at line 6"))
        let header = try patrol(["diff", "-"], in: folder.url, stdin: Data("--- a\n+++ b\n@@ nonsense @@\n".utf8))
        #expect(header.status == 2)
        #expect(header.stderr.contains("line 3"))
        let truncated = try patrol(["diff", "-"], in: folder.url, stdin: Data("--- a\n+++ b\n@@ -1 +1,3 @@\n+x\n".utf8))
        #expect(truncated.status == 2)
        #expect(truncated.stderr.contains("ends inside a hunk"))
    }

    @Test func outsideARepositoryDiffExitsTwo() throws {
        let folder = try TemporaryFolder()
        let result = try patrol(["diff", "--staged"], in: folder.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a git repository"))
    }

    /// git starts on a staged diff before the rules load; a configuration that fails to load
    /// must still end the run with its own error (and leave no git waiting).
    @Test func stagedDiffWithABrokenConfigurationReportsTheConfiguration() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.write("a.txt", "pat: \(Tokens.cask(seed: 5))\n")
        try repo.git("add", "a.txt")
        try repo.write(".patrol.yml", "allow: [\n")
        let result = try patrol(["diff", "--staged"], in: repo.url)
        #expect(result.status == 2)
        #expect(result.stderr.contains(".patrol.yml: not valid YAML"), "\(result.stderr)")
        let rules = try patrol(["diff", "--staged", "--no-config", "--rules", "missing-folder"], in: repo.url)
        #expect(rules.status == 2)
        #expect(rules.stderr.contains("missing-folder: no such rules folder"), "\(rules.stderr)")
        // The same staged change, with the configuration fixed, is found.
        try repo.write(".patrol.yml", "generic: true\n")
        #expect(try patrol(["diff", "--staged"], in: repo.url).status == 1)
    }

    @Test func stagedDiffOfAnotherRepositoryFolder() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("base", ["a.txt": "one\n"])
        try repo.write("a.txt", "one\ntwo \(Tokens.cask(seed: 6))\n")
        try repo.git("add", "a.txt")
        let elsewhere = try TemporaryFolder()
        let result = try patrol(["diff", "--staged", "--repository", repo.url.path, "--format", "json"], in: elsewhere.url)
        #expect(result.status == 1)
        #expect(try result.findings().map { "\($0["path"]!):\($0["line"]!)" } == ["a.txt:2"])
    }
}
