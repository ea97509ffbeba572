import ArgumentParser
import Foundation
import PatrolKit
import PatrolRevoke

extension SweepShard: ExpressibleByArgument {}

/// `patrol sweep`: `run` (the default: `patrol sweep REPO…` is `patrol sweep run REPO…`) and
/// `list`. A container, because a command with positional arguments of its own would take a
/// subcommand's name for a repository.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Sweep many repositories (folders, clone URLs, whole organisations) incrementally; JSON Lines out.",
        discussion: """
            'patrol sweep REPO…' runs 'patrol sweep run REPO…' (see 'patrol sweep run --help' for \
            every option); 'patrol sweep list' prints what organisation sources list.
            """,
        subcommands: [SweepRunCommand.self, SweepListCommand.self],
        defaultSubcommand: SweepRunCommand.self
    )
}

/// `patrol sweep [run] REPO… | --list FILE | --github-org ORG …`: many repositories,
/// incrementally, as JSON Lines.
struct SweepRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Sweep many repositories (local folders or clone URLs) incrementally; JSON Lines out.",
        discussion: """
            Each repository's history is scanned like 'patrol history' (all refs). URLs are cloned \
            bare into --clone-dir and fetched on later runs. An SQLite cache (--cache) records the \
            blobs scanned under the current rule set and each repository's ref tips, so a second \
            sweep scans only blobs it has not seen and reads only new commits, yet reports every \
            current finding. A sweep killed at any moment continues where it stopped on the next run.

            Output (stdout or --output): one finding per line with a "repository" field, written \
            when that repository is done; one {"error": {"repository", "message"}} line per \
            repository that failed; last, {"summary": {"repositories", "blobs_scanned", \
            "blobs_skipped", "bytes_scanned", "findings", "errors", "seconds"}}.

            Exit codes: 0 no findings; 1 findings (--exit-code N changes it); 2 usage or cache \
            error, every repository failed, or (with --strict) any repository failed. Findings win.
            """
    )

    @Argument(help: ArgumentHelp("Repositories: local folders or clone URLs (https://, ssh://, git@host:path, file://).", valueName: "repo"))
    var repositories: [String] = []

    @Option(name: .customLong("list"), help: ArgumentHelp("A file with one repository per line ('#' starts a comment line; '-' reads standard input). Repeatable.", valueName: "file"))
    var lists: [String] = []

    @Option(help: ArgumentHelp("Sweep only shard K of N (0 ≤ K < N), chosen by a stable hash of each entry.", valueName: "K/N"))
    var shard: SweepShard?

    @Option(help: ArgumentHelp("The SQLite cache (default: ~/.cache/patrol/sweep.sqlite).", valueName: "file"))
    var cache: String?

    @Option(help: ArgumentHelp("Where URLs are cloned (default: ~/.cache/patrol/repositories).", valueName: "dir"))
    var cloneDir: String?

    @Flag(help: "Do not fetch clones made by earlier runs; sweep them as they are.")
    var noFetch = false

    @Flag(help: "Forget the results cached under the current rules and scan every blob again.")
    var rescan = false

    @Flag(help: "Do not scan commit messages, annotated tag messages and git notes.")
    var noMetadata = false

    @Option(help: ArgumentHelp("Repositories swept at once (default: the number of cores).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("git cat-file readers per repository (default: the number of cores).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Skip blobs larger than this (e.g. 25M, 3G).", valueName: "size"))
    var maxFileSize = ByteSize(bytes: 25 << 20)

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the JSON Lines to FILE instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Show secrets (and credentials in repository URLs) in full; by default they are redacted.")
    var showSecrets = false

    @Option(help: ArgumentHelp("Report only findings of at least this confidence: high, medium or low.", valueName: "level"))
    var minConfidence: Confidence = .low

    @Option(help: ArgumentHelp("Exit code when findings remain (default 1).", valueName: "n"))
    var exitCode: Int32 = 1

    @Flag(help: "Exit 2 when any repository could not be swept (findings still win with their exit code).")
    var strict = false

    @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print one line per repository on standard error.")
    var verbose = false

    @Option(name: .customLong("rules"), help: ArgumentHelp("A folder of extra rule files, added to the built-in rules (repeatable).", valueName: "dir"))
    var ruleDirectories: [String] = []

    @Option(help: ArgumentHelp("A configuration file (allow lists, rules.disable, rules.extra) for every repository; repositories' own .patrol.yml files are not read.", valueName: "file"))
    var config: String?

    @OptionGroup(title: "Organisation sources")
    var sources: SweepSourceOptions

    @OptionGroup(title: "Archives") var archives: ArchiveOptions

    func validate() throws {
        try sources.validateSources()
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if repositories.isEmpty && lists.isEmpty && sources.isEmpty {
            throw ValidationError("name repositories, a list of them with --list FILE, or a source such as --github-org ORG")
        }
    }

    func run() throws {
        let credentials = SourceCredentials(environment: ProcessInfo.processInfo.environment)
        var entries = repositories.map { SweepEntry($0) }
        for list in lists { entries += try Self.readList(list) }
        let listed = sources.isEmpty ? [] : try sources.enumerate()
        var notSwept = ""
        for (_, repositories) in listed {
            for repository in repositories {
                if let reason = sources.exclusion(repository) {
                    notSwept += SweepReport.skipped(repository.url, reason: reason)
                } else {
                    entries.append(SweepEntry(repository.url, origin: repository.origin))
                }
            }
        }
        // Each entry a source named (here or in a JSON Lines list) gets that source's credential.
        entries = entries.map { entry in
            guard let origin = entry.origin, entry.isURL else { return entry }
            var entry = entry
            entry.gitCredential = credentials.gitCredential(for: origin.source, url: entry.text)
            return entry
        }
        // An entry listed twice is swept once.
        var seen = Set<SweepEntry>()
        entries = entries.filter { seen.insert($0).inserted }
        if let shard { entries = entries.filter(shard.contains) }

        let (patrolConfig, ruleSet) = try loadRules()
        let cacheFolder = Self.cacheFolder()
        var options = SweepOptions(cloneDirectory: cloneDir ?? PathText.appending("repositories", to: cacheFolder), engineVersion: Patrol.version)
        if let jobs { options.jobs = jobs }
        if let threads { options.threads = threads }
        options.maxFileSize = maxFileSize.bytes
        options.minConfidence = minConfidence
        options.fetch = !noFetch
        options.archive = archives.limits
        options.rescan = rescan
        options.scanMetadata = !noMetadata
        if let limit = ProcessInfo.processInfo.environment["PATROL_SWEEP_TEST_KILL_AFTER_BLOBS"].flatMap(Int.init) {
            options.killAfterStoredBlobs = limit
            options.batchSize = 4
        }

        let sweep: Sweep
        let database: SweepCache
        do {
            database = try SweepCache(path: cache ?? PathText.appending("sweep.sqlite", to: cacheFolder))
            sweep = try Sweep(ruleSet: ruleSet, config: patrolConfig, cache: database, options: options)
        } catch {
            throw CommandFailure(error.description)
        }
        let sink = try SweepOutput(path: output, private: showSecrets)
        sink.write(notSwept)
        for (source, repositories) in listed {
            let current = repositories.map { SweepEntry($0.url, origin: $0.origin) }
            let removed: [SweepEntry]
            do {
                removed = try database.updateListing(current, source: source.key)
            } catch {
                throw CommandFailure(error.description)
            }
            for entry in removed {
                sink.write(SweepReport.removed(entry.text, origin: entry.origin ?? SweepOrigin(source: source.kind, name: entry.text)))
                if !quiet { Terminal.note("patrol: \(entry.redacted): no longer listed by \(source.key)") }
            }
        }
        let (showSecrets, quiet, verbose) = (self.showSecrets, self.quiet, self.verbose)
        let summary = sweep.run(entries) { result in
            sink.write(SweepReport.render(result, showSecrets: showSecrets))
            let name = showSecrets ? result.entry.text : result.entry.redacted
            if let message = SweepReport.errorMessage(result) { Terminal.error("\(name): \(message)") }
            if !quiet {
                for warning in result.warnings { Terminal.warning("\(name): \(warning)") }
            }
            if verbose && !quiet && result.failure == nil {
                Terminal.note("patrol: \(name): \(result.mode.rawValue), \(result.blobsScanned) blobs scanned, \(result.blobsSkipped) skipped, \(Self.plural(result.findings.count, "finding")), \(String(format: "%.2f", result.seconds)) s")
            }
        }
        sink.write(SweepReport.render(summary))
        sink.close()
        if !quiet { Terminal.note(Self.describe(summary)) }

        if summary.findings > 0 { throw ExitCode(exitCode) }
        if summary.repositories > 0 && summary.failedRepositories == summary.repositories { throw ExitCode(2) }
        if strict && summary.errors > 0 { throw ExitCode(2) }
    }

    /// The rules and one configuration for every repository: `--config` only, no discovery, so
    /// a repository cannot silence its own findings in a central sweep.
    private func loadRules() throws -> (PatrolConfig, RuleSet) {
        var patrolConfig = PatrolConfig()
        if let file = config {
            guard FileManager.default.fileExists(atPath: file) else { throw CommandFailure("\(file): no such configuration file") }
            patrolConfig = try PatrolConfig.load(file: file)
        }
        var directories = ruleDirectories
        if let extra = patrolConfig.extraRules {
            directories.append(extra.hasPrefix("/") ? extra : PathText.appending(extra, to: (patrolConfig.root ?? ".")))
        }
        return (patrolConfig, try RuleLoader.load(extraDirectories: directories, disabled: patrolConfig.disabledRules))
    }

    private static func readList(_ path: String) throws -> [SweepEntry] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("\(path): cannot read the repository list")
            }
            data = contents
        }
        do {
            return try SweepEntry.parseList(String(decoding: data, as: UTF8.self))
        } catch {
            throw CommandFailure("\(path == "-" ? "<stdin>" : path): \(error.description)")
        }
    }

    /// `$XDG_CACHE_HOME/patrol`, else `~/.cache/patrol`.
    private static func cacheFolder() -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? PathText.appending(".cache", to: NSHomeDirectory())
        return PathText.appending("patrol", to: base)
    }

    static func plural(_ count: Int, _ noun: String, _ plural: String? = nil) -> String {
        "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
    }

    static func describe(_ summary: SweepSummary) -> String {
        var text = "patrol: swept \(Self.plural(summary.repositories, "repository", "repositories"))"
        if summary.failedRepositories > 0 { text += " (\(summary.failedRepositories) failed)" }
        text += " in \(String(format: "%.2f", summary.seconds)) s: \(summary.blobsScanned) blobs scanned"
        text += " (\(String(format: "%.1f", Double(summary.bytesScanned) / 1_000_000)) MB), \(summary.blobsSkipped) skipped"
        text += "; \(Self.plural(summary.findings, "finding"))"
        if summary.errors > 0 { text += ", \(Self.plural(summary.errors, "error"))" }
        return text
    }
}

/// Where the JSON Lines go: standard output, or a file truncated at the start and written a
/// repository at a time (mode 0600 when secrets are shown).
final class SweepOutput: @unchecked Sendable {
    // Written only from the sweep's report callback, which runs one call at a time.
    private let descriptor: Int32?

    init(path: String?, private: Bool) throws {
        guard let path else {
            descriptor = nil
            return
        }
        descriptor = try ReportFile.open(path, holdsSecrets: `private`)
    }

    func write(_ text: String) {
        Terminal.write(text, to: descriptor ?? STDOUT_FILENO)
    }

    func close() {
        if let descriptor { Glibc.close(descriptor) }
    }
}
