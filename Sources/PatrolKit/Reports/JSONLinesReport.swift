/// JSON Lines (`--format jsonl`): one finding per line, each the object of the JSON report's
/// `findings` array, so a stream of findings can be filtered line by line (`grep`, `jq -c`).
public enum JSONLinesReport {
    /// One finding's line, with its line end.
    public static func line(_ finding: Finding, showSecrets: Bool) -> String {
        var json = JSONWriter(pretty: false)
        JSONReport.write(finding, to: &json, showSecrets: showSecrets)
        return json.output + "\n"
    }

    public static func render(_ report: ScanReport, showSecrets: Bool) -> String {
        report.findings.map { line($0, showSecrets: showSecrets) }.joined()
    }
}
