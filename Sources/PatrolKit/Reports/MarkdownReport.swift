import Foundation

/// Markdown (`--format markdown`): a heading and a summary table, one row per finding, sized for
/// a pull-request comment. Cells are escaped so a `|` or a backtick in a path cannot break the
/// table; secrets are redacted unless `showSecrets`.
public enum MarkdownReport {
    public static let header = ["rule", "file", "line", "secret", "confidence", "commit"]

    public static func render(_ report: ScanReport, showSecrets: Bool) -> String {
        var output = "### patrol: "
        let counts = report.findingCounts
        if report.findings.isEmpty {
            output += "no secrets found\n"
        } else {
            output += "\(TextReport.plural(counts.secrets, "secret")) found "
                + "(\(TextReport.plural(counts.findings, "finding")) in \(TextReport.plural(counts.files, "file")))\n\n"
            output += "| " + header.joined(separator: " | ") + " |\n"
            output += "|" + String(repeating: "---|", count: header.count) + "\n"
            for finding in report.findings {
                let cells = [
                    code(finding.rule),
                    code(finding.path),
                    String(finding.line),
                    code(finding.displayedSecret(showSecrets: showSecrets)),
                    "\(finding.confidence.rawValue), \(finding.proof)",
                    finding.commit.map { code(String($0.prefix(12))) } ?? "",
                ]
                output += "| " + cells.joined(separator: " | ") + " |\n"
            }
        }
        var notes: [String] = []
        let scanned = report.target.kind == "git" ? TextReport.plural(report.stats.blobs, "blob") : TextReport.plural(report.stats.files, "file")
        notes.append("Scanned \(scanned).")
        if !report.errors.isEmpty {
            notes.append("\(TextReport.plural(report.errors.count, "file")) could not be read: " + report.errors.prefix(5).map { code($0.path) }.joined(separator: ", ") + (report.errors.count > 5 ? ", …" : "") + ".")
        }
        let mapped = report.findings.filter { $0.access != nil }
        if !mapped.isEmpty {
            // After `patrol verify`: what each live token reaches, under the table.
            output += "\n**Access of the live tokens:**\n\n"
            for finding in mapped {
                let lines = finding.access!.lines().map { TerminalText.escaped($0).replacingOccurrences(of: "\n", with: " ") }
                output += "- \(code(finding.displayedSecret(showSecrets: showSecrets))) (\(code(finding.rule))): " + lines.joined(separator: "; ") + "\n"
            }
        }
        if !report.findings.isEmpty {
            notes.append("Treat every secret above as compromised: revoke it first. `patrol remediate` on the JSON report (`--format json`) writes a plan for each.")
        }
        return output + "\n" + notes.joined(separator: " ") + "\n"
    }

    /// A table cell holding `text` as code: a code span whose fence is longer than any run of
    /// backticks inside, with `|` escaped (GitHub splits cells before it parses code spans) and
    /// line breaks turned into spaces.
    static func code(_ text: String) -> String {
        var cell = TerminalText.escaped(text, keepingLineEnds: true).replacingOccurrences(of: "\r\n", with: " ")
            .replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
            .replacingOccurrences(of: "|", with: "\\|")
        var longestRun = 0, run = 0
        for character in cell {
            run = character == "`" ? run + 1 : 0
            longestRun = max(longestRun, run)
        }
        let fence = String(repeating: "`", count: longestRun + 1)
        if longestRun > 0 || cell.hasPrefix(" ") || cell.hasSuffix(" ") { cell = " " + cell + " " }
        return fence + cell + fence
    }
}
