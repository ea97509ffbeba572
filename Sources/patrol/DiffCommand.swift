import ArgumentParser
import Foundation
import PatrolKit

/// `patrol diff [--staged | REV | A..B | -]`: only the lines a change adds.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Scan only the lines a change adds.",
        discussion: """
            No argument: staged and unstaged changes against HEAD (untracked files are not part of \
            a diff: 'git add' them or use 'patrol scan'). --staged: the index against HEAD, which is \
            what the pre-commit hook runs. REV: one commit against its first parent. A..B: every \
            commit in the range, each against its first parent, so a secret added and removed inside \
            the range is still found. '-': a unified diff on standard input. Lines are reported at \
            their number in the new file.
            """
    )

    @Argument(help: ArgumentHelp("A commit, a range A..B, or '-' for a unified diff on standard input.", valueName: "rev"))
    var revision: String?

    @Flag(help: "Scan the index (staged changes) against HEAD.")
    var staged = false

    @Option(name: .customLong("repository"), help: ArgumentHelp("The repository (default: the current folder).", valueName: "path"))
    var repository = "."

    @OptionGroup var report: ReportOptions
    @OptionGroup var selection: RuleSelectionOptions
    @OptionGroup var baseline: BaselineOptions
    @OptionGroup(title: "Archives") var archives: ArchiveOptions

    var request: DiffRequest {
        DiffRequest(revision: revision, staged: staged, repository: repository, report: report.settings, selection: selection.selection, baseline: baseline.choice, archive: archives.limits)
    }

    func validate() throws {
        if let problem = request.problem { throw ValidationError(problem) }
    }

    func run() throws { try request.run() }
}

/// A parsed `patrol diff`: what `DiffCommand` parses, or what `DiffFastPath` reads directly.
struct DiffRequest: Equatable {
    var revision: String?
    var staged = false
    var repository = "."
    var report = ReportSettings()
    var selection = RuleSelection()
    var baseline = BaselineChoice()
    var archive = ArchiveLimits()

    /// Why the arguments cannot go together, if they cannot.
    var problem: String? {
        staged && revision != nil ? "--staged cannot be combined with a revision" : nil
    }

    /// Runs the diff; returns the rule set it used, so that a caller about to exit can skip
    /// tearing it down (a million instructions of freeing, on every commit's hook).
    @discardableResult
    func run() throws -> RuleSet {
        let source: DiffSource
        switch revision {
        case nil: source = staged ? .staged : .workingTree
        case "-"?: source = .standardInput
        case let value? where value.contains(".."): source = .range(value)
        case let value?: source = .revision(value)
        }
        // The hook's case: git diffs while the rules load.
        let started = source == .staged ? DiffScanner.startStaged(repository: repository) : nil
        let config: PatrolConfig, ruleSet: RuleSet
        do {
            (config, ruleSet) = source == .standardInput
                ? try selection.load(target: ".")
                : try selection.loadForRepository(repository)
        } catch {
            started?.cancel()
            throw error
        }
        let result: ScanReport
        do {
            result = try DiffScanner(ruleSet: ruleSet, config: config, minConfidence: report.minConfidence, archive: archive).scan(source, repository: repository, started: started)
        } catch {
            throw CommandFailure(error.description)
        }
        try ReportPrinter(options: report, ruleSet: ruleSet, blocked: source == .staged ? .commit : nil).emit(try baseline.apply(to: result, target: repository))
        return ruleSet
    }
}
