import Foundation
import PatrolTestSupport
import Testing

/// Archives read from standard input and by `patrol ci`, globs that see inside archives, and
/// binary entries listed as skipped: on archives the real `zip` and `gzip` make.
@Suite struct ArchiveReachTests {
    /// A folder with `config.zip` holding `app/.env` (a token on line 1, column 14),
    /// `fixtures/x.env` (another token) and `app/logo.png` (binary), and `app.env.gz`.
    private struct Bundle {
        let folder: TemporaryFolder
        let kept: String, fixture: String

        init(seed: UInt64, git: Bool = false) throws {
            folder = try TemporaryFolder()
            kept = Tokens.github(seed: seed)
            fixture = Tokens.github(seed: seed + 1)
            try folder.write("p/app/.env", "GITHUB_TOKEN=\(kept)\n")
            try folder.write("p/fixtures/x.env", "GITHUB_TOKEN=\(fixture)\n")
            try Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) } + [0, 0, 0]).write(to: folder.url.appendingPathComponent("p/app/logo.png"))
            try tool("sh", ["-c", "cd p && zip -qr ../config.zip app fixtures && gzip -c app/.env > ../app.env.gz && cd .. && rm -r p"], in: folder)
            if git {
                try folder.git("init", "-q")
                try folder.git("add", "-A")
                try folder.git("commit", "-q", "-m", "bundle")
            }
        }

        func data(_ name: String) throws -> Data { try Data(contentsOf: folder.url.appendingPathComponent(name)) }
    }

    private func paths(_ result: RunResult) throws -> [String] {
        try result.findings().compactMap { $0["path"] as? String }.sorted()
    }

    @Test func standardInputHoldingAnArchiveIsOpenedLikeAFileWhetherPipedOrRedirected() throws {
        let bundle = try Bundle(seed: 2101)
        let piped = try patrol(["scan", "-", "--format", "json", "--show-secrets", "--no-config"], stdin: try bundle.data("config.zip"))
        #expect(piped.status == 1, "\(piped.stderr)")
        #expect(try paths(piped) == ["<stdin>!app/.env", "<stdin>!fixtures/x.env"], "\(piped.stdout)")
        let finding = try #require(try piped.findings().first { $0["path"] as? String == "<stdin>!app/.env" })
        #expect(finding["secret"] as? String == bundle.kept)
        #expect(finding["line"] as? Int == 1 && finding["column"] as? Int == 14)

        let gz = try patrol(["scan", "-", "--format", "json", "--show-secrets", "--no-config"], stdin: try bundle.data("app.env.gz"))
        #expect(gz.status == 1, "\(gz.stderr)")
        #expect(try gz.findings().map { $0["secret"] as? String } == [bundle.kept], "\(gz.stdout)")

        // A redirect (`patrol scan - < config.zip`): standard input is the file itself.
        let redirected = try runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "exec \"$0\" scan - --format json --no-config < config.zip", PatrolBinary.url.path], in: bundle.folder.url, stdin: nil, environment: ProcessInfo.processInfo.environment)
        #expect(redirected.status == 1, "\(redirected.stderr)")
        #expect(try RunResult(status: redirected.status, stdout: redirected.stdout, stderr: redirected.stderr).findings().count == 2, "\(redirected.stdout)")

        let off = try patrol(["scan", "-", "--archive-depth", "0", "--no-config"], stdin: try bundle.data("config.zip"))
        #expect(off.status == 0, "\(off.stdout)")
    }

    @Test func binaryEntriesInsideArchivesAreListedAsSkippedInScanAndHistory() throws {
        let bundle = try Bundle(seed: 2111, git: true)
        let scan = try patrol(["scan", ".", "--format", "json", "--no-config", "--no-baseline"], in: bundle.folder.url)
        #expect(scan.status == 1, "\(scan.stderr)")
        let skipped = try #require(try scan.json()["skipped"] as? [[String: Any]])
        #expect(skipped.contains { $0["path"] as? String == "config.zip!app/logo.png" && $0["reason"] as? String == "binary" }, "\(skipped)")
        let verbose = try patrol(["scan", ".", "--verbose", "--no-config", "--no-baseline"], in: bundle.folder.url)
        #expect(verbose.stderr.contains("config.zip!app/logo.png"), "\(verbose.stderr)")

        // Over every ref a skipped blob is named by its id (its path is looked up only for
        // blobs that matched); over a revision range by its path.
        for (arguments, expected) in [([String](), "blob "), (["HEAD"], "config.zip!app/logo.png")] {
            let history = try patrol(["history"] + arguments + ["--format", "json", "--no-config", "--no-baseline"], in: bundle.folder.url)
            #expect(history.status == 1, "\(history.stderr)")
            let historySkipped = try #require(try history.json()["skipped"] as? [[String: Any]])
            #expect(historySkipped.contains { ($0["path"] as? String ?? "").hasPrefix(expected) && ($0["path"] as? String ?? "").hasSuffix("!app/logo.png") && $0["reason"] as? String == "binary" }, "\(historySkipped)")
        }
    }

    @Test func allowPathsAndRulePathsSeeTheEntryInsideAnArchive() throws {
        let bundle = try Bundle(seed: 2121, git: true)
        let folder = bundle.folder
        try folder.write(".patrol.yml", "allow:\n  paths: [\"**/fixtures/**\"]\nrules:\n  extra: rules\n")
        try folder.write("rules/acme.yml", acmeRuleFile(adding: ["paths: {include: [\"*.env\"]}"]))
        try folder.write("q/app/.env", "ACME=acme_Q8vX2mLp0RtZ\n")
        try folder.write("q/app/notes.txt", "ACME=acme_W3nB7kLq2ZxV\n")
        try tool("sh", ["-c", "cd q && zip -qr ../more.zip app && cd .. && rm -r q"], in: folder)
        try folder.git("add", "-A")
        try folder.git("commit", "-q", "-m", "more")

        for command in [["scan", "."], ["history"]] {
            let result = try patrol(command + ["--format", "json", "--no-baseline"], in: folder.url)
            #expect(result.status == 1, "\(command): \(result.stderr)")
            let found = try result.findings().map { "\($0["rule"] as? String ?? "") \($0["path"] as? String ?? "")" }.sorted()
            // `**/fixtures/**` covers config.zip!fixtures/x.env; the rule limited to `*.env` fires
            // on the .env entry of more.zip, not on its notes.txt.
            #expect(found == ["acme-key more.zip!app/.env", "github-pat app.env.gz!app.env", "github-pat config.zip!app/.env"], "\(command): \(result.stdout)")
        }

        // The archive itself as a glob covers everything inside it.
        try folder.write(".patrol.yml", "allow:\n  paths: [config.zip, more.zip, \"*.gz\"]\n")
        let allowed = try patrol(["scan", ".", "--no-baseline"], in: folder.url)
        #expect(allowed.status == 0, "\(allowed.stdout)")
    }

    @Test func ciOpensArchivesInThePushAndTakesTheArchiveOptions() throws {
        let bundle = try Bundle(seed: 2131)
        let folder = bundle.folder
        try folder.git("init", "-q")
        try folder.write("README.md", "hello\n")
        try folder.git("add", "README.md")
        try folder.git("commit", "-q", "-m", "start")
        try folder.git("add", "-A")
        try folder.git("commit", "-q", "-m", "bundle")
        let found = try patrol(["ci", "--range", "HEAD~1..HEAD", "--format", "json", "--no-baseline", "--annotations", "none"], in: folder.url, environment: ciEnvironment([:]))
        #expect(found.status == 1, "\(found.stderr)")
        #expect(Set(try paths(found)) == ["config.zip!app/.env", "config.zip!fixtures/x.env", "app.env.gz!app.env"], "\(found.stdout)")
        let off = try patrol(["ci", "--range", "HEAD~1..HEAD", "--archive-depth", "0", "--no-baseline", "--annotations", "none"], in: folder.url, environment: ciEnvironment([:]))
        #expect(off.status == 0, "\(off.stdout)")
    }
}
