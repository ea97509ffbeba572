import Foundation
import PatrolTestSupport
import Testing

/// The JSON Lines of one `patrol sweep` run, split by record kind.
private struct SweepOutput {
    let result: RunResult
    var findings: [[String: Any]] = []
    var errors: [[String: Any]] = []
    var coverage: [[String: Any]] = []
    var summary: [String: Any] = [:]
    /// The finding lines as written, sorted: two sweeps reporting the same findings print the
    /// same lines (repositories may finish in any order).
    var findingLines: [String] = []

    init(_ result: RunResult) throws {
        self.result = result
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for (index, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
            if let error = object["error"] as? [String: Any] {
                errors.append(error)
            } else if let record = object["coverage"] as? [String: Any] {
                coverage.append(record)
            } else if let summary = object["summary"] as? [String: Any] {
                #expect(index == lines.count - 1, "the summary is the last line")
                self.summary = summary
            } else {
                findings.append(object)
                findingLines.append(line)
            }
        }
        findingLines.sort()
    }

    func count(_ key: String) -> Int { summary[key] as? Int ?? -1 }

    /// (repository, path, secret) of every finding.
    var sightings: Set<String> {
        Set(findings.map { "\($0["repository"] as? String ?? "?") \($0["path"] as? String ?? "?") \($0["secret"] as? String ?? "?")" })
    }

    var repositories: Set<String> { Set(findings.compactMap { $0["repository"] as? String }) }
}

/// `patrol sweep` over real repositories that git builds in temporary folders.
@Suite struct SweepCommandTests {
    /// A sweep with its own cache and clone folder inside `workspace`.
    private func sweep(_ arguments: [String], workspace: TemporaryFolder, cache: String = "cache.sqlite", environment: [String: String] = [:]) throws -> SweepOutput {
        let base = ["sweep", "--cache", workspace.url.appendingPathComponent(cache).path, "--clone-dir", workspace.url.appendingPathComponent("clones").path, "--show-secrets"]
        return try SweepOutput(patrol(base + arguments, environment: environment))
    }

    /// A repository with a few clean files over several commits and one token.
    private func repository(seed: UInt64, files: Int = 3) throws -> (folder: TemporaryFolder, token: String) {
        let repo = try TemporaryFolder()
        try repo.git("init", "-q")
        for index in 0..<files {
            try repo.commit("file \(index)", ["src/file\(index).txt": "repository \(seed) file \(index)\n"])
        }
        let token = Tokens.cask(seed: seed)
        try repo.commit("leak", ["config/app.env": "PAT=\(token)\n"])
        try repo.commit("fix", ["config/app.env": "PAT=${PAT}\n"])
        return (repo, token)
    }

    /// Distinct blobs across repositories, as git lists them.
    private func distinctBlobs(_ repositories: [TemporaryFolder]) throws -> Int {
        var blobs = Set<String>()
        for repo in repositories {
            let listing = try repo.git("cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectname)")
            for line in listing.split(separator: "\n") where line.hasPrefix("blob ") { blobs.insert(String(line.dropFirst(5))) }
        }
        return blobs.count
    }

    @Test func aSecondSweepScansNoBlobAgainAndReportsTheSameFindingsAndForksShareBlobs() throws {
        let workspace = try TemporaryFolder()
        let (one, first) = try repository(seed: 101)
        let (two, second) = try repository(seed: 102)
        let fork = try TemporaryFolder()
        try fork.git("clone", "-q", "--no-local", one.path, ".")
        try fork.commit("fork work", ["fork.txt": "only in the fork\n"])
        let entries = [one.path, two.path, fork.path]

        let initial = try sweep(entries + ["--jobs", "3"], workspace: workspace)
        #expect(initial.result.status == 1, "\(initial.result.stderr)")
        #expect(initial.sightings == ["\(one.path) config/app.env \(first)", "\(two.path) config/app.env \(second)", "\(fork.path) config/app.env \(first)"])
        // The fork's blobs are scanned once, though both repositories were swept at the same time.
        #expect(initial.count("blobs_scanned") == (try distinctBlobs([one, two, fork])))
        #expect(initial.count("repositories") == 3)
        #expect(initial.count("findings") == 3)
        #expect(initial.count("errors") == 0)
        #expect(initial.errors.isEmpty)
        let leak = try one.git("rev-parse", "HEAD~1").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(initial.findings.filter { $0["commit"] as? String == leak }.count == 2, "the repository and its fork")
        #expect(initial.result.stderr.contains("swept 3 repositories"))

        let again = try sweep(entries + ["--jobs", "3", "--verbose"], workspace: workspace)
        #expect(again.result.status == 1)
        #expect(again.count("blobs_scanned") == 0)
        #expect(again.count("bytes_scanned") == 0)
        #expect(again.count("blobs_skipped") == initial.count("blobs_scanned") + initial.count("blobs_skipped"))
        #expect(again.findingLines == initial.findingLines)
        #expect(again.result.stderr.components(separatedBy: ": unchanged,").count - 1 == 3, "\(again.result.stderr)")
    }

