/// The secrets of a report read back, for `patrol verify` and `patrol revoke`, which must send
/// the real token: a redacted report's secrets are found again the way `remediate` finds them
/// (the reported places are read again and matched by fingerprint).
public enum ReportSecrets {
    /// Secrets by fingerprint, and for those not found, why.
    public static func recover(_ report: LeakReport, ruleSet: RuleSet) -> (secrets: [String: String], failures: [String: String]) {
        var collector = Collector()
        for entry in report.entries { collector.add(entry) }
        return collector.recover(target: report.target, ruleSet: ruleSet)
    }

    /// What recovering a report's secrets needs, gathered as its findings stream in: a secret
    /// in clear is kept once; a redacted finding (without its snippet) only until a finding
    /// with the same fingerprint has it in clear.
    public struct Collector: Sendable {
        var inputs: [SecretRecovery.Input] = []
        private var clear = Set<String>()
        private var anyRedacted = false

        public init() {}

        public mutating func add(_ entry: LeakReport.Entry) {
            let finding = entry.finding
            if !entry.isRedacted {
                if finding.decoded != "none" {
                    inputs.append(.finding(SecretRecovery.Input.slim(entry)))
                    clear.insert(finding.fingerprint)
                } else if clear.insert(finding.fingerprint).inserted {
                    inputs.append(.clear(fingerprint: finding.fingerprint, secret: finding.secret))
                }
            } else {
                anyRedacted = true
                if !clear.contains(finding.fingerprint) { inputs.append(.finding(SecretRecovery.Input.slim(entry))) }
            }
        }

        /// Secrets by fingerprint, and for those not found, why.
        public func recover(target: ScanTarget, ruleSet: RuleSet) -> (secrets: [String: String], failures: [String: String]) {
            // Only a redacted finding needs its repository opened (to read `commit:path`).
            let facts = anyRedacted ? RepositoryLookup(target: target).root : nil
            let result = SecretRecovery(ruleSet: ruleSet, target: target, facts: facts).recover(inputs)
            return (result.found.mapValues(\.secret), result.failures)
        }
    }

    /// The finding as a report writes it again: with its real secret when known, and the
    /// secret's places in the snippet marked, so the snippet is redacted again unless
    /// `--show-secrets` (a report read back has its snippet as plain text).
    public static func finding(_ entry: LeakReport.Entry, secret: String?) -> Finding {
        var finding = entry.finding
        guard let secret, !secret.isEmpty else { return finding }
        finding.secret = secret
        let needle = Array(secret.utf8), haystack = finding.snippet.bytes
        var spans: [Range<Int>] = []
        var start = 0
        while start + needle.count <= haystack.count {
            if haystack[start..<start + needle.count].elementsEqual(needle) {
                spans.append(start..<start + needle.count)
                start += needle.count
            } else {
                start += 1
            }
        }
        finding.snippet = Snippet(bytes: haystack, secretSpans: spans)
        return finding
    }
}
