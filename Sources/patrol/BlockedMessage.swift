import PatrolKit

/// What a hook or a pipeline that stopped on findings says last: that it stopped, that each
/// secret is to be treated as compromised, how to mark a false positive and how to go on anyway.
/// A finding list alone left people stuck (issue 13).
enum BlockedAction: Equatable {
    /// The pre-commit hook (`patrol diff --staged`).
    case commit
    /// The pre-push hook (`patrol ci --pre-push`, or the pre-commit framework's pre-push stage).
    case push
    /// A pipeline (`patrol ci` in a CI).
    case build

    func message(for report: ScanReport) -> String {
        let secrets = Set(report.findings.map(\.fingerprint)).count
        let count = "\(secrets) secret\(secrets == 1 ? "" : "s")"
        let headline: String
        let revoke: String
        let bypass: String
        switch self {
        case .commit:
            headline = "commit blocked: \(count)"
            revoke = "patrol diff --staged --format json | patrol revoke -"
            bypass = "bypass once (only for a false positive): git commit --no-verify, or with the pre-commit framework SKIP=patrol git commit"
        case .push:
            headline = "push blocked: \(count)"
            revoke = "patrol history --format json > leaks.json && patrol revoke leaks.json"
            bypass = "bypass once (only for a false positive): git push --no-verify, or with the pre-commit framework SKIP=patrol-pre-push git push"
        case .build:
            headline = "build failed: \(count) in what this build adds"
            revoke = "patrol ci --json leaks.json; patrol revoke leaks.json"
            bypass = "the commits are pushed already: once revoked, remove the secret from history (patrol remediate) or record it in the baseline"
        }
        return """
            \(headline)
              treat each as compromised: revoke it first (`patrol revoke`: \(revoke)), then rotate it and remove it
              a false positive: add `patrol:allow` to its line, or record it with `patrol baseline update`
              \(bypass)

            """
    }
}
