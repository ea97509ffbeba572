/// The human report (`--format text`): findings grouped by file, one block per finding, with
/// colour only when asked (the CLI decides: a terminal, and no `NO_COLOR`). Every part that comes
/// from the input (path, snippet, secret, context, author, rule text) goes through
/// `TerminalText.escaped`, so no control character of a file name or a line reaches the terminal.
public enum TextReport {
    public struct Style: Sendable {
        public var color: Bool
        public var showSecrets: Bool

        public init(color: Bool, showSecrets: Bool) {
            self.color = color
            self.showSecrets = showSecrets
        }
    }

    public static func render(_ report: ScanReport, style: Style) -> String {
        func paint(_ text: String, _ code: String) -> String {
            style.color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
        }
        let safe = { (text: String) in TerminalText.escaped(text) }
        var output = ""
        var currentPath: String?
        for finding in report.findings {
            if finding.path != currentPath {
                if currentPath != nil { output += "\n" }
                output += paint(safe(finding.path), "1;4") + "\n"
                currentPath = finding.path
            }
            let proof: String
            switch finding.validated {
            case true?: proof = "checksum valid"
            case false?: proof = "checksum unverified"
            case nil: proof = "no checksum"
            }
            let position = "\(finding.line):\(finding.column)"
            output += "  " + paint(position, "36") + "  " + paint(safe(finding.rule), "1;31")
                + "  \(finding.confidence.rawValue) confidence, \(proof)"
                + "  " + paint(finding.fingerprint.prefix(12).description, "2") + "\n"
            output += "      " + safe(finding.ruleName) + "\n"
            let secret = safe(style.showSecrets ? finding.secret : Redaction.redact(finding.secret))
            output += "      secret: " + paint(secret, "33") + "\n"
            switch finding.verified {
            case true?: output += "      verified: " + paint("live", "1;31") + " (the provider accepted it)\n"
            case false?: output += "      verified: not live (revoked, expired or never valid)\n"
            case nil: break
            }
            for line in finding.access?.lines() ?? [] { output += "      access: " + safe(line) + "\n" }
            let snippet = safe(finding.snippet.render(showSecrets: style.showSecrets).trimmingWhitespace())
            if !snippet.isEmpty { output += "      " + paint(snippet, "2") + "\n" }
            if !finding.contextValues.isEmpty {
                output += "      context: " + finding.contextValues.sorted.map { "\($0.name)=\($0.value)" }.joined(separator: ", ").escapedForTerminal + "\n"
            }
            if finding.origin == .note, let commit = finding.commit {
                output += "      note on " + paint(String(commit.prefix(12)), "33") + "\n"
            } else if let commit = finding.commit {
                output += "      " + (finding.origin == .tagMessage ? "tag " : "commit ") + paint(String(commit.prefix(12)), "33") + " by \(safe(finding.author ?? "?")) on \(safe(finding.authorDate ?? "?"))\n"
            }
            if finding.locations.count > 1 {
                let more = finding.locations.dropFirst().map { location in
                    "\(location.line):\(location.column)" + (location.commit.map { " (\($0.prefix(12)))" } ?? "")
                }.joined(separator: ", ")
                output += "      also at: " + more + "\n"
            }
        }
        return output
    }

    /// One line for standard error: what was found and what was covered.
    public static func summary(_ report: ScanReport) -> String {
        let files = Set(report.findings.compactMap(\.reportedPath)).count
        // Commit and tag messages and notes, apart from the files.
        let messages = Set(report.findings.filter(\.origin.isMetadata).map(\.path)).count
        let secrets = Set(report.findings.map(\.fingerprint)).count
        var parts: [String] = []
        if report.findings.isEmpty {
            parts.append("no secrets found")
        } else {
            let places = [files > 0 || messages == 0 ? plural(files, "file") : nil, messages > 0 ? (messages == 1 ? "1 commit message, tag message or note" : "\(messages) commit messages, tag messages or notes") : nil].compactMap { $0 }
            parts.append("\(plural(report.findings.count, "finding")) (\(plural(secrets, "distinct secret"))) in " + places.joined(separator: " and "))
        }
        let megabytes = Double(report.stats.bytes) / 1_000_000
        var covered = "scanned \(plural(report.stats.files, "file")), \(formatted(megabytes)) MB in \(formatted(report.stats.seconds)) s"
        if report.target.kind == "git" { covered = "scanned \(plural(report.stats.blobs, "blob")), \(formatted(megabytes)) MB in \(formatted(report.stats.seconds)) s" }
        parts.append(covered)
        if !report.skipped.isEmpty { parts.append("\(report.skipped.count) skipped") }
        if !report.errors.isEmpty { parts.append(plural(report.errors.count, "error")) }
        if report.stats.allowed > 0 { parts.append("\(report.stats.allowed) suppressed by allow rules or the baseline") }
        if report.stats.rejectedByValidator > 0 { parts.append("\(report.stats.rejectedByValidator) rejected by checksum") }
        return "patrol: " + parts.joined(separator: "; ")
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    private static func formatted(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return String(rounded)
    }
}

extension String {
    var escapedForTerminal: String { TerminalText.escaped(self) }

    func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
