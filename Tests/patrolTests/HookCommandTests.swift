import Foundation
import Testing

/// The git hooks, installed into real repositories and run by git itself.
@Suite struct HookCommandTests {
    @Test func preCommitHookBlocksALeakAndLetsCleanCommitsThrough() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("base", ["a.txt": "a\n"])
        let install = try patrol(["hook", "install"], in: repo.url)
        #expect(install.status == 0, "\(install.stderr)")
        let hook = repo.url.appendingPathComponent(".git/hooks/pre-commit")
        #expect(FileManager.default.isExecutableFile(atPath: hook.path))

        try repo.write("clean.txt", "nothing\n")
        try repo.git("add", ".")
        try repo.git("commit", "-q", "-m", "clean")

        try repo.write("leak.txt", "pat=\(Tokens.cask(seed: 1))\n")
        try repo.git("add", ".")
        let output = try repo.git(["commit", "-q", "-m", "leak"], expectSuccess: false)
        #expect(repo.lastGitStatus != 0, "the hook let a leak through")
        #expect(output.contains("azure-devops-pat"))
        #expect(!output.contains(Tokens.cask(seed: 1)))
        try repo.git("reset", "-q", "HEAD", "leak.txt")
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent("leak.txt"))

        // git commit -am stages tracked changes into a temporary index the hook must see.
        try repo.write("a.txt", "a\nlegacy=\(Tokens.legacy(seed: 2))\n")
        _ = try repo.git(["commit", "-q", "-am", "leak via -a"], expectSuccess: false)
        #expect(repo.lastGitStatus != 0, "git commit -am bypassed the hook")
        let log = try repo.git("log", "--format=%s")
        #expect(!log.contains("leak"))
    }

    @Test func installHonoursHooksPathAndNeverTouchesForeignHooks() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.git("config", "core.hooksPath", "githooks")
        #expect(try patrol(["hook", "install"], in: repo.url).status == 0)
        let hook = repo.url.appendingPathComponent("githooks/pre-commit")
        #expect(FileManager.default.fileExists(atPath: hook.path))
        // Installing twice replaces its own hook.
        #expect(try patrol(["hook", "install"], in: repo.url).status == 0)

        try "#!/bin/sh\necho mine\n".write(to: hook, atomically: true, encoding: .utf8)
        let refused = try patrol(["hook", "install"], in: repo.url)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--force"))
        #expect(try patrol(["hook", "uninstall"], in: repo.url).status == 2)
        #expect(try String(contentsOf: hook, encoding: .utf8).contains("echo mine"))
        #expect(try patrol(["hook", "install", "--force"], in: repo.url).status == 0)
        #expect(try patrol(["hook", "uninstall"], in: repo.url).status == 0)
        #expect(!FileManager.default.fileExists(atPath: hook.path))
    }

    @Test func prePushHookScansWhatIsBeingPushed() throws {
        let remote = try TemporaryFolder()
        try remote.git("init", "-q", "--bare")
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.git("remote", "add", "origin", remote.path)
        try repo.commit("base", ["a.txt": "a\n"])
        #expect(try patrol(["hook", "install", "--pre-push"], in: repo.url).status == 0)
        try repo.git("push", "-q", "origin", "main")                       // a new branch, clean

        try repo.commit("leak", ["b.txt": "pat=\(Tokens.cask(seed: 3))\n"])
        _ = try repo.git(["push", "-q", "origin", "main"], expectSuccess: false)
        #expect(repo.lastGitStatus != 0, "the pre-push hook let a leak through")

        try repo.git("reset", "-q", "--hard", "HEAD~1")
        try repo.commit("clean", ["c.txt": "c\n"])
        try repo.git("push", "-q", "origin", "main")

        try repo.git("checkout", "-q", "-b", "topic")
        try repo.commit("leak on a new branch", ["d.txt": "x=\(Tokens.legacy(seed: 4))\n"])
        _ = try repo.git(["push", "-q", "origin", "topic"], expectSuccess: false)
        #expect(repo.lastGitStatus != 0, "a new branch bypassed the pre-push hook")
    }
}
