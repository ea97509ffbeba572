import ArgumentParser
import Foundation
import PatrolKit

/// `patrol ci`: scans what the CI's event adds (a push, a pull request, a build), read from the
/// environment the CI sets, and writes every report in one pass.
struct CICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Scan exactly what this CI event (push, pull request, build) or push adds, and write every report in one pass.",
        discussion: """
            Detects GitHub Actions (GITHUB_ACTIONS, the event file), Azure Pipelines (TF_BUILD, \
            BUILD_REASON, System.PullRequest.*), GitLab CI (GITLAB_CI, CI_MERGE_REQUEST_*, \
            CI_COMMIT_BEFORE_SHA) and the pre-commit framework's pre-push stage (PRE_COMMIT_TO_REF). \
            A pull request: base..head. A push: before..after; a new branch, a force-push or the \
            first push of a repository: every pushed commit that no other remote branch has (for a \
            first push, the whole history). A tag: its commits no remote branch has. Azure CI builds \
            of any branch: the commits since the last commit a build scanned clean, kept in --state \
            FILE (without one, the whole history). Manual and scheduled runs: all history. \
            Elsewhere: --range A..B. A shallow clone is deepened with 'git fetch --unshallow'; if the \
            commits still reach past its edge, patrol ci fails (exit 2) rather than scan less.

            It says on standard error which event it saw and what it scans, prints the text report \
            on standard output with an annotation per finding in the CI's own syntax, and writes \
            --sarif, --junit and --json files. Exit 0: nothing found; 1: findings; 2: failure.
            """
    )

    @Option(help: ArgumentHelp("Scan what B adds over A (or one revision's whole history) instead of reading the CI's environment.", valueName: "A..B"))
    var range: String?

    @Option(help: ArgumentHelp("Azure CI builds: the file that holds the last commit scanned clean (keep it with the Cache@2 task); written after a clean scan.", valueName: "file"))
    var state: String?

    @Option(help: ArgumentHelp("Act as git's pre-push hook for this remote: read the pushed refs on standard input.", valueName: "remote"))
    var prePush: String?

    @Option(name: .customLong("repository"), help: ArgumentHelp("The repository (default: the current folder).", valueName: "path"))
    var repository = "."

    @Option(help: ArgumentHelp("Also write a SARIF report to FILE (code scanning).", valueName: "file"))
    var sarif: String?

    @Option(help: ArgumentHelp("Also write a JUnit report to FILE (a pipeline's Tests tab).", valueName: "file"))
    var junit: String?

    @Option(help: ArgumentHelp("Also write a JSON report to FILE (what verify, revoke and remediate read).", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Annotations on standard output: auto (the CI's own syntax), github, azure or none.", valueName: "syntax"))
    var annotations: AnnotationChoice = .auto

    @OptionGroup var report: ReportOptions
    @OptionGroup var selection: RuleSelectionOptions
    @OptionGroup var baseline: BaselineOptions
    @OptionGroup var progress: ProgressOptions
    @OptionGroup(title: "Archives") var archives: ArchiveOptions

    @OptionGroup var blobs: BlobReadingOptions

    enum AnnotationChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, github, azure, none
    }

    func validate() throws {
        if range != nil && prePush != nil { throw ValidationError("--range and --pre-push cannot be combined") }
    }

    func run() throws {
        let event = try self.event()
        let quiet = report.quiet
        let scope: CIScope
        do {
            scope = try CIScope.resolve(event, repository: repository, state: state) { if !quiet { Terminal.note($0) } }
        } catch {
            throw CommandFailure("patrol ci: " + error.description)
        }
        if !quiet { Terminal.note("patrol ci: \(event.provider.rawValue) \(event.name), \(scope.summary)") }

        let (config, ruleSet) = try selection.loadForRepository(repository)
        var options = HistoryOptions()
        options.revisions = scope.revisions
        options.commits = scope.commits
        blobs.apply(to: &options)
        options.archive = archives.limits
        options.minConfidence = report.minConfidence
        options.checkMissingObjects = report.strict
        let result = try scanHistory(repository, ruleSet: ruleSet, config: config, options: options,
                                     showProgress: progress.isEnabled(quiet: quiet))
        let filtered = try baseline.apply(to: result, target: repository)

        let settings = report.settings
        for (path, format) in [(sarif, ReportFormat.sarif), (junit, .junit), (json, .json)] {
            guard let path else { continue }
            var fileSettings = settings
            fileSettings.format = format
            fileSettings.output = path
            try Terminal.write(ReportPrinter(options: fileSettings, ruleSet: ruleSet).render(filtered), to: path)
        }
        if let syntax = annotationSyntax(for: event.provider) {
            Terminal.writeStandardOutput(CIAnnotations.render(filtered, syntax: syntax, showSecrets: settings.showSecrets))
        }
        // The next build starts after this commit only if nothing was found and nothing was unreadable.
        if let state, let head = scope.head, filtered.findings.isEmpty, filtered.errors.isEmpty {
            do { try CIScope.writeState(head, to: state) } catch { throw CommandFailure("patrol ci: " + error.description) }
        }
        let blocked: BlockedAction = event.provider == .preCommit || event.provider == .prePush ? .push : .build
        try ReportPrinter(options: settings, ruleSet: ruleSet, blocked: blocked).emit(filtered)
    }

    private func event() throws -> CIEvent {
        if let prePush {
            let input = FileHandle.standardInput.readDataToEndOfFile()
            return CIEvent(provider: .prePush, name: "push to \(prePush)", selection: .pushedRefs(PushedRef.parse(String(decoding: input, as: UTF8.self)), remote: prePush))
        }
        if let range { return CIEvent.range(range) }
        do {
            guard let event = try CIEvent.detect(environment: ProcessInfo.processInfo.environment) else { throw CIError.noCI }
            return event
        } catch {
            throw CommandFailure("patrol ci: \(error)")
        }
    }

    private func annotationSyntax(for provider: CIEvent.Provider) -> CIAnnotations.Syntax? {
        switch annotations {
        case .none: nil
        case .github: .github
        case .azure: .azure
        case .auto: provider == .github ? .github : provider == .azure ? .azure : nil
        }
    }
}
