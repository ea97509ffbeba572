import Foundation
import Testing

/// `patrol history` on real repositories that git builds in temporary folders.
@Suite struct HistoryCommandTests {
    private func history(_ arguments: [String], in folder: TemporaryFolder) throws -> (RunResult, [[String: Any]]) {
        let result = try patrol(["history", "--format", "json", "--show-secrets"] + arguments, in: folder.url)
        let findings = (try? result.findings()) ?? []
        return (result, findings)
    }

    private func secrets(_ findings: [[String: Any]]) -> Set<String> {
        Set(findings.compactMap { $0["secret"] as? String })
    }

    @Test func findsSecretsOnlyInAMergeOnlyOnAnUnmergedBranchAddedThenRemovedAndInADeletedFile() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let removed = Tokens.cask(seed: 1), deleted = Tokens.legacy(seed: 2), side = Tokens.cask(seed: 3), merge = Tokens.cask(seed: 4), unmerged = Tokens.legacy(seed: 5)
        try repo.commit("start", ["README.md": "hello\n"])
        let added = try repo.commit("add a pat", ["app.env": "PAT=\(removed)\n"])
        try repo.commit("remove it", ["app.env": "PAT=${PAT}\n"])
        try repo.commit("add a file", ["old/config.ps1": "$pat = '\(deleted)'\n"])
        try repo.commit("delete it", ["old/config.ps1": nil])
        try repo.git("checkout", "-q", "-b", "feature")
        let sideCommit = try repo.commit("side", ["side.txt": "token \(side)\n"])
        try repo.git("checkout", "-q", "main")
        try repo.commit("main moves on", ["main.txt": "main\n"])
        try repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
        try repo.write("merged.yml", "adoPat: \(merge)\n")
        try repo.git("add", "merged.yml")
        try repo.git("commit", "-q", "-m", "merge with an evil change")
        let mergeCommit = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        try repo.git("checkout", "-q", "-b", "unmerged", "HEAD~1")
        try repo.commit("never merged", ["wip.txt": "x=\(unmerged)\n"])
        try repo.git("checkout", "-q", "main")

