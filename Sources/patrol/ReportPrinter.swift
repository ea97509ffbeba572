import ArgumentParser
import Foundation
import PatrolKit

/// Writes a report in the chosen format, its summary and problems on standard error, and ends
/// the command with the exit code DESIGN.md specifies.
struct ReportPrinter {
    let options: ReportSettings
    /// The rules the scan used, for rule names and help in SARIF; nil: the built-in rules.
    var ruleSet: RuleSet? = nil
    /// What stops when there are findings (a commit, a push, a build): said last, with what to do.
    var blocked: BlockedAction? = nil

    func emit(_ report: ScanReport) throws {
        // The command ends once the report is out: never freed, finding by finding.
        KeptUntilExit.keep(report)
        if options.format == .json {
            // Streamed: 160,000 findings make a 135 MB report, which as one string was copied
            // three times over before a byte was written.
            try Terminal.stream(to: options.output, holdsSecrets: options.showSecrets) { sink in
                try JSONReport.stream(report, toolVersion: Patrol.version, showSecrets: options.showSecrets, to: sink)
            }
        } else {
            let text = render(report)
            if !text.isEmpty || options.output != nil { try Terminal.write(text, to: options.output, holdsSecrets: options.showSecrets) }
        }

        if !options.quiet {
            for warning in report.warnings { Terminal.warning(warning) }
            for failure in report.errors { Terminal.warning("cannot read \(TerminalText.escaped(failure.path)): \(failure.message)") }
            if options.verbose {
                for item in report.skipped { Terminal.note("patrol: skipped \(TerminalText.escaped(item.path)) (\(item.reason.rawValue))") }
            }
            Terminal.note(TextReport.summary(report))
            if options.verbose, let peak = Terminal.peakMemoryKiB() {
                Terminal.note("patrol: peak memory \(peak / 1024) MiB")
            }
            if let blocked, !report.findings.isEmpty {
                Terminal.write(blocked.message(for: report), to: STDERR_FILENO)
            }
        }
        if !report.findings.isEmpty { throw ExitCode(options.exitCode) }
        if options.strict && !report.errors.isEmpty { throw ExitCode(2) }
    }

    /// The report in the chosen format.
    func render(_ report: ScanReport) -> String {
        let text: String
        switch options.format {
        case .json:
            text = JSONReport.render(report, toolVersion: Patrol.version, showSecrets: options.showSecrets)
        case .text:
            let color = options.output == nil && Terminal.useColor(descriptor: STDOUT_FILENO, disabled: options.noColor)
            text = TextReport.render(report, style: .init(color: color, showSecrets: options.showSecrets))
        case .jsonl:
            text = JSONLinesReport.render(report, showSecrets: options.showSecrets)
        case .sarif:
            text = SARIFReport.render(report, toolVersion: Patrol.version, showSecrets: options.showSecrets, ruleSet: ruleSet ?? (try? RuleLoader.load()))
        case .junit:
            text = JUnitReport.render(report, showSecrets: options.showSecrets)
        case .csv:
            text = CSVReport.render(report, showSecrets: options.showSecrets)
        case .markdown:
            text = MarkdownReport.render(report, showSecrets: options.showSecrets)
        }
        return text
    }
}
