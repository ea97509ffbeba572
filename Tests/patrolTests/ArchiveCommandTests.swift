import Crypto
import Foundation
import PatrolTestSupport
import Testing

/// Runs a command-line tool (zip, tar, gzip, xz, zstd, bzip2, sh) in `folder`; fails the test if it fails.
@discardableResult
func tool(_ name: String, _ arguments: [String], in folder: TemporaryFolder) throws -> String {
    let run = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments, in: folder.url, stdin: nil, environment: ProcessInfo.processInfo.environment)
    #expect(run.status == 0, "\(name) \(arguments): \(run.stderr)")
    return run.stdout
}

/// `patrol scan`, `history`, `diff` and `sweep` inside archives and compressed files that the
/// real `zip`, `tar`, `gzip`, `bzip2`, `xz` and `zstd` make.
@Suite struct ArchiveCommandTests {
    private func scan(_ arguments: [String], in folder: TemporaryFolder) throws -> (RunResult, [String: [String: Any]]) {
        let result = try patrol(["scan", "--format", "json", "--show-secrets", "--no-config", "--no-baseline"] + arguments, in: folder.url)
        let findings = (try? result.findings()) ?? []
        return (result, Dictionary(findings.map { ($0["path"] as! String, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    private func errors(_ result: RunResult) throws -> [String: String] {
        let list = try #require(try result.json()["errors"] as? [[String: Any]])
        return Dictionary(list.map { ($0["path"] as! String, $0["message"] as! String) }, uniquingKeysWith: { first, _ in first })
    }

    /// A folder `src/inner/dir/file.env` holding `token` on line 2, column 14.
    private func source(_ token: String, in folder: TemporaryFolder) throws {
        try folder.write("src/inner/dir/file.env", "x=1\nGITHUB_TOKEN=\(token)\n")
    }

    @Test func scanFindsTokensInZipFamilyTarAndEveryCompressionWithTheInnerPathLineAndColumn() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.github(seed: 41)
        try source(token, in: folder)
        let work = folder.url.appendingPathComponent("src").path
        try tool("sh", ["-c", "cd src && zip -qr ../config.zip inner && cp ../config.zip ../lib.jar && cp ../config.zip ../Package.nupkg && cp ../config.zip ../renamed.bin"], in: folder)
        try tool("tar", ["cf", "plain.tar", "-C", work, "inner"], in: folder)
        try tool("tar", ["czf", "bundle.tar.gz", "-C", work, "inner"], in: folder)
        try tool("tar", ["czf", "bundle.tgz", "-C", work, "inner"], in: folder)
        try tool("sh", ["-c", "cp src/inner/dir/file.env app.log && gzip app.log && cp src/inner/dir/file.env b.env && bzip2 b.env && cp src/inner/dir/file.env x.env && xz x.env && cp src/inner/dir/file.env z.env && zstd -q --rm z.env"], in: folder)
        try FileManager.default.removeItem(atPath: work)

        let (result, byPath) = try scan(["."], in: folder)
        #expect(result.status == 1, "\(result.stderr)")
        let expected = [
            "config.zip!inner/dir/file.env", "lib.jar!inner/dir/file.env", "Package.nupkg!inner/dir/file.env",
            "renamed.bin!inner/dir/file.env", "plain.tar!inner/dir/file.env", "bundle.tar.gz!inner/dir/file.env",
            "bundle.tgz!inner/dir/file.env", "app.log.gz!app.log", "b.env.bz2!b.env", "x.env.xz!x.env", "z.env.zst!z.env",
        ]
        #expect(Set(byPath.keys) == Set(expected), "\(result.stdout)")
        for path in expected {
            #expect(byPath[path]?["secret"] as? String == token, "\(path)")
            #expect(byPath[path]?["line"] as? Int == 2, "\(path)")
            #expect(byPath[path]?["column"] as? Int == 14, "\(path)")
        }
    }

    @Test func nestedArchivesAreOpenedToTheArchiveDepthAndDepthZeroTurnsArchivesOff() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.github(seed: 42)
        try folder.write("c/d.env", "TOKEN=\(token)\n")
        try tool("sh", ["-c", "tar czf b.tar.gz c && zip -q a.zip b.tar.gz && rm -r c b.tar.gz"], in: folder)

        let (deep, byPath) = try scan(["."], in: folder)
        #expect(deep.status == 1, "\(deep.stderr)")
        #expect(Array(byPath.keys) == ["a.zip!b.tar.gz!c/d.env"])
        #expect(byPath["a.zip!b.tar.gz!c/d.env"]?["line"] as? Int == 1)
        #expect(byPath["a.zip!b.tar.gz!c/d.env"]?["column"] as? Int == 7)

        let (shallow, none) = try scan([".", "--archive-depth", "1"], in: folder)
        #expect(shallow.status == 0 && none.isEmpty, "\(shallow.stdout)")
        let (off, offFindings) = try scan([".", "--archive-depth", "0"], in: folder)
        #expect(off.status == 0 && offFindings.isEmpty, "\(off.stdout)")
        let skipped = try #require(try off.json()["skipped"] as? [[String: Any]])
        #expect(skipped.map { $0["path"] as? String } == ["a.zip"])
        #expect(skipped.map { $0["reason"] as? String } == ["binary"])
    }

    @Test func gzipBombIsStoppedByTheLimitQuicklyAndTheNeighboursTokenIsStillFound() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.github(seed: 43)
        try folder.write("neighbour.env", "GITHUB_TOKEN=\(token)\n")
        try tool("sh", ["-c", "(printf 'log\\n'; head -c 300M /dev/zero) | gzip -1 > bomb.log.gz"], in: folder)
        let started = Date()
        let (result, byPath) = try scan(["."], in: folder)
        let seconds = Date().timeIntervalSince(started)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(byPath["neighbour.env"]?["secret"] as? String == token)
        let message = try #require(try errors(result)["bomb.log.gz"])
        #expect(message.contains("expands more than 100 times"), "\(message)")
        #expect(seconds < 20, "took \(seconds) s")
        let stats = try #require(try result.json()["stats"] as? [String: Any])
        #expect((stats["bytes"] as? Int ?? .max) < 64 << 20, "\(stats)")
    }

    @Test func archiveMaxBytesStopsReadingAndSaysWhichOption() throws {
        let folder = try TemporaryFolder()
        let early = Tokens.github(seed: 44), late = Tokens.github(seed: 45)
        try folder.write("logs/a.log", "first \(early)\n")
        try folder.write("logs/b.log", String(repeating: "filler line of a log file with varied words \(UUID().uuidString)\n", count: 40_000) + "late \(late)\n")
        try tool("sh", ["-c", "tar czf logs.tar.gz logs/a.log logs/b.log && rm -r logs"], in: folder)
        let (whole, all) = try scan(["."], in: folder)
        #expect(whole.status == 1)
        #expect(Set(all.compactMap { $0.value["secret"] as? String }) == [early, late], "\(whole.stdout)")
        let (limited, some) = try scan([".", "--archive-max-bytes", "1M"], in: folder)
        #expect(limited.status == 1)
        #expect(Set(some.compactMap { $0.value["secret"] as? String }) == [early], "\(limited.stdout)")
        #expect(try errors(limited)["logs.tar.gz"]?.contains("--archive-max-bytes") == true, "\(limited.stdout)")
    }

    @Test func corruptTruncatedAndEncryptedArchivesAreErrorsAndTheScanGoesOn() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.github(seed: 46)
        try folder.write("e/s.env", "TOKEN=\(token)\n")
        try folder.write("ok.env", "TOKEN=\(token)\n")
        try tool("sh", ["-c", "(cd e && zip -q -P pass ../locked.zip s.env) && tar czf full.tar.gz e && head -c 60 full.tar.gz > cut.tar.gz && rm -r e full.tar.gz && printf 'PK\\003\\004garbage' > broken.zip"], in: folder)
        let (result, byPath) = try scan([".", "--strict"], in: folder)
        // Findings win over --strict errors.
        #expect(result.status == 1, "\(result.stderr)")
        #expect(Array(byPath.keys) == ["ok.env"])
        let found = try errors(result)
        #expect(found["locked.zip!s.env"] == "encrypted entry: not scanned", "\(found)")
        #expect(found["cut.tar.gz"] != nil, "\(found)")
        #expect(found["broken.zip"] != nil, "\(found)")
    }

    @Test func historyFindsTokensInACommittedZipAndGzLog() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let zipped = Tokens.github(seed: 47), logged = Tokens.github(seed: 48)
        try repo.write("src/app/.env", "GITHUB_TOKEN=\(zipped)\n")
        try repo.write("build.log", "step 1\nauth \(logged)\n")
        try tool("sh", ["-c", "(cd src && zip -qr ../config.zip app) && gzip build.log && rm -r src"], in: repo)
        _ = try repo.git("add", "-A")
        _ = try repo.git("commit", "-q", "-m", "artefacts")
        let head = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try patrol(["history", "--format", "json", "--show-secrets", "--no-baseline"], in: repo.url)
        #expect(result.status == 1, "\(result.stderr)")
        let byPath = Dictionary(uniqueKeysWithValues: try result.findings().map { ($0["path"] as! String, $0) })
        #expect(byPath["config.zip!app/.env"]?["secret"] as? String == zipped, "\(result.stdout)")
        #expect(byPath["config.zip!app/.env"]?["commit"] as? String == head)
        #expect(byPath["build.log.gz!build.log"]?["secret"] as? String == logged)
        #expect(byPath["build.log.gz!build.log"]?["line"] as? Int == 2)
        let off = try patrol(["history", "--format", "json", "--no-baseline", "--archive-depth", "0"], in: repo.url)
        #expect(off.status == 0, "\(off.stdout)")
    }