    @Test func newCommitsAreReadIncrementallyAndRewrittenHistoryIsSweptAgain() throws {
        let workspace = try TemporaryFolder()
        let (local, localToken) = try repository(seed: 111)
        let (source, sourceToken) = try repository(seed: 112)
        let url = "file://" + source.path
        let initial = try sweep([local.path, url], workspace: workspace)
        #expect(initial.result.status == 1, "\(initial.result.stderr)")
        #expect(initial.sightings == ["\(local.path) config/app.env \(localToken)", "\(url) config/app.env \(sourceToken)"])
        // The URL was cloned bare into the clone folder.
        let clones = try FileManager.default.contentsOfDirectory(atPath: workspace.url.appendingPathComponent("clones").path)
        #expect(clones.count == 1 && clones[0].hasSuffix(".git"))

        // A new commit in the cloned repository: fetched, and only its one new blob scanned.
        let added = Tokens.legacy(seed: 113)
        let newCommit = try source.commit("another leak", ["deploy/pipeline.yml": "pat: \(added)\n"])
        let later = try sweep([local.path, url, "--verbose"], workspace: workspace)
        #expect(later.result.status == 1)
        #expect(later.count("blobs_scanned") == 1)
        #expect(later.sightings == initial.sightings.union(["\(url) deploy/pipeline.yml \(added)"]))
        #expect(later.findings.first { $0["path"] as? String == "deploy/pipeline.yml" }?["commit"] as? String == newCommit)
        #expect(later.result.stderr.contains("\(url): incremental"))
        #expect(later.result.stderr.contains("\(local.path): unchanged"))
        // The findings already known keep their commits and lines.
        #expect(Set(later.findingLines).isSuperset(of: initial.findingLines))

        // History rewritten: the leaking commits dropped. The token is no longer reachable and
        // no longer reported, though its blob is still in the repository and in the cache.
        try local.git("reset", "-q", "--hard", "HEAD~2")
        let rewritten = try sweep([local.path, url, "--verbose"], workspace: workspace)
        #expect(rewritten.result.stderr.contains("\(local.path): full"))
        #expect(rewritten.count("blobs_scanned") == 0)
        #expect(rewritten.sightings == ["\(url) config/app.env \(sourceToken)", "\(url) deploy/pipeline.yml \(added)"])
    }

    @Test func blobsSkippedAsTooLargeAreScannedOnceTheLimitAllowsThem() throws {
        let workspace = try TemporaryFolder()
        let (repo, token) = try repository(seed: 115)
        let small = try sweep([repo.path, "--max-file-size", "20"], workspace: workspace)
        #expect(small.result.status == 0)
        #expect(small.findings.isEmpty)
        let large = try sweep([repo.path], workspace: workspace)
        #expect(large.result.status == 1)
        #expect(large.sightings == ["\(repo.path) config/app.env \(token)"])
    }

    @Test func rescanScansEveryBlobAgainAndAListCanComeFromStandardInput() throws {
        let workspace = try TemporaryFolder()
        let (one, _) = try repository(seed: 116)
        let (two, _) = try repository(seed: 117)
        let list = Data("# from stdin\n\(one.path)\n\(two.path)\n\(one.path)\n".utf8)
        let arguments = ["sweep", "--list", "-", "--cache", workspace.url.appendingPathComponent("c.sqlite").path, "--show-secrets"]
        let first = try SweepOutput(patrol(arguments, stdin: list))
        #expect(first.count("repositories") == 2, "an entry listed twice is swept once")
        let again = try SweepOutput(patrol(arguments, stdin: list))
        #expect(again.count("blobs_scanned") == 0)
        let rescanned = try SweepOutput(patrol(arguments + ["--rescan"], stdin: list))
        #expect(rescanned.count("blobs_scanned") == first.count("blobs_scanned"))
        #expect(rescanned.findingLines == first.findingLines)
    }

