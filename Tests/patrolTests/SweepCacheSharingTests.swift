import Foundation
import PatrolTestSupport
import Testing

/// Several `patrol sweep` runs on one new cache file at the same moment (shards on one machine,
/// two cron jobs): each waits for the others instead of failing, and all report the same.
@Suite struct SweepCacheSharingTests {
    /// Starts every run before waiting for any, so they open the new file together.
    private func sweepTogether(_ count: Int, repositories: [String], cache: String, workspace: TemporaryFolder) throws -> [(status: Int32, stdout: String, stderr: String)] {
        var runs: [(process: Process, output: URL, errors: URL)] = []
        for index in 0..<count {
            let output = workspace.url.appendingPathComponent("out-\(index).jsonl")
            let errors = workspace.url.appendingPathComponent("err-\(index).txt")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            let process = Process()
            process.executableURL = PatrolBinary.url
            process.arguments = ["sweep", "--cache", cache, "--no-fetch", "--show-secrets", "-o", output.path, "--jobs", "1", "--threads", "1"] + repositories
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: errors)
            var environment = ProcessInfo.processInfo.environment
            environment["NO_COLOR"] = "1"
            process.environment = environment
            runs.append((process, output, errors))
        }
        for run in runs { try run.process.run() }
        return runs.map { run in
            run.process.waitUntilExit()
            let read = { (url: URL) in String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self) }
            return (run.process.terminationStatus, read(run.output), read(run.errors))
        }
    }

    /// The finding lines of a sweep's output, sorted (repositories may finish in any order).
    private func findingLines(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("{\"summary\"") && !$0.hasPrefix("{\"error\"") && !$0.hasPrefix("{\"coverage\"") }.sorted()
    }

    @Test func fourFirstRunsOnOneNewCacheAllSucceedWithTheSameFindings() throws {
        let workspace = try TemporaryFolder()
        var repositories: [TemporaryFolder] = []
        var tokens: [String] = []
        for seed in UInt64(901)...902 {
            let repo = try TemporaryFolder()
            try repo.git("init", "-q")
            try repo.commit("start", ["README.md": "repository \(seed)\n"])
            let token = Tokens.cask(seed: seed)
            try repo.commit("leak", ["config/app.env": "PAT=\(token)\n"])
            repositories.append(repo)
            tokens.append(token)
        }
        let reference = try patrol(["sweep", "--cache", workspace.url.appendingPathComponent("reference.sqlite").path, "--show-secrets"] + repositories.map(\.path))
        #expect(reference.status == 1, "\(reference.stderr)")
        let expected = findingLines(reference.stdout)
        #expect(expected.count == 2)
        #expect(tokens.allSatisfy { token in expected.contains { $0.contains(token) } })

        for trial in 0..<5 {
            let cache = workspace.url.appendingPathComponent("shared-\(trial)/sweep.sqlite").path
            let results = try sweepTogether(4, repositories: repositories.map(\.path), cache: cache, workspace: workspace)
            for (index, result) in results.enumerated() {
                #expect(result.status == 1, "trial \(trial), run \(index) exited \(result.status): \(result.stderr)")
                #expect(!result.stderr.contains("delete it"), "trial \(trial), run \(index): \(result.stderr)")
                #expect(findingLines(result.stdout) == expected, "trial \(trial), run \(index)")
            }
            var status = stat()
            #expect(stat(cache, &status) == 0 && status.st_mode & 0o777 == 0o600)
        }
    }
}
