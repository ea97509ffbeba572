import ArgumentParser
import Foundation
import PatrolKit

/// `patrol history [REPO] [REVS…]`: git history, each distinct blob once.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Scan git history: every blob reachable from all refs, or from the given revisions.",
        discussion: """
            With no revision, every blob reachable from any ref is scanned, once however many commits \
            carry it — including blobs that first appear in a merge commit. With revisions (main, v1.2, \
            a commit), the blobs reachable from them; with a range (A..B, ^A B, or after '--': \
            B --not --remotes), the blobs that commits in the range introduce, whole. Each finding \
            names the first commit that introduced a blob containing the secret at that path, and \
            lists every such commit under "locations".

            REPO defaults to the current folder; if the first argument is not a folder, it is taken \
            as a revision. Shallow clones are scanned as they are, with a warning; objects missing \
            from partial clones are skipped (never fetched) and listed under "errors". A corrupt \
            object is listed under "errors" with its id and every other blob is still scanned; when \
            git cannot read the commits themselves, every blob in the object database is scanned \
            and a match no readable commit introduces is reported at "(unattributed blob <id>)". \
            Exit 2 when blobs were to be scanned and not one could be read.
            """
    )

    @Argument(help: ArgumentHelp("The repository (default: the current folder), then revisions or ranges; after '--', arguments passed to git as they are (e.g. -- HEAD --not --remotes).", valueName: "repo-or-rev"))
    var arguments: [String] = []

    @Flag(help: "Also report secrets in unreachable blobs (left by amends and resets); only without revisions.")
    var unreachable = false

    @OptionGroup var report: ReportOptions
    @OptionGroup var selection: RuleSelectionOptions
    @OptionGroup var baseline: BaselineOptions
    @OptionGroup var progress: ProgressOptions
    @OptionGroup(title: "Archives") var archives: ArchiveOptions

    @OptionGroup var blobs: BlobReadingOptions

    func run() throws {
        var repository = "."
        var revisions = arguments
        if let first = arguments.first, FileManager.default.fileExists(atPath: first) {
            repository = first
            revisions.removeFirst()
        }
        if unreachable && !revisions.isEmpty {
            throw ValidationError("--unreachable applies to a scan of all refs only (no revisions)")
        }
        let (config, ruleSet) = try selection.loadForRepository(repository)
        var options = HistoryOptions()
        options.revisions = revisions
        options.includeUnreachable = unreachable
        blobs.apply(to: &options)
        options.archive = archives.limits
        options.minConfidence = report.minConfidence
        options.checkMissingObjects = report.strict
        let result = try scanHistory(repository, ruleSet: ruleSet, config: config, options: options,
                                     showProgress: progress.isEnabled(quiet: report.quiet))
        try ReportPrinter(options: report.settings, ruleSet: ruleSet).emit(try baseline.apply(to: result, target: repository))
    }
}

/// A history scan with a progress line of blobs on standard error, stopped whatever the outcome
/// (`history` and `ci`).
func scanHistory(_ repository: String, ruleSet: RuleSet, config: PatrolConfig, options: HistoryOptions, showProgress: Bool) throws -> ScanReport {
    var options = options
    let counters = ScanProgress()
    options.progress = counters
    let display = ProgressDisplay(counters: counters, noun: "blobs", enabled: showProgress)
    defer { display.stop() }
    do {
        return try HistoryScanner(ruleSet: ruleSet, config: config, options: options).scan(repository: repository)
    } catch {
        throw CommandFailure(error.description)
    }
}
