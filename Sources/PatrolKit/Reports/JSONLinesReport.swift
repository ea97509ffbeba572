/// JSON Lines (`--format jsonl`): one finding per line, each the object of the JSON report's
/// `findings` array, so a stream of findings can be filtered line by line (`grep`, `jq -c`).
public enum JSONLinesReport {
    public static func render(_ report: ScanReport, showSecrets: Bool) -> String {
        var output = ""
        for finding in report.findings {
            var json = JSONWriter(pretty: false)
            JSONReport.write(finding, to: &json, showSecrets: showSecrets)
            output += json.output + "\n"
        }
        return output
    }
}