    @Test func aSweepKilledMidwayAndRestartedEndsWithTheSameFindings() throws {
        let workspace = try TemporaryFolder()
        var repositories: [TemporaryFolder] = []
        for seed in UInt64(121)...124 {
            repositories.append(try repository(seed: seed, files: 12).folder)
        }
        let entries = repositories.map(\.path) + ["--jobs", "1", "--threads", "1"]
        let uninterrupted = try sweep(entries, workspace: workspace, cache: "reference.sqlite")
        #expect(uninterrupted.result.status == 1)
        #expect(uninterrupted.findings.count == 4)
        let total = uninterrupted.count("blobs_scanned")
        #expect(total == (try distinctBlobs(repositories)))

        // Killed with SIGKILL once 20 blobs are committed to the cache: mid-way through the second repository.
        let killed = try sweep(entries, workspace: workspace, environment: ["PATROL_SWEEP_TEST_KILL_AFTER_BLOBS": "20"])
        #expect(killed.result.status == 9, "killed by SIGKILL: \(killed.result.stderr)")
        #expect(killed.summary.isEmpty)
        #expect(killed.findings.count < 4)

        let restarted = try sweep(entries, workspace: workspace)
        #expect(restarted.result.status == 1, "\(restarted.result.stderr)")
        #expect(restarted.findingLines == uninterrupted.findingLines)
        #expect(restarted.count("blobs_scanned") <= total - 20)
        // Every repository's blobs are accounted for (a blob shared by two counts for each).
        #expect(restarted.count("blobs_scanned") + restarted.count("blobs_skipped") == uninterrupted.count("blobs_scanned") + uninterrupted.count("blobs_skipped"))
        let third = try sweep(entries, workspace: workspace)
        #expect(third.count("blobs_scanned") == 0)
        #expect(third.findingLines == uninterrupted.findingLines)
    }