    @Test func diffScansTheWholeNewBlobOfAChangedArchive() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.github(seed: 49)
        try repo.write("pkg/readme.txt", "nothing here\n")
        try tool("sh", ["-c", "zip -qr bundle.zip pkg"], in: repo)
        _ = try repo.git("add", "bundle.zip")
        _ = try repo.git("commit", "-q", "-m", "clean bundle")
        try repo.write("pkg/settings.env", "TOKEN=\(token)\n")
        try tool("sh", ["-c", "rm bundle.zip && zip -qr bundle.zip pkg"], in: repo)
        _ = try repo.git("add", "bundle.zip")
        let staged = try patrol(["diff", "--staged", "--format", "json", "--show-secrets", "--no-baseline"], in: repo.url)
        #expect(staged.status == 1, "\(staged.stderr)")
        #expect(try staged.findings().map { $0["path"] as? String } == ["bundle.zip!pkg/settings.env"], "\(staged.stdout)")
        _ = try repo.git("commit", "-q", "-m", "bundle with settings")
        let head = try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let committed = try patrol(["diff", "HEAD", "--format", "json", "--show-secrets", "--no-baseline"], in: repo.url)
        #expect(committed.status == 1, "\(committed.stderr)")
        let finding = try #require(try committed.findings().first)
        #expect(finding["path"] as? String == "bundle.zip!pkg/settings.env")
        #expect(finding["secret"] as? String == token)
        #expect(finding["commit"] as? String == head)
        let off = try patrol(["diff", "HEAD", "--format", "json", "--no-baseline", "--archive-depth", "0"], in: repo.url)
        #expect(off.status == 0, "\(off.stdout)")
    }

    @Test func sweepFindsTokensInsideArchives() throws {
        let workspace = try TemporaryFolder()
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.github(seed: 50)
        try repo.write("conf/app.env", "TOKEN=\(token)\n")
        try tool("sh", ["-c", "tar cJf conf.tar.xz conf && rm -r conf"], in: repo)
        _ = try repo.git("add", "-A")
        _ = try repo.git("commit", "-q", "-m", "archive")
        let result = try patrol(["sweep", repo.path, "--cache", workspace.url.appendingPathComponent("cache.sqlite").path, "--clone-dir", workspace.url.appendingPathComponent("clones").path, "--show-secrets"], in: workspace.url)
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let findings = lines.filter { $0["rule"] != nil }
        #expect(findings.map { $0["path"] as? String } == ["conf.tar.xz!conf/app.env"], "\(result.stdout)")
        #expect(findings.first?["secret"] as? String == token)
    }

    @Test func baselineAndAllowPathsUnderstandArchivePaths() throws {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        let kept = Tokens.github(seed: 51), allowed = Tokens.github(seed: 52)
        try repo.write("p/keep.env", "TOKEN=\(kept)\n")
        try repo.write("p/fixtures/test.env", "TOKEN=\(allowed)\n")
        try tool("sh", ["-c", "zip -qr bundle.zip p && rm -r p"], in: repo)
        try repo.write(".patrol.yml", "allow:\n  paths:\n    - \"bundle.zip!p/fixtures/**\"\n")
        _ = try repo.git("add", "-A")
        _ = try repo.git("commit", "-q", "-m", "bundle")
        let first = try patrol(["scan", ".", "--format", "json", "--show-secrets"], in: repo.url)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(try first.findings().map { $0["path"] as? String } == ["bundle.zip!p/keep.env"], "\(first.stdout)")
        let create = try patrol(["baseline", "create"], in: repo.url)
        #expect(create.status == 0, "\(create.stderr)")
        let baseline = try String(contentsOf: repo.url.appendingPathComponent(".patrol-baseline.json"), encoding: .utf8)
        #expect(baseline.contains("\"bundle.zip!p/keep.env\""), "\(baseline)")
        let again = try patrol(["scan", "."], in: repo.url)
        #expect(again.status == 0, "\(again.stdout)")
        let history = try patrol(["history"], in: repo.url)
        #expect(history.status == 0, "\(history.stdout)")
    }

    @Test func remediateSaysTheArchiveMustBeRebuiltAndPurged() throws {
        let repo = try TemporaryFolder()
        let state = try TemporaryFolder()
        try repo.git("init", "-q")
        let token = Tokens.github(seed: 53)
        try repo.write("p/app.env", "TOKEN=\(token)\n")
        try tool("sh", ["-c", "zip -qr release.zip p && rm -r p"], in: repo)
        _ = try repo.git("add", "-A")
        _ = try repo.git("commit", "-q", "-m", "release")
        let report = try patrol(["history", "--format", "json", "--no-baseline", "--output", repo.url.appendingPathComponent("report.json").path], in: repo.url)
        #expect(report.status == 1, "\(report.stderr)")
        let plan = try patrol(["remediate", "report.json"], in: repo.url, environment: ["XDG_STATE_HOME": state.path])
        #expect(plan.status == 0 || plan.status == 1, "\(plan.stderr)")
        #expect(plan.stdout.contains("inside the archive `release.zip`"), "\(plan.stdout)")
        #expect(plan.stdout.contains("the archive must be rebuilt"), "\(plan.stdout)")
        #expect(plan.stdout.contains("git filter-repo --invert-paths --path release.zip"), "\(plan.stdout)")
        #expect(plan.stdout.contains("`release.zip!p/app.env:1`"), "\(plan.stdout)")
    }

    @Test func dockerSaveAndOCIImageTarsAreScannedLayerByLayer() throws {
        let folder = try TemporaryFolder()
        let token = Tokens.github(seed: 54)
        try folder.write("layer/etc/app.env", "GITHUB_TOKEN=\(token)\n")
        try tool("tar", ["czf", "layer.tar.gz", "-C", "layer", "."], in: folder)
        let layer = try Data(contentsOf: folder.url.appendingPathComponent("layer.tar.gz"))
        let digest = SHA256.hash(data: layer).map { String(format: "%02x", $0) }.joined()
        let config = Data("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}".utf8)
        let configDigest = SHA256.hash(data: config).map { String(format: "%02x", $0) }.joined()
        try folder.write("image/blobs/sha256/\(digest)", layer)
        try folder.write("image/blobs/sha256/\(configDigest)", config)
        try folder.write("image/manifest.json", "[{\"Config\":\"blobs/sha256/\(configDigest)\",\"RepoTags\":[\"app:1\"],\"Layers\":[\"blobs/sha256/\(digest)\"]}]\n")
        try folder.write("image/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}\n")
        try folder.write("image/index.json", "{\"schemaVersion\":2,\"manifests\":[]}\n")
        // The older docker save layout: <id>/layer.tar, uncompressed.
        try folder.write("legacy/manifest.json", "[{\"Config\":\"c.json\",\"Layers\":[\"0a1b/layer.tar\"]}]\n")
        try tool("sh", ["-c", "mkdir -p legacy/0a1b && tar cf legacy/0a1b/layer.tar -C layer . && tar cf image.tar -C image . && tar cf legacy.tar -C legacy . && rm -r layer layer.tar.gz legacy"], in: folder)

        let (result, byPath) = try scan(["image.tar", "legacy.tar"], in: folder)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(Set(byPath.keys) == ["image.tar!sha256:\(digest)!etc/app.env", "legacy.tar!0a1b/layer.tar!etc/app.env"], "\(result.stdout)")
        // An OCI layout folder: its layer blobs are files, each opened by its magic bytes.
        let (layout, inFolder) = try scan(["image"], in: folder)
        #expect(layout.status == 1, "\(layout.stderr)")
        #expect(Array(inFolder.keys) == ["blobs/sha256/\(digest)!etc/app.env"], "\(layout.stdout)")
    }
}
