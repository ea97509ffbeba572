import Foundation

/// Findings as a CI's own log commands, so that each shows on the run's page (and, on GitHub,
/// beside the line in the pull request): GitHub Actions workflow commands
/// (`::error file=…,line=…,col=…::…`) and Azure Pipelines logging commands
/// (`##vso[task.logissue type=error;sourcepath=…;linenumber=…;columnnumber=…]…`).
/// Secrets are redacted unless `showSecrets`: a CI log is read by everyone with access to the run.
public enum CIAnnotations {
    public enum Syntax: String, Sendable, CaseIterable {
        case github
        case azure
    }

    public static func render(_ report: ScanReport, syntax: Syntax, showSecrets: Bool) -> String {
        var output = ""
        for finding in report.findings {
            let secret = showSecrets ? finding.secret : Redaction.redact(finding.secret)
            var message = "\(finding.ruleName) (\(finding.rule), \(finding.confidence.rawValue) confidence): \(secret)"
            if finding.origin.isMetadata {
                // No file to annotate: the message says where, and the annotation has no file.
                message += " in \(finding.path) at line \(finding.line), column \(finding.column)"
            } else if let commit = finding.commit {
                message += " in commit \(commit.prefix(12))"
            }
            message += ". Revoke it first, then remove it (patrol remediate)."
            switch syntax {
            case .github:
                let place = finding.reportedPath.map { path in
                    ["file=" + githubProperty(path), "line=\(finding.line)", "col=\(finding.column)", "endLine=\(finding.endLine)", "endColumn=\(finding.endColumn)"]
                } ?? []
                let properties = place + ["title=" + githubProperty("patrol: \(finding.rule)")]
                output += "::error " + properties.joined(separator: ",") + "::" + githubData(message) + "\n"
            case .azure:
                let place = finding.reportedPath.map { path in
                    ["sourcepath=" + azureProperty(path), "linenumber=\(finding.line)", "columnnumber=\(finding.column)"]
                } ?? []
                let properties = ["type=error"] + place + ["code=" + azureProperty(finding.rule)]
                output += "##vso[task.logissue " + properties.joined(separator: ";") + "]" + azureData(message) + "\n"
            }
        }
        return output
    }

    /// GitHub's escaping of a command's message.
    static func githubData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// GitHub's escaping of a property value: the message's, and the separators `:` and `,`.
    static func githubProperty(_ text: String) -> String {
        githubData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    /// Azure's escaping of a logging command's message (`%AZP25` is its own form of `%`).
    static func azureData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%AZP25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Azure's escaping of a property value: the message's, and `;` and `]`.
    static func azureProperty(_ text: String) -> String {
        azureData(text).replacingOccurrences(of: ";", with: "%3B").replacingOccurrences(of: "]", with: "%5D")
    }
}
