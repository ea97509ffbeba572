/// Why a remediation plan could not be made. Each message names what failed and what to do.
public enum RemediationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The report is not a patrol JSON report, nor JSON Lines of findings (or not JSON at all).
    case unreadableReport(source: String, reason: String)
    /// A redacted secret could not be found again at the places the report names, so the
    /// replacements file cannot hold it.
    case secretNotRecovered(finding: String, reason: String)
    /// The replacements file could not be written.
    case cannotWriteReplacements(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableReport(let source, let reason):
            "\(source): not a patrol JSON report or JSON Lines (\(reason)); write one with 'patrol scan|history|diff --format json --output report.json' (or --format jsonl, or 'patrol sweep')"
        case .secretNotRecovered(let finding, let reason):
            "cannot recover the redacted secret of \(finding): \(reason). The replacements file needs the real secret: "
                + "write the report with --show-secrets (e.g. 'patrol history --format json --show-secrets --output report.json'), "
                + "keep it private, and run remediate on it; or pass --no-replace-file for a plan without one"
        case .cannotWriteReplacements(let path, let reason):
            "cannot write the replacements file \(path): \(reason)"
        }
    }
}
