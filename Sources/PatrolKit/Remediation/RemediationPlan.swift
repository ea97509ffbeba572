import Foundation

/// A remediation plan for a report: for each distinct secret (by fingerprint) what it is, where
/// it is and whether it was pushed, and the steps in order; then, when history must be
/// rewritten, the purge. Rendered as Markdown (`RemediationMarkdown`) or JSON
/// (`RemediationJSON`); it never holds a secret, only its redacted form and fingerprint.
public struct RemediationPlan: Sendable {
    /// The report file the plan was made from (nil for standard input).
    public var reportFile: String?
    public var target: ScanTarget
    /// When the plan was made (UTC, ISO 8601): the end of the audit-log window.
    public var generatedAt: String
    public var secrets: [SecretRemediation]
    /// Present when at least one secret was pushed (or may have been): the history purge.
    public var historyPurge: HistoryPurge?
    /// What the plan could not tell, or what needs attention (e.g. a replacements file inside
    /// the work tree that git does not ignore).
    public var warnings: [String]
}

/// One distinct secret: every finding of the report with its fingerprint.
public struct SecretRemediation: Sendable {
    public var fingerprint: String
    public var rule: String
    public var ruleName: String
    public var provider: String
    public var providerName: String
    /// The redacted form, `NkE6…(84)`: never the secret.
    public var redactedSecret: String
    public var confidence: Confidence
    /// true: a checksum or structure proved it; false: unverified layout; nil: no validator.
    public var validated: Bool?
    /// From `patrol verify`: true live, false not live, nil not checked.
    public var verified: Bool?
    /// What it can reach, when known: the report's `context` (`org`, `host`, …).
    public var reach: [String: String]
    /// What `patrol verify` found the live token reaches (its access map); nil: not mapped.
    public var access: TokenAccess? {
        get { rare?.access }
        set { rare = RareFacts.make(access: newValue, introduced: introduced) }
    }
    /// The provider's opening paragraph.
    public var summary: String
    public var locations: [PlanLocation]
    /// The commit that first introduced it, when it was committed.
    public var introduced: CommitInfo? {
        get { rare?.introduced }
        set { rare = RareFacts.make(access: access, introduced: newValue) }
    }
    /// The access map and introducing commit, out of line: most secrets of a big scan report
    /// have neither, and a plan of 200,000 secrets is an array of 200,000 of these records.
    var rare: RareFacts? = nil
    /// true: in at least one commit; false: only in files or changes never committed; nil: unknown.
    public var committed: Bool?
    /// true: a remote-tracking branch contains a commit with it; false: none does; nil: unknown.
    public var pushed: Bool?
    /// The remote-tracking branches holding it (`origin/main`).
    public var remoteBranches: [String]
    /// Where the current files still hold it (nil when that could not be checked).
    public var inWorkTree: [Location]?
    /// What its steps are written from; they are written when asked for (`steps`), not kept,
    /// so that a plan of many secrets holds no step text.
    var stepSituation: StepSituation?
    /// The steps, written from the provider's remediation for this secret's situation.
    public var steps: [RemediationStep] {
        guard let situation = stepSituation else { return [] }
        return StepWriter(
            provider: situation.provider, secret: self, target: situation.target, reportFile: situation.reportFile,
            replacementsFile: situation.replacementsFile, now: situation.now
        ).steps()
    }
}

/// A secret's access map and introducing commit (immutable: a change makes a new one).
final class RareFacts: Sendable {
    let access: TokenAccess?
    let introduced: CommitInfo?

    private init(access: TokenAccess?, introduced: CommitInfo?) {
        self.access = access
        self.introduced = introduced
    }

    static func make(access: TokenAccess?, introduced: CommitInfo?) -> RareFacts? {
        access == nil && introduced == nil ? nil : RareFacts(access: access, introduced: introduced)
    }
}

/// What a secret's steps depend on besides the secret: one object shared by every secret of
/// a provider, so that a plan of 200,000 secrets does not hold 200,000 copies of a provider.
final class StepSituation: Sendable {
    let provider: Provider?
    let target: ScanTarget
    let reportFile: String?
    let replacementsFile: String?
    let now: Date

    init(provider: Provider?, target: ScanTarget, reportFile: String?, replacementsFile: String?, now: Date) {
        self.provider = provider
        self.target = target
        self.reportFile = reportFile
        self.replacementsFile = replacementsFile
        self.now = now
    }
}

/// A place the secret was reported, with what git says about its commit.
public struct PlanLocation: Sendable, Hashable {
    public var path: String
    public var line: Int
    public var column: Int
    public var commit: String?
    public var authorDate: String?
    /// Remote-tracking branches containing `commit`; nil when unknown or not committed.
    public var remoteBranches: [String]?
    /// A file, or the commit message, tag message or note of `commit` (`path` is then a label).
    public var origin: FindingOrigin = .file
}

/// One step of a plan: the provider's wording with the situation filled in, and the exact
/// commands to run, if any.
public struct RemediationStep: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case revoke
        case rotate
        case updateConsumers = "update-consumers"
        case audit
        case replaceLiteral = "replace-literal"
        case purgeHistory = "purge-history"
        case rewriteLocalHistory = "rewrite-local-history"
        case baseline
        case other
    }

    public var kind: Kind
    public var title: String
    /// Markdown, one paragraph (or a few).
    public var text: String
    public var commands: [String]
}

/// Rewriting history after a push: the replacements file and the commands, in order.
public struct HistoryPurge: Sendable {
    /// Where the `git filter-repo --replace-text` file was written (nil: not written, with
    /// `--no-replace-file`).
    public var replacementsFile: String?
    /// How many secrets (lines) it holds.
    public var secretCount: Int
    /// Fingerprints of the secrets it holds.
    public var fingerprints: [String]
    /// The commits holding a pushed secret: what the hosting service must forget.
    public var commits: [String]
    public var commands: [String]
    /// After the commands: re-cloning, forks, the hosting service's cached views.
    public var notes: [String]
}
