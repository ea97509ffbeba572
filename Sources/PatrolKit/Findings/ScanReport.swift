/// Something not scanned on purpose.
public struct SkippedItem: Sendable, Equatable {
    public var path: String
    public var reason: SkipReason

    public init(path: String, reason: SkipReason) {
        self.path = path
        self.reason = reason
    }
}

/// Something that could not be read.
public struct ScanFailure: Sendable, Equatable {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

public struct ScanStats: Sendable, Equatable {
    public var files = 0
    public var blobs = 0
    public var bytes = 0
    public var seconds = 0.0
    /// Candidates with the shape of a token whose checksum failed.
    public var rejectedByValidator = 0
    /// Matches suppressed by an inline marker, an allow rule or the baseline.
    public var allowed = 0

    public init() {}
}

/// What was scanned.
public struct ScanTarget: Sendable, Equatable {
    /// `directory`, `files`, `stdin` (later: `git`, `diff`).
    public var kind: String
    /// Absolute; finding paths are relative to it.
    public var root: String
    public var revs: [String]?

    public init(kind: String, root: String, revs: [String]? = nil) {
        self.kind = kind
        self.root = root
        self.revs = revs
    }
}

/// The outcome of a scan: findings, and an honest account of what was not scanned.
public struct ScanReport: Sendable {
    public var target: ScanTarget
    public var findings: [Finding]
    public var skipped: [SkippedItem]
    public var errors: [ScanFailure]
    public var warnings: [String]
    public var stats: ScanStats

    public init(target: ScanTarget, findings: [Finding] = [], skipped: [SkippedItem] = [], errors: [ScanFailure] = [], warnings: [String] = [], stats: ScanStats = ScanStats()) {
        self.target = target
        self.findings = findings
        self.skipped = skipped
        self.errors = errors
        self.warnings = warnings
        self.stats = stats
    }
}