    @Test func aSweepKilledFromOutsideAfterItsFirstRepositoryResumesWithTheSameFindings() throws {
        let workspace = try TemporaryFolder()
        var repositories: [TemporaryFolder] = []
        for seed in UInt64(125)...130 {
            repositories.append(try repository(seed: seed, files: 8).folder)
        }
        let entries = repositories.map(\.path) + ["--jobs", "1", "--threads", "1"]
        let reference = try sweep(entries, workspace: workspace, cache: "reference.sqlite")
        #expect(reference.findings.count == 6)

        // kill -9 as soon as the first repository's finding is written, wherever the sweep is then.
        let output = workspace.url.appendingPathComponent("partial.jsonl")
        let process = Process()
        process.executableURL = PatrolBinary.url
        process.arguments = ["sweep", "--cache", workspace.url.appendingPathComponent("cache.sqlite").path, "--show-secrets", "-o", output.path] + entries
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning, ((try? Data(contentsOf: output)) ?? Data()).isEmpty { usleep(1000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()

        let resumed = try sweep(entries, workspace: workspace)
        #expect(resumed.result.status == 1, "\(resumed.result.stderr)")
        #expect(resumed.findingLines == reference.findingLines)
        #expect(resumed.count("blobs_scanned") < reference.count("blobs_scanned"), "the first repository's blobs were kept")
    }

    @Test func theShardsOfAListAddUpToTheWhole() throws {
        let workspace = try TemporaryFolder()
        var lines = ["# repositories of team A", ""]
        var all = Set<String>()
        var folders: [TemporaryFolder] = []
        for seed in UInt64(131)...137 {
            let folder = try repository(seed: seed, files: 1).folder
            lines.append(folder.path)
            all.insert(folder.path)
            folders.append(folder)
        }
        let list = try workspace.write("repositories.txt", lines.joined(separator: "\n") + "\n")
        let whole = try sweep(["--list", list.path], workspace: workspace)
        #expect(whole.repositories == all)

        var seen: [Set<String>] = []
        var counted = 0
        for index in 0..<3 {
            let part = try sweep(["--list", list.path, "--shard", "\(index)/3"], workspace: workspace, cache: "shard\(index).sqlite")
            seen.append(part.repositories)
            counted += part.count("repositories")
            #expect(part.count("repositories") == part.repositories.count)
        }
        #expect(seen.reduce(Set<String>()) { $0.union($1) } == all)
        #expect(seen[0].isDisjoint(with: seen[1]) && seen[0].isDisjoint(with: seen[2]) && seen[1].isDisjoint(with: seen[2]))
        #expect(counted == all.count)

        // An entry keeps its shard when the list grows.
        let (extra, _) = try repository(seed: 138, files: 1)
        let longer = try workspace.write("longer.txt", lines.joined(separator: "\n") + "\n" + extra.path + "\n")
        let grown = try sweep(["--list", longer.path, "--shard", "1/3"], workspace: workspace, cache: "shard1.sqlite")
        #expect(grown.repositories.intersection(all) == seen[1])

        let bad = try patrol(["sweep", "--list", list.path, "--shard", "3/3", "--cache", workspace.url.appendingPathComponent("x.sqlite").path])
        #expect(bad.status == 2)
    }

    @Test func badURLsAndBrokenRepositoriesAreErrorsAndTheSweepGoesOn() throws {
        let workspace = try TemporaryFolder()
        let (good, token) = try repository(seed: 141)
        let notARepository = try TemporaryFolder()
        let missingURL = "file://" + workspace.url.appendingPathComponent("no-such-repository.git").path
        // A bare copy whose pack is overwritten with garbage.
        try workspace.git("clone", "-q", "--bare", "--no-local", good.path, "corrupt.git")
        let packFolder = workspace.url.appendingPathComponent("corrupt.git/objects/pack")
        for name in try FileManager.default.contentsOfDirectory(atPath: packFolder.path) where name.hasSuffix(".pack") {
            try Data(repeating: 0x55, count: 4096).write(to: packFolder.appendingPathComponent(name))
        }
        let corrupt = workspace.url.appendingPathComponent("corrupt.git").path
        let noFolder = workspace.url.appendingPathComponent("nowhere").path
        let entries = [missingURL, notARepository.path, corrupt, noFolder, good.path]

        let run = try sweep(entries, workspace: workspace)
        #expect(run.result.status == 1, "findings win over errors: \(run.result.stderr)")
        #expect(run.sightings == ["\(good.path) config/app.env \(token)"])
        let failed = Dictionary(uniqueKeysWithValues: run.errors.map { ($0["repository"] as! String, $0["message"] as! String) })
        #expect(Set(failed.keys) == [missingURL, notARepository.path, corrupt, noFolder])
        #expect(failed[missingURL]?.contains("git clone failed") == true)
        #expect(failed[notARepository.path]?.contains("not a git repository") == true)
        #expect(failed[noFolder]?.contains("no such folder") == true)
        #expect(run.count("errors") == 4)
        #expect(run.count("repositories") == 5)
        #expect(run.result.stderr.contains("error: \(missingURL)"))

        #expect(try sweep(entries, workspace: workspace).result.status == 1)
        #expect(try sweep(entries + ["--strict"], workspace: workspace).result.status == 1)
        #expect(try sweep(entries + ["--exit-code", "3"], workspace: workspace).result.status == 3)
        // Nothing could be swept at all.
        let nothing = try sweep([missingURL, noFolder], workspace: workspace)
        #expect(nothing.result.status == 2)
        #expect(nothing.count("errors") == 2)
        // Some swept, none failing --strict, no findings.
        let clean = try TemporaryFolder()
        try clean.git("init", "-q")
        try clean.commit("clean", ["a.txt": "nothing here\n"])
        #expect(try sweep([clean.path, noFolder], workspace: workspace).result.status == 0)
        #expect(try sweep([clean.path, noFolder, "--strict"], workspace: workspace).result.status == 2)
    }

    @Test func secretsAndURLCredentialsAreRedactedByDefault() throws {
        let workspace = try TemporaryFolder()
        let (repo, token) = try repository(seed: 151)
        let url = "file://user:hunter2@" + repo.path
        let result = try patrol(["sweep", repo.path, url, "--cache", workspace.url.appendingPathComponent("c.sqlite").path, "--clone-dir", workspace.url.appendingPathComponent("clones").path])
        #expect(!result.stdout.contains(token))
        #expect(!result.stdout.contains("hunter2"))
        #expect(!result.stderr.contains("hunter2"))
        let output = try SweepOutput(result)
        #expect(output.findings.count == 2)
        #expect(output.findings.allSatisfy { $0["redacted"] as? Bool == true })
        #expect(output.repositories == [repo.path, "file://user:***@" + repo.path])
        let clones = try FileManager.default.contentsOfDirectory(atPath: workspace.url.appendingPathComponent("clones").path)
        #expect(clones.count == 1 && !clones[0].contains("hunter2"))
        let mode = try FileManager.default.attributesOfItem(atPath: workspace.url.appendingPathComponent("c.sqlite").path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
