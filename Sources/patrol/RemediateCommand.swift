import ArgumentParser
import Foundation
import PatrolKit

/// `patrol remediate [REPORT]`: a remediation plan for a JSON report, and the replacements
/// file for `git filter-repo --replace-text`.
struct RemediateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remediate",
        abstract: "Write a remediation plan (Markdown or JSON) for a JSON report, and a git filter-repo replacements file.",
        discussion: """
            One section per distinct secret: what it is and can reach, where it is (every path and \
            commit, the commit that introduced it, whether a remote branch holds it), and the steps \
            in order — revoke, rotate, update the consumers, check the audit log, replace the literal \
            with a reference, and purge history if it was pushed. The plan never shows a secret.

            When a secret is (or may be) in a commit, its literal goes into a replacements file for \
            'git filter-repo --replace-text', written with mode 0600 to --replace-file (default: \
            ~/.local/state/patrol/). Redacted secrets are recovered by reading the reported places \
            again (files under the report's root, or commit:path in its repository) and matching the \
            fingerprint; if that fails, remediate exits 2: write the report with --show-secrets.

            Exit codes: 0 the plan was written; 2 usage error, unreadable report, or a secret that \
            could not be recovered.
            """
    )

    enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
        case markdown
        case json
    }

    @Argument(help: ArgumentHelp("A JSON report (--format json), JSON Lines (--format jsonl) or patrol sweep output; '-' reads standard input.", valueName: "report"))
    var report: String = "-"

    @Option(help: "Plan format: markdown or json.")
    var format: PlanFormat = .markdown

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the plan to FILE instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Write the replacements file here (default: ~/.local/state/patrol/replacements-<repository>-<hash>.txt).", valueName: "file"))
    var replaceFile: String?

    @Flag(help: "Write no replacements file (and need no secret recovered); the plan says how to write one.")
    var noReplaceFile = false

    @Option(name: .customLong("rules"), help: ArgumentHelp("A folder of extra rule files (for findings of rules that are not built in).", valueName: "dir"))
    var ruleDirectories: [String] = []

    @Flag(name: .shortAndLong, help: "Print nothing on standard error but errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print patrol's peak memory on standard error.")
    var verbose = false

    func validate() throws {
        if noReplaceFile && replaceFile != nil { throw ValidationError("--replace-file and --no-replace-file cannot be combined") }
    }

    func run() throws {
        do {
            try makePlan()
        } catch let error as RemediationError {
            throw CommandFailure(error.description)
        }
    }

    private func makePlan() throws {
        if report == "-", isatty(STDIN_FILENO) == 1 {
            throw CommandFailure("no report: name a JSON report ('patrol remediate report.json') or pipe one in ('patrol scan --format json | patrol remediate -')")
        }
        // Read a finding at a time, each folded into its secret's compact record: a report of
        // 200,000 findings is never parsed whole, nor kept.
        let ruleSet = try RuleLoader.load(extraDirectories: ruleDirectories)
        let input = try ReportInput(path: report)
        defer { input.close() }
        var digest = ReportDigest(ruleSet: ruleSet)
        let leakReport = try LeakReport.read(descriptor: input.descriptor, source: input.source) { digest.add($0) }

        var options = RemediationPlanner.Options(reportFile: report == "-" ? nil : report)
        if !noReplaceFile {
            let path = replaceFile ?? ReplacementsFile.defaultPath(forRoot: leakReport.target.root)
            options.replacementsFile = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        var (plan, replacements) = try RemediationPlanner(ruleSet: ruleSet).plan(for: digest, target: leakReport.target, options: options)
        if let replacements, let path = options.replacementsFile {
            try replacements.write(to: path)
            if let warning = ReplacementsFile.workTreeWarning(for: path) { plan.warnings.append(warning) }
        }

        // Written a secret at a time: the plan's text is never held whole.
        let stream = try StreamedOutput(path: output)
        switch format {
        case .markdown:
            RemediationMarkdown.render(plan) { stream.write(TerminalText.escaped($0, keepingLineEnds: true)) }   // no control character of a path reaches a terminal
        case .json:
            RemediationJSON.render(plan, toolVersion: Patrol.version) { stream.write($0) }
        }
        try stream.finish()
        if !quiet {
            for warning in plan.warnings { Terminal.warning(warning) }
            var summary = "patrol: remediation plan for \(plan.secrets.count) distinct secret\(plan.secrets.count == 1 ? "" : "s")"
            if let replacements, let path = options.replacementsFile {
                summary += "; replacements file (\(replacements.literals.count) line\(replacements.literals.count == 1 ? "" : "s"), holds secrets, mode 0600): \(path)"
            }
            Terminal.note(summary)
            if verbose, let peak = Terminal.peakMemoryKiB() { Terminal.note("patrol: peak memory \(peak / 1024) MiB") }
        }
    }
}
