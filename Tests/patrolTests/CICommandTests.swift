import Foundation
import Testing

/// `patrol ci` on real repositories with the environment each CI sets: every event must find the
/// secret it adds, or fail loudly.
@Suite struct CICommandTests {
    func githubPush(_ repo: PushedRepository, in ci: TemporaryFolder, ref: String = "refs/heads/main", before: String, after: String, arguments: [String] = []) throws -> RunResult {
        let event = try repo.event(["ref": ref, "before": before, "after": after])
        return try patrol(["ci"] + arguments, in: ci.url, environment: ciEnvironment([
            "GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": event, "GITHUB_SHA": after, "GITHUB_REF": ref,
        ]))
    }

    @Test func githubFirstPushFindsTheSecretInTheRootCommitAndWritesEveryReport() throws {
        let repo = try PushedRepository()
        let token = Tokens.cask(seed: 1301)
        try repo.work.commit("root", ["config/app.env": "PAT=\(token)\n"])
        try repo.work.commit("clean", ["README": "hello\n"])
        try repo.work.git("push", "-q", "origin", "main")
        let ci = try repo.checkout()
        let reports = try TemporaryFolder()
        let sarif = reports.url.appendingPathComponent("patrol.sarif").path
        let junit = reports.url.appendingPathComponent("patrol.xml").path
        let json = reports.url.appendingPathComponent("patrol.json").path
        let run = try githubPush(repo, in: ci, before: zeroCommit, after: try repo.sha("HEAD"), arguments: ["--sarif", sarif, "--junit", junit, "--json", json])
        expectFound(run, token)
        #expect(run.stderr.contains("patrol ci: GitHub push to main, new branch: no other remote branch, so the whole history: 2 commits"), "\(run.stderr)")
        #expect(run.stdout.contains("::error file=config/app.env,line=1,col=5,endLine=1,"), "\(run.stdout)")
        #expect(run.stdout.contains(",title=patrol%3A azure-devops-pat::Azure DevOps"), "\(run.stdout)")
        #expect(run.stderr.contains("build failed: 1 secret"), "\(run.stderr)")

        let sarifObject = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sarif))) as? [String: Any])
        let results = try #require(((sarifObject["runs"] as? [[String: Any]])?.first?["results"]) as? [[String: Any]])
        #expect(results.count == 1)
        let junitText = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(junitText.contains("<testsuite") && junitText.contains("<failure"), "\(junitText)")
        let jsonObject = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let findings = try #require(jsonObject["findings"] as? [[String: Any]])
        #expect(findings.map { $0["path"] as? String } == ["config/app.env"])
        for file in [sarif, junit, json] {
            #expect(!(try String(contentsOfFile: file, encoding: .utf8)).contains(token), "\(file) holds the secret")
        }
    }

    @Test func githubTwoCommitPushFindsTheSecretInTheFirstCommit() throws {
        let repo = try PushedRepository()
        let base = try repo.work.commit("base", ["a.txt": "a\n"])
        try repo.work.git("push", "-q", "origin", "main")
        let token = Tokens.cask(seed: 1302)
        try repo.work.commit("leak", ["b.txt": "pat: \(token)\n"])
        try repo.work.commit("remove it again", ["b.txt": nil])
        try repo.work.git("push", "-q", "origin", "main")
        let ci = try repo.checkout()
        let run = try githubPush(repo, in: ci, before: base, after: try repo.sha("HEAD"))
        expectFound(run, token)
        #expect(run.stderr.contains("GitHub push to main, 2 commits in \(base.prefix(12))..") , "\(run.stderr)")
    }

    @Test func githubForcePushScansTheCommitsNoOtherBranchHas() throws {
        let repo = try PushedRepository()
        try repo.work.commit("base", ["a.txt": "a\n"])
        let old = try repo.work.commit("old tip", ["b.txt": "b\n"])
        try repo.work.git("push", "-q", "origin", "main")
        try repo.work.git("reset", "-q", "--hard", "HEAD~1")
        let token = Tokens.cask(seed: 1303)
        try repo.work.commit("rewritten", ["c.txt": "pat=\(token)\n"])
        try repo.work.git("push", "-q", "--force", "origin", "main")
        let ci = try repo.checkout()
        let run = try githubPush(repo, in: ci, before: old, after: try repo.sha("HEAD"))
        expectFound(run, token)
        #expect(run.stderr.contains("force-push (\(old.prefix(12)) is not in this checkout)"), "\(run.stderr)")
    }

    @Test func githubNewBranchScansOnlyWhatNoOtherBranchHas() throws {
        let repo = try PushedRepository()
        // main carries an old secret: a new branch that adds nothing must not fail for it.
        try repo.work.commit("base", ["old.txt": "pat=\(Tokens.cask(seed: 1304))\n"])
        try repo.work.git("push", "-q", "origin", "main")
        try repo.work.git("checkout", "-q", "-b", "topic")
        try repo.work.commit("clean", ["c.txt": "c\n"])
        try repo.work.git("push", "-q", "origin", "topic")
        let ci = try repo.checkout("origin/topic")
        let clean = try githubPush(repo, in: ci, ref: "refs/heads/topic", before: zeroCommit, after: try repo.sha("topic"))
        #expect(clean.status == 0, "\(clean.stderr)\n\(clean.stdout)")
        #expect(clean.stderr.contains("GitHub push to topic, new branch: 1 commit not on any other remote branch"), "\(clean.stderr)")

        let token = Tokens.legacy(seed: 1305)
        try repo.work.commit("leak", ["d.txt": "token=\(token)\n"])
        try repo.work.commit("more", ["e.txt": "e\n"])
        try repo.work.git("push", "-q", "origin", "topic")
        let ci2 = try repo.checkout("origin/topic")
        let leak = try githubPush(repo, in: ci2, ref: "refs/heads/topic", before: zeroCommit, after: try repo.sha("topic"))
        #expect(leak.status == 1, "\(leak.stderr)\n\(leak.stdout)")
        #expect(leak.stdout.contains("d.txt") && !leak.stdout.contains("old.txt"), "\(leak.stdout)")
        #expect(leak.stderr.contains("new branch: 3 commits not on any other remote branch"), "\(leak.stderr)")

        // A second new branch at the same commit: topic has it all already.
        try repo.work.git("push", "-q", "origin", "topic:second")
        let ci3 = try repo.checkout("origin/second")
        let second = try githubPush(repo, in: ci3, ref: "refs/heads/second", before: zeroCommit, after: try repo.sha("topic"))
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("new branch: 0 commits not on any other remote branch"), "\(second.stderr)")
    }

    @Test func githubPullRequestScansBaseToHead() throws {
        let repo = try PushedRepository()
        try repo.work.commit("base", ["a.txt": "a\n"])
        try repo.work.git("push", "-q", "origin", "main")
        try repo.work.git("checkout", "-q", "-b", "feature")
        let token = Tokens.cask(seed: 1306)
        try repo.work.commit("leak", ["f.txt": "pat=\(token)\n"])
        try repo.work.git("push", "-q", "origin", "feature")
        let ci = try repo.checkout("origin/feature")
        let event = try repo.event(["pull_request": ["number": 7, "base": ["sha": try repo.sha("main")], "head": ["sha": try repo.sha("feature")]]])
        let run = try patrol(["ci"], in: ci.url, environment: ciEnvironment(["GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event]))
        expectFound(run, token)
        #expect(run.stderr.contains("GitHub pull request #7, 1 commit in"), "\(run.stderr)")
    }

    @Test func githubTagScansItsCommitsNoBranchHas() throws {
        let repo = try PushedRepository()
        try repo.work.commit("base", ["a.txt": "a\n"])
        try repo.work.git("push", "-q", "origin", "main")
        try repo.work.git("checkout", "-q", "--detach")
        let token = Tokens.cask(seed: 1307)
        try repo.work.commit("release only", ["r.txt": "pat=\(token)\n"])
        try repo.work.git("tag", "-a", "-m", "v1", "v1.0")
        try repo.work.git("push", "-q", "origin", "v1.0")
        let ci = try repo.checkout("v1.0")
        let run = try githubPush(repo, in: ci, ref: "refs/tags/v1.0", before: zeroCommit, after: try repo.sha("v1.0"))
        expectFound(run, token)
        #expect(run.stderr.contains("GitHub tag v1.0, 1 commit not on any remote branch"), "\(run.stderr)")
    }

    @Test func shallowCloneIsDeepenedOrFailsSayingFetchDepthZero() throws {
        let repo = try PushedRepository()
        let token = Tokens.cask(seed: 1308)
        try repo.work.commit("root", ["s.txt": "pat=\(token)\n"])
        try repo.work.commit("clean", ["t.txt": "t\n"])
        try repo.work.git("push", "-q", "origin", "main")
        let ci = try repo.checkout("origin/main", depth: 1)
        #expect(try ci.git("rev-parse", "--is-shallow-repository").contains("true"))
        let run = try githubPush(repo, in: ci, before: zeroCommit, after: try repo.sha("HEAD"))
        expectFound(run, token)
        #expect(run.stderr.contains("git fetch --unshallow"), "\(run.stderr)")

        // No remote to deepen from: a loud failure naming the fix, never a smaller scan.
        let cut = try repo.checkout("origin/main", depth: 1)
        try cut.git("remote", "remove", "origin")
        let failed = try githubPush(repo, in: cut, before: zeroCommit, after: try repo.sha("HEAD"))
        #expect(failed.status == 2, "\(failed.stderr)")
        #expect(failed.stderr.contains("fetch-depth: 0"), "\(failed.stderr)")
    }

    func azure(_ ci: TemporaryFolder, _ values: [String: String], arguments: [String] = []) throws -> RunResult {
        try patrol(["ci"] + arguments, in: ci.url, environment: ciEnvironment(["TF_BUILD": "True"].merging(values) { $1 }))
    }

    @Test func azureDefaultBranchBuildWithoutAMarkerScansTheWholeHistoryEvenOfOneCommit() throws {
        let repo = try PushedRepository()
        let token = Tokens.cask(seed: 1309)
        let only = try repo.work.commit("the only commit", ["p.txt": "pat=\(token)\n"])
        try repo.work.git("push", "-q", "origin", "main")
        let ci = try repo.checkout()
        let state = try TemporaryFolder()
        let marker = state.url.appendingPathComponent("cache/last-scanned").path
        let run = try azure(ci, ["BUILD_REASON": "IndividualCI", "BUILD_SOURCEVERSION": only, "BUILD_SOURCEBRANCH": "refs/heads/main"], arguments: ["--state", marker])
        expectFound(run, token)
        #expect(run.stderr.contains("Azure Pipelines CI build of main, no marker from a previous build yet, so the whole history: 1 commit"), "\(run.stderr)")
        #expect(run.stdout.contains("##vso[task.logissue type=error;sourcepath=p.txt;linenumber=1;columnnumber=5;code=azure-devops-pat]"), "\(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: marker), "a build with findings must not move the marker past them")
    }

    @Test func azureDefaultBranchBuildWithAMarkerScansWhatThePreviousBuildDidNotHave() throws {
        let repo = try PushedRepository()
        let first = try repo.work.commit("base", ["a.txt": "a\n"])
        try repo.work.git("push", "-q", "origin", "main")
        let state = try TemporaryFolder()
        let marker = state.url.appendingPathComponent("last-scanned").path
        let ci = try repo.checkout()
        let clean = try azure(ci, ["BUILD_REASON": "IndividualCI", "BUILD_SOURCEVERSION": first, "BUILD_SOURCEBRANCH": "refs/heads/main"], arguments: ["--state", marker])
        #expect(clean.status == 0, "\(clean.stderr)")
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == first + "\n")

        let token = Tokens.cask(seed: 1310)
        try repo.work.commit("leak", ["b.txt": "pat=\(token)\n"])
        let tip = try repo.work.commit("clean", ["c.txt": "c\n"])
        try repo.work.git("push", "-q", "origin", "main")
        let ci2 = try repo.checkout()
        let run = try azure(ci2, ["BUILD_REASON": "BatchedCI", "BUILD_SOURCEVERSION": tip, "BUILD_SOURCEBRANCH": "refs/heads/main"], arguments: ["--state", marker])
        expectFound(run, token)
        #expect(run.stderr.contains("2 commits since the last scanned commit \(first.prefix(12))"), "\(run.stderr)")
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == first + "\n", "the marker moved past a finding")
    }

    @Test func azurePullRequestScansTargetToSource() throws {
        let repo = try PushedRepository()
        try repo.work.commit("base", ["a.txt": "a\n"])
        try repo.work.git("push", "-q", "origin", "main")
        try repo.work.git("checkout", "-q", "-b", "feature")
        let token = Tokens.cask(seed: 1311)
        let source = try repo.work.commit("leak", ["f.txt": "pat=\(token)\n"])
        try repo.work.git("push", "-q", "origin", "feature")
        let ci = try repo.checkout("origin/feature")
        let run = try azure(ci, ["BUILD_REASON": "PullRequest", "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main", "SYSTEM_PULLREQUEST_SOURCECOMMITID": source, "SYSTEM_PULLREQUEST_PULLREQUESTID": "12"])
        expectFound(run, token)
        #expect(run.stderr.contains("Azure Pipelines pull request #12 into main, 1 commit in"), "\(run.stderr)")
    }

    func gitlab(_ ci: TemporaryFolder, _ values: [String: String]) throws -> RunResult {
        try patrol(["ci"], in: ci.url, environment: ciEnvironment(["GITLAB_CI": "true"].merging(values) { $1 }))
    }

    @Test func gitlabMergeRequestAndPushesFindTheSecret() throws {
        let repo = try PushedRepository()
        let base = try repo.work.commit("base", ["a.txt": "a\n"])
        try repo.work.git("push", "-q", "origin", "main")
        try repo.work.git("checkout", "-q", "-b", "feature")
        let token = Tokens.cask(seed: 1312)
        try repo.work.commit("leak", ["g.txt": "pat=\(token)\n"])
        let head = try repo.work.commit("clean", ["h.txt": "h\n"])
        try repo.work.git("push", "-q", "origin", "feature")
        let ci = try repo.checkout("origin/feature")

        let mergeRequest = try gitlab(ci, ["CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "3", "CI_MERGE_REQUEST_DIFF_BASE_SHA": base, "CI_COMMIT_SHA": head])
        expectFound(mergeRequest, token, "merge request")
        #expect(mergeRequest.stderr.contains("GitLab merge request !3, 2 commits in"), "\(mergeRequest.stderr)")

        let push = try gitlab(ci, ["CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "feature", "CI_COMMIT_BEFORE_SHA": try repo.sha("feature~1"), "CI_COMMIT_SHA": head])
        #expect(push.status == 0, "a push that adds only a clean commit: \(push.stderr)")

        let twoCommits = try gitlab(ci, ["CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "feature", "CI_COMMIT_BEFORE_SHA": base, "CI_COMMIT_SHA": head])
        expectFound(twoCommits, token, "push")

        let newBranch = try gitlab(ci, ["CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "feature", "CI_COMMIT_BEFORE_SHA": zeroCommit, "CI_COMMIT_SHA": head])
        expectFound(newBranch, token, "new branch")
        #expect(newBranch.stderr.contains("new branch: 2 commits not on any other remote branch"), "\(newBranch.stderr)")
    }

    @Test func preCommitFrameworkFirstPushScansTheWholeHistoryAndSaysPushBlocked() throws {
        let repo = try PushedRepository()
        try repo.work.commit("clean root", ["a.txt": "a\n"])
        // The first push of a repository: pre-commit sets no PRE_COMMIT_FROM_REF.
        let first = try patrol(["ci"], in: repo.work.url, environment: ciEnvironment(["PRE_COMMIT_TO_REF": try repo.sha("HEAD"), "PRE_COMMIT_REMOTE_NAME": "origin"]))
        #expect(first.status == 0, "the first push of a clean repository was blocked: \(first.stderr)")
        #expect(first.stderr.contains("pre-commit push to origin, 1 commit that origin does not have"), "\(first.stderr)")

        let token = Tokens.cask(seed: 1313)
        try repo.work.commit("leak", ["b.txt": "pat=\(token)\n"])
        let blocked = try patrol(["ci"], in: repo.work.url, environment: ciEnvironment(["PRE_COMMIT_TO_REF": try repo.sha("HEAD"), "PRE_COMMIT_REMOTE_NAME": "origin"]))
        expectFound(blocked, token)
        #expect(blocked.stderr.contains("push blocked: 1 secret"), "\(blocked.stderr)")
        #expect(blocked.stderr.contains("SKIP=patrol-pre-push git push"), "\(blocked.stderr)")
    }

    @Test func gitPrePushHookScansEveryPushedRefAndSaysPushBlocked() throws {
        let repo = try PushedRepository()
        try repo.work.commit("base", ["a.txt": "a\n"])
        #expect(try patrol(["hook", "install", "--pre-push"], in: repo.work.url).status == 0)
        try repo.work.git("push", "-q", "origin", "main")
        try repo.work.git("checkout", "-q", "-b", "one")
        try repo.work.commit("clean", ["c.txt": "c\n"])
        try repo.work.git("checkout", "-q", "-b", "two", "main")
        let token = Tokens.cask(seed: 1314)
        try repo.work.commit("leak", ["d.txt": "pat=\(token)\n"])
        // Two new branches in one push: the union of what each adds.
        let output = try repo.work.git(["push", "origin", "one", "two"], expectSuccess: false)
        #expect(repo.work.lastGitStatus != 0, "the pre-push hook let a leak through: \(output)")
        #expect(output.contains("push blocked: 1 secret"), "\(output)")
        #expect(output.contains("2 commits that origin does not have"), "\(output)")
        #expect(!output.contains(token))
    }

    @Test func withoutACIOrARangeItExplainsAndExitsTwo() throws {
        let repo = try PushedRepository()
        try repo.work.commit("base", ["a.txt": "a\n"])
        let run = try patrol(["ci"], in: repo.work.url, environment: ciEnvironment([:]))
        #expect(run.status == 2)
        #expect(run.stderr.contains("no CI detected") && run.stderr.contains("--range A..B"), "\(run.stderr)")

        let token = Tokens.cask(seed: 1315)
        let base = try repo.sha("HEAD")
        try repo.work.commit("leak", ["b.txt": "pat=\(token)\n"])
        let ranged = try patrol(["ci", "--range", "\(base)..HEAD"], in: repo.work.url, environment: ciEnvironment([:]))
        expectFound(ranged, token)
        #expect(ranged.stderr.contains("patrol ci: range \(base)..HEAD, 1 commit in"), "\(ranged.stderr)")
    }

    @Test func blockedCommitSaysRevokeFirstHowToAllowAndHowToBypass() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("base", ["a.txt": "a\n"])
        let clean = try patrol(["diff", "--staged"], in: repo.url)
        #expect(clean.status == 0 && !clean.stderr.contains("blocked"), "\(clean.stderr)")
        try repo.write("leak.txt", "pat=\(Tokens.cask(seed: 1316))\nlegacy=\(Tokens.legacy(seed: 1317))\n")
        try repo.git("add", "leak.txt")
        let run = try patrol(["diff", "--staged"], in: repo.url)
        #expect(run.status == 1)
        for needed in [
            "commit blocked: 2 secrets",
            "treat each as compromised: revoke it first (`patrol revoke`",
            "add `patrol:allow` to its line, or record it with `patrol baseline update`",
            "git commit --no-verify", "SKIP=patrol git commit",
        ] {
            #expect(run.stderr.contains(needed), "missing \(needed): \(run.stderr)")
        }
        let quiet = try patrol(["diff", "--staged", "--quiet"], in: repo.url)
        #expect(quiet.status == 1 && !quiet.stderr.contains("blocked"), "\(quiet.stderr)")
    }
}
