import Foundation
import Testing

/// `patrol baseline create | update` and how scan, history and diff apply a baseline.
@Suite struct BaselineCommandTests {
    @Test func createUpdateAndApply() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.write("a.txt", "pat=\(Tokens.cask(seed: 1))\n")
        try repo.write("sub/b.txt", "x=\(Tokens.legacy(seed: 2))\n")

        let create = try patrol(["baseline", "create"], in: repo.url)
        #expect(create.status == 0, "\(create.stderr)")
        #expect(create.stdout.contains("wrote 2 entries"))
        let file = repo.url.appendingPathComponent(".patrol-baseline.json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let entries = try #require(json["entries"] as? [[String: String]])
        #expect(entries.map { $0["path"] } == ["a.txt", "sub/b.txt"])
        #expect(entries.allSatisfy { Set($0.keys) == ["fingerprint", "rule", "path"] }, "no line numbers, no timestamps")
        #expect(!(try String(contentsOf: file, encoding: .utf8)).contains(Tokens.cask(seed: 1)))

        // Applied by default, also when a subfolder is scanned; edits around a secret do not matter.
        try repo.write("a.txt", "# moved down\n\npat=\(Tokens.cask(seed: 1))\n")
        let scan = try patrol(["scan", "--format", "json"], in: repo.url)
        #expect(scan.status == 0, "\(scan.stdout)")
        #expect((try scan.json()["stats"] as? [String: Any])?["allowed"] as? Int == 2)
        #expect(try patrol(["scan", "sub"], in: repo.url).status == 0)
        #expect(try patrol(["scan", "--no-baseline"], in: repo.url).status == 1)

        // A new secret is reported; update accepts it; a removed one is dropped.
        try repo.write("sub/c.txt", "y=\(Tokens.cask(seed: 3))\n")
        let fresh = try patrol(["scan", "--format", "json"], in: repo.url)
        #expect(try fresh.findings().map { $0["path"] as? String } == ["sub/c.txt"])
        let added = try patrol(["baseline", "update"], in: repo.url)
        #expect(added.stdout.contains("3 entries (1 added, 0 removed)"))
        try FileManager.default.removeItem(at: repo.url.appendingPathComponent("sub/b.txt"))
        let removed = try patrol(["baseline", "update"], in: repo.url)
        #expect(removed.stdout.contains("2 entries (0 added, 1 removed)"))

        // create refuses to overwrite; --baseline names another file.
        #expect(try patrol(["baseline", "create"], in: repo.url).status == 2)
        try "{\"version\": 1, \"entries\": []}".write(to: repo.url.appendingPathComponent("empty.json"), atomically: true, encoding: .utf8)
        #expect(try patrol(["scan", "--baseline", "empty.json"], in: repo.url).status == 1)
        try "not json".write(to: repo.url.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        let bad = try patrol(["scan", "--baseline", "bad.json"], in: repo.url)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.json"))
    }

    @Test func historyBaselineAcceptsCommittedSecrets() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        try repo.commit("leak", ["old.txt": "pat=\(Tokens.cask(seed: 4))\n"])
        try repo.commit("fix", ["old.txt": "clean\n"])
        #expect(try patrol(["history"], in: repo.url).status == 1)
        #expect(try patrol(["baseline", "create", "--history"], in: repo.url).status == 0)
        #expect(try patrol(["history"], in: repo.url).status == 0)
        try repo.commit("new leak", ["new.txt": "pat=\(Tokens.cask(seed: 5))\n"])
        #expect(try patrol(["history"], in: repo.url).status == 1)
        #expect(try patrol(["diff", "HEAD"], in: repo.url).status == 1)
    }
}
