/// Wording shared by the report formats, so every format says the same thing the same way.
extension Finding {
    /// The secret as a report shows it: redacted (`NkE6…(84)`) unless `showSecrets`.
    func displayedSecret(showSecrets: Bool) -> String {
        showSecrets ? secret : Redaction.redact(secret)
    }

    /// How the match was proven: `checksum valid`, `checksum unverified` or `no checksum`.
    var proof: String {
        switch validated {
        case true?: "checksum valid"
        case false?: "checksum unverified"
        case nil: "no checksum"
        }
    }

    /// One sentence for a result message: rule name, secret, confidence and proof.
    func headline(showSecrets: Bool) -> String {
        "\(ruleName) \(displayedSecret(showSecrets: showSecrets)) (\(confidence.rawValue) confidence, \(proof))"
    }
}

extension ScanReport {
    /// Findings, distinct secrets and files, as the text summary counts them.
    var findingCounts: (findings: Int, secrets: Int, files: Int) {
        (findings.count, Set(findings.map(\.fingerprint)).count, Set(findings.map(\.path)).count)
    }
}
