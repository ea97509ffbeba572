import Foundation

/// CSV (`--format csv`, RFC 4180): a header row, then one row per finding. Fields holding a
/// comma, a quote, a CR or an LF are quoted, with quotes doubled; rows end in CRLF. A finding in
/// a commit message, tag message or note has an empty `path` and its `location` and `tag` set.
public enum CSVReport {
    public static let columns = [
        "rule", "provider", "confidence", "validated", "verified", "secret", "fingerprint", "path",
        "line", "column", "end_line", "end_column", "commit", "author", "author_date", "context", "snippet",
        "location", "tag", "access",
    ]

    public static func render(_ report: ScanReport, showSecrets: Bool) -> String {
        var output = row(columns)
        for finding in report.findings {
            output += row([
                finding.rule,
                finding.provider,
                finding.confidence.rawValue,
                text(finding.validated),
                text(finding.verified),
                finding.displayedSecret(showSecrets: showSecrets),
                finding.fingerprint,
                finding.reportedPath ?? "",
                String(finding.line),
                String(finding.column),
                String(finding.endLine),
                String(finding.endColumn),
                finding.commit ?? "",
                finding.author ?? "",
                finding.authorDate ?? "",
                finding.contextValues.sorted.map { "\($0.name)=\($0.value)" }.joined(separator: ";"),
                finding.snippet.render(showSecrets: showSecrets),
                finding.origin.isMetadata ? finding.origin.rawValue : "",
                finding.tag ?? "",
                // What a live token reaches (after `patrol verify`), one sentence each.
                finding.access?.lines().joined(separator: "; ") ?? "",
            ])
        }
        return output
    }

    /// `true`, `false`, or empty for null.
    private static func text(_ value: Bool?) -> String {
        value.map { $0 ? "true" : "false" } ?? ""
    }

    static func row(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        let needsQuotes = value.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
