import ArgumentParser
import Foundation
import PatrolKit

/// `--baseline FILE` / `--no-baseline`, for every command that reports findings.
struct BaselineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Apply this baseline instead of .patrol-baseline.json.", valueName: "file"))
    var baseline: String?

    @Flag(help: "Do not apply a baseline.")
    var noBaseline = false

    var choice: BaselineChoice { BaselineChoice(baseline: baseline, noBaseline: noBaseline) }

    func apply(to report: ScanReport, target: String) throws -> ScanReport { try choice.apply(to: report, target: target) }
}

/// What `BaselineOptions` parsed, as a plain value, and how it filters a report.
struct BaselineChoice: Equatable {
    var baseline: String?
    var noBaseline = false

    /// The report minus the findings the baseline accepts. The baseline is `--baseline FILE`, or
    /// `.patrol-baseline.json` found like `.patrol.yml` (git root of `target`, else `target`).
    func apply(to report: ScanReport, target: String) throws -> ScanReport {
        if noBaseline { return report }
        let file: String
        if let baseline {
            guard FileManager.default.fileExists(atPath: baseline) else {
                throw CommandFailure("\(baseline): no such baseline file")
            }
            file = baseline
        } else if let found = Baseline.discover(for: target) {
            file = found
        } else {
            return report
        }
        return try Baseline.load(file: file).filter(report, folder: PathText.parent(of: file))
    }
}

/// `patrol baseline create | update`: accept today's findings so that only new ones fail.
struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Write or refresh .patrol-baseline.json: accepted findings that are no longer reported.",
        discussion: """
            The baseline lists {fingerprint, rule, path} entries, sorted, with no line numbers or \
            timestamps, so it survives edits and merges. It is applied by default by scan, history \
            and diff when found (at the root of the git work tree, else in the scanned folder); \
            --baseline FILE picks another, --no-baseline ignores it. A baselined secret is still \
            compromised: revoke it (see 'patrol remediate').
            """,
        subcommands: [Create.self, Update.self]
    )

    struct Source: ParsableArguments {
        @Argument(help: ArgumentHelp("The folder to scan (default: the current folder).", valueName: "path"))
        var path = "."

        @Flag(help: "Baseline the git history of the repository instead of the files on disk.")
        var history = false

        @Option(name: .shortAndLong, help: ArgumentHelp("The baseline file (default: .patrol-baseline.json at the git root of PATH, else in PATH).", valueName: "file"))
        var output: String?

        @OptionGroup var selection: RuleSelectionOptions
        @OptionGroup var progress: ProgressOptions

        func file() -> String {
            output ?? Baseline.defaultFile(for: path)
        }

        func findings() throws -> ScanReport {
            let counters = ScanProgress()
            let display = ProgressDisplay(counters: counters, noun: history ? "blobs" : "files", enabled: progress.isEnabled(quiet: false))
            defer { display.stop() }
            if history {
                let (config, ruleSet) = try selection.loadForRepository(path)
                var options = HistoryOptions()
                options.progress = counters
                do {
                    return try HistoryScanner(ruleSet: ruleSet, config: config, options: options).scan(repository: path)
                } catch {
                    throw CommandFailure(error.description)
                }
            }
            let (config, ruleSet) = try selection.load(target: path)
            var options = ScanOptions()
            options.progress = counters
            return try Scanner(ruleSet: ruleSet, config: config, options: options).scan(paths: [path])
        }

        func write(_ baseline: Baseline, to file: String) throws {
            do {
                try Data(baseline.rendered().utf8).write(to: URL(fileURLWithPath: file))
            } catch {
                throw CommandFailure("cannot write \(file): \(error.localizedDescription)")
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Scan like 'patrol scan' (or 'history' with --history) and accept every finding.")
        @OptionGroup var source: Source
        @Flag(help: "Replace an existing baseline.") var force = false

        func run() throws {
            let file = source.file()
            if FileManager.default.fileExists(atPath: file) && !force {
                throw CommandFailure("\(file) exists; use 'patrol baseline update' (or --force to start over)")
            }
            let report = try source.findings()
            let baseline = Baseline(findings: report.findings, of: report, folder: PathText.parent(of: file))
            try source.write(baseline, to: file)
            print("wrote \(baseline.entries.count) \(baseline.entries.count == 1 ? "entry" : "entries") to \(file)")
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "update", abstract: "Add new findings to the baseline and drop entries no longer found.")
        @OptionGroup var source: Source

        func run() throws {
            let file = source.file()
            guard FileManager.default.fileExists(atPath: file) else {
                throw CommandFailure("\(file) does not exist; create it with 'patrol baseline create'")
            }
            let current = try Baseline.load(file: file)
            let report = try source.findings()
            let (baseline, added, removed) = current.updated(with: report.findings, of: report, folder: PathText.parent(of: file))
            try source.write(baseline, to: file)
            print("\(file): \(baseline.entries.count) entries (\(added) added, \(removed) removed)")
        }
    }
}

