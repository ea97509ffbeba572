/// JUnit XML (`--format junit`) for the test tabs of CI systems (Azure Pipelines'
/// PublishTestResults, GitLab, Jenkins): one test case per rule and file, failing with the
/// findings of that rule in that file; files that could not be read are test cases in error.
/// A clean run is one passing test case, so the tab shows that the scan ran.
public enum JUnitReport {
    public static func render(_ report: ScanReport, showSecrets: Bool) -> String {
        var order: [String] = []
        var groups: [String: [Finding]] = [:]
        for finding in report.findings {
            let key = finding.rule + "\u{0}" + finding.path
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(finding)
        }
        var cases = ""
        for key in order {
            let findings = groups[key]!
            let first = findings[0]
            let count = findings.count
            let message = count == 1
                ? "\(first.headline(showSecrets: showSecrets)) at line \(first.line)"
                : "\(count) secrets of rule \(first.rule): " + findings.map { "\($0.displayedSecret(showSecrets: showSecrets)) at line \($0.line)" }.joined(separator: ", ")
            var body = ""
            for finding in findings {
                body += "\(finding.path):\(finding.line):\(finding.column): \(finding.headline(showSecrets: showSecrets))\n"
                body += "  fingerprint: \(finding.fingerprint)\n"
                let snippet = finding.snippet.render(showSecrets: showSecrets).trimmingWhitespace()
                if !snippet.isEmpty { body += "  \(snippet)\n" }
                if !finding.contextValues.isEmpty {
                    body += "  context: " + finding.contextValues.sorted.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + "\n"
                }
                for line in finding.access?.lines() ?? [] { body += "  access: \(line)\n" }
                if let commit = finding.commit {
                    body += "  commit \(commit) by \(finding.author ?? "?") on \(finding.authorDate ?? "?")\n"
                }
            }
            // A commit message, tag message or note has no file: its label names the test case.
            let file = first.reportedPath.map { " file=\"\(attribute($0))\" line=\"\(first.line)\"" } ?? ""
            cases += "    <testcase classname=\"\(attribute(first.rule))\" name=\"\(attribute(first.path))\"\(file) time=\"0\">\n"
            cases += "      <failure type=\"\(attribute(first.rule))\" message=\"\(attribute(message))\">\(XMLText.escape(body))</failure>\n"
            cases += "    </testcase>\n"
        }
        for failure in report.errors {
            cases += "    <testcase classname=\"patrol.unreadable\" name=\"\(attribute(failure.path))\" file=\"\(attribute(failure.path))\" time=\"0\">\n"
            cases += "      <error type=\"unreadable\" message=\"\(attribute(failure.message))\"/>\n"
            cases += "    </testcase>\n"
        }
        var tests = order.count + report.errors.count
        if tests == 0 {
            cases += "    <testcase classname=\"patrol\" name=\"no secrets found\" time=\"0\"/>\n"
            tests = 1
        }
        let seconds = String((report.stats.seconds * 1000).rounded() / 1000)
        let counts = "tests=\"\(tests)\" failures=\"\(order.count)\" errors=\"\(report.errors.count)\""
        var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        output += "<testsuites name=\"patrol\" \(counts) time=\"\(seconds)\">\n"
        output += "  <testsuite name=\"\(attribute("patrol \(report.target.kind): \(report.target.root)"))\" \(counts) skipped=\"0\" time=\"\(seconds)\">\n"
        output += cases
        output += "  </testsuite>\n"
        output += "</testsuites>\n"
        return output
    }

    private static func attribute(_ text: String) -> String {
        XMLText.escape(text, attribute: true)
    }
}