        let (result, findings) = try history([], in: repo)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(secrets(findings) == [removed, deleted, side, merge, unmerged])
        let byPath = Dictionary(uniqueKeysWithValues: findings.map { ($0["path"] as! String, $0) })
        #expect(byPath["app.env"]?["commit"] as? String == added)
        #expect(byPath["app.env"]?["author"] as? String == "Test <test@example.com>")
        #expect(byPath["app.env"]?["line"] as? Int == 1)
        #expect(byPath["app.env"]?["column"] as? Int == 5)
        #expect(byPath["merged.yml"]?["commit"] as? String == mergeCommit)
        // The merge carries side.txt from its branch but did not introduce it.
        let sideLocations = try #require(byPath["side.txt"]?["locations"] as? [[String: Any]])
        #expect(sideLocations.map { $0["commit"] as? String } == [sideCommit])
        #expect(byPath["old/config.ps1"] != nil && byPath["wip.txt"] != nil)
        let json = try result.json()
        #expect((json["target"] as? [String: Any])?["kind"] as? String == "git")
    }

    /// `git merge -s ours` keeps the first parent's tree: git then shows no diff against that
    /// parent, and the diff against the other lists the first parent's own changes — which the
    /// merge did not introduce, in a range or over all refs.
    @Test func mergeThatKeepsItsFirstParentsTreeIntroducesNothing() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let secret = Tokens.cask(seed: 16)
        try repo.commit("start", ["README.md": "hello\n"])
        try repo.git("checkout", "-q", "-b", "side")
        try repo.commit("side work", ["side.txt": "nothing here\n"])
        try repo.git("checkout", "-q", "main")
        let added = try repo.commit("add a pat", ["app.env": "PAT=\(secret)\n"])
        try repo.git("merge", "-q", "-s", "ours", "--no-edit", "side")
        let (range, _) = try history([".", "\(added)..HEAD"], in: repo)
        #expect(range.status == 0, "the secret came before the range: \(range.stdout)")
        let (all, findings) = try history([], in: repo)
        #expect(all.status == 1, "\(all.stderr)")
        let locations = try #require(findings.first?["locations"] as? [[String: Any]])
        #expect(locations.map { $0["commit"] as? String } == [added])
    }

    @Test func eachDistinctBlobIsScannedOnce() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.cask(seed: 6)
        try repo.commit("one", ["a.txt": "pat=\(token)\n", "b.txt": "same\n"])
        for index in 0..<5 {
            try repo.commit("touch \(index)", ["counter.txt": "\(index)\n"])   // a.txt's blob is carried by every commit
        }
        try repo.commit("copy", ["copy/a.txt": "pat=\(token)\n"])              // the same blob at a second path
        let (result, findings) = try history([], in: repo)
        let stats = try #require(try result.json()["stats"] as? [String: Any])
        // Distinct blobs: a.txt (= copy/a.txt), b.txt, and five counter.txt versions.
        #expect(stats["blobs"] as? Int == 7)
        #expect(findings.compactMap { $0["path"] as? String }.sorted() == ["a.txt", "copy/a.txt"])
        #expect(findings.allSatisfy { ($0["locations"] as? [Any])?.count == 1 })
    }

    @Test func rangeScansBlobsIntroducedInsideItOnly() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let before = Tokens.cask(seed: 7), inside = Tokens.cask(seed: 8)
        try repo.commit("base", ["a.txt": "a\n"])
        try repo.commit("leak before", ["old.txt": before + "\n"])
        let start = try repo.commit("fixed before", ["old.txt": "clean\n"])
        try repo.commit("leak inside", ["new.txt": inside + "\n"])
        try repo.commit("fixed inside", ["new.txt": "clean\n"])

        let (result, findings) = try history([".", "\(start)..HEAD"], in: repo)
        #expect(result.status == 1)
        #expect(secrets(findings) == [inside])
        #expect((try result.json()["target"] as? [String: Any])?["revs"] as? [String] == ["\(start)..HEAD"])
        // The first argument may be the range itself when it is not a folder.
        #expect(secrets(try history(["\(start)..HEAD"], in: repo).1) == [inside])
        // Arguments after -- go to git as they are.
        #expect(secrets(try history(["--", "HEAD", "--not", start], in: repo).1) == [inside])
        // Reachable from a revision: everything it contains.
        #expect(secrets(try history([".", "HEAD~2"], in: repo).1) == [before])
    }

    @Test func unreachableBlobsOnlyWithTheFlag() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.cask(seed: 9)
        try repo.commit("base", ["a.txt": "a\n"])
        try repo.commit("oops", ["secret.txt": token + "\n"])
        try repo.git("reset", "-q", "--hard", "HEAD~1")
        try repo.git("reflog", "expire", "--expire=now", "--all")

        let (plain, findings) = try history([], in: repo)
        #expect(plain.status == 0)
        #expect(findings.isEmpty)
        #expect(plain.stderr.contains("--unreachable"))
        let (flagged, unreachable) = try history(["--unreachable"], in: repo)
        #expect(flagged.status == 1)
        #expect(secrets(unreachable) == [token])
        #expect((unreachable.first?["path"] as? String)?.hasPrefix("(unreachable blob ") == true)
        #expect(unreachable.first?["commit"] is NSNull)
    }

    @Test func bareRepositoriesAndLinkedWorktreesWork() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.legacy(seed: 10)
        try repo.commit("leak", ["ci/pipeline.yml": "variables:\n  pat: \(token)\n"])
        let bare = try TemporaryFolder()
        try bare.git("clone", "-q", "--bare", repo.path, "mirror.git")
        let bareResult = try patrol(["history", bare.url.appendingPathComponent("mirror.git").path, "--format", "json"])
        #expect(bareResult.status == 1, "\(bareResult.stderr)")
        #expect(try bareResult.findings().first?["path"] as? String == "ci/pipeline.yml")

        let worktree = repo.url.appendingPathComponent("linked")
        try repo.git("worktree", "add", "-q", worktree.path)
        let linked = try patrol(["history", worktree.path, "--format", "json"])
        #expect(linked.status == 1)
        #expect(try linked.findings().count == 1)
    }

    @Test func submoduleGitlinksAreSkipped() throws {
        let inner = try TemporaryFolder()
        try inner.git("init", "-q")
        try inner.commit("inner", ["inner.txt": "pat=\(Tokens.cask(seed: 11))\n"])
        let outer = try TemporaryFolder()
        try outer.git("init", "-q")
        try outer.commit("outer", ["README": "outer\n"])
        try outer.git("submodule", "add", "-q", inner.path, "vendor/inner")
        try outer.git("commit", "-q", "-m", "add submodule")
        let (result, findings) = try history([], in: outer)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(findings.isEmpty)
    }

    @Test func shallowClonesWarnAndMissingObjectsAreSkipped() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let old = Tokens.cask(seed: 12), recent = Tokens.cask(seed: 13)
        try repo.commit("old", ["old.txt": old + "\n"])
        try repo.commit("gone", ["old.txt": nil])
        try repo.commit("recent", ["new.txt": recent + "\n"])
        let clones = try TemporaryFolder()
        try clones.git("clone", "-q", "--depth", "1", "file://" + repo.path, "shallow")
        let shallow = try patrol(["history", clones.url.appendingPathComponent("shallow").path, "--format", "json", "--show-secrets"])
        #expect(shallow.status == 1)
        #expect(try Set(shallow.findings().compactMap { $0["secret"] as? String }) == [recent])
        #expect(shallow.stderr.contains("shallow clone"))
        #expect(shallow.stderr.contains("git fetch --unshallow"))

        // Remove a blob from a copy of the repository: the scan goes on and says so.
        try clones.git("clone", "-q", "--no-local", repo.path, "broken")
        let broken = clones.url.appendingPathComponent("broken")
        let blob = try clones.git(["rev-parse", "HEAD:new.txt"], in: "broken").trimmingCharacters(in: .whitespacesAndNewlines)
        try explodeAndRemove(object: blob, repository: broken, folder: clones)
        let result = try patrol(["history", broken.path, "--", "HEAD"])
        #expect(result.status == 1, "\(result.stderr)")   // the older blob is still found
        #expect(result.stderr.contains("missing"))
        #expect(try patrol(["history", broken.path, "--strict", "--", "HEAD"]).status == 1)
        #expect(try patrol(["history", broken.path, "--", "HEAD", "--not", "HEAD~1"]).status == 0)
        let strictOnly = try patrol(["history", broken.path, "--strict", "--", "HEAD", "--not", "HEAD~1"])
        #expect(strictOnly.status == 2, "\(strictOnly.stderr)")
    }

    @Test func missingObjectsOfAllRefsAreReportedForPartialClonesAndWithStrict() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.git("config", "uploadpack.allowFilter", "true")
        let old = Tokens.cask(seed: 14), recent = Tokens.cask(seed: 15)
        try repo.commit("old", ["old.txt": old + "\n"])
        try repo.commit("gone", ["old.txt": nil])
        let clones = try TemporaryFolder()
        // A blob-less partial clone holds only the blobs of the checked-out commit.
        try clones.git("clone", "-q", "--filter=blob:none", "--no-local", "file://" + repo.path, "partial")
        let partial = clones.url.appendingPathComponent("partial").path
        let scan = try patrol(["history", partial])
        #expect(scan.status == 0, "\(scan.stderr)")
        #expect(scan.stderr.contains("partial clone"), "\(scan.stderr)")
        #expect(scan.stderr.contains("1 object of the history is not present locally"), "\(scan.stderr)")
        let strict = try patrol(["history", partial, "--strict"])
        #expect(strict.status == 2, "\(strict.stderr)")

        // A damaged full clone: listing all objects cannot see the hole; --strict walks for it.
        try repo.commit("recent", ["new.txt": recent + "\n"])
        try clones.git("clone", "-q", "--no-local", repo.path, "broken")
        let broken = clones.url.appendingPathComponent("broken")
        let blob = try clones.git(["rev-parse", "HEAD:new.txt"], in: "broken").trimmingCharacters(in: .whitespacesAndNewlines)
        try explodeAndRemove(object: blob, repository: broken, folder: clones)
        let walked = try patrol(["history", broken.path, "--strict", "--format", "json"])
        #expect(walked.status == 1, "\(walked.stderr)")   // the old secret is still found: findings win
        let errors = try #require(try walked.json()["errors"] as? [[String: Any]])
        #expect(errors.compactMap { $0["path"] as? String } == ["object \(blob)"])
    }

    /// Turns the pack into loose objects and deletes one.
    private func explodeAndRemove(object: String, repository: URL, folder: TemporaryFolder) throws {
        let objects = repository.appendingPathComponent(".git/objects")
        let packs = try FileManager.default.contentsOfDirectory(atPath: objects.appendingPathComponent("pack").path)
        let moved = folder.url.appendingPathComponent("packs")
        try FileManager.default.createDirectory(at: moved, withIntermediateDirectories: true)
        for name in packs {
            try FileManager.default.moveItem(at: objects.appendingPathComponent("pack/\(name)"), to: moved.appendingPathComponent(name))
        }
        for name in packs where name.hasSuffix(".pack") {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git", "-C", repository.path, "unpack-objects", "-q"]
            process.standardInput = try FileHandle(forReadingFrom: moved.appendingPathComponent(name))
            try process.run()
            process.waitUntilExit()
        }
        let loose = objects.appendingPathComponent(String(object.prefix(2))).appendingPathComponent(String(object.dropFirst(2)))
        try FileManager.default.removeItem(at: loose)
    }

    @Test func notARepositoryOrABadRevisionExitsTwo() throws {
        let folder = try TemporaryFolder()
        let result = try patrol(["history", folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("not a git repository"))
        try folder.git("init", "-q")
        try folder.commit("one", ["a": "a\n"])
        let typo = try patrol(["history", folder.path, "mian"])
        #expect(typo.status == 2)
        #expect(typo.stderr.contains("mian"))
    }

    @Test func configurationOfTheRepositoryApplies() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("fixtures", ["tests/fixtures/pat.txt": Tokens.cask(seed: 14) + "\n", ".patrol.yml": "allow:\n  paths: [tests/fixtures/]\n"])
        #expect(try patrol(["history", repo.path]).status == 0)
        // A bare clone reads .patrol.yml from HEAD's tree.
        let bare = try TemporaryFolder()
        try bare.git("clone", "-q", "--bare", repo.path, "b.git")
        #expect(try patrol(["history", bare.url.appendingPathComponent("b.git").path]).status == 0)
    }
}
