import Foundation

/// What `patrol diff` compares.
public enum DiffSource: Sendable, Equatable {
    /// Staged and unstaged changes against `HEAD`.
    case workingTree
    /// The index against `HEAD` (what the next commit will hold).
    case staged
    /// One commit against its first parent.
    case revision(String)
    /// Every commit in a range such as `A..B`, each against its first parent.
    case range(String)
    /// A unified diff on standard input.
    case standardInput

    var description: String {
        switch self {
        case .workingTree: "HEAD..working-tree"
        case .staged: "HEAD..index"
        case .revision(let revision): revision
        case .range(let range): range
        case .standardInput: "-"
        }
    }
}

/// Failures of `patrol diff` that stop it: git's, or a diff that cannot be read.
public enum DiffScanError: Error, Sendable, Equatable, CustomStringConvertible {
    case git(GitError)
    case parse(DiffParseError)

    public var description: String {
        switch self {
        case .git(let error): error.description
        case .parse(let error): error.description
        }
    }
}

/// Scans only the lines a diff adds, reported at their line in the new file: the engine of the
/// pre-commit hook (`--staged`) and of pipeline steps over a push or pull request (`A..B`).
public final class DiffScanner: Sendable {
    public let ruleSet: RuleSet
    public let config: PatrolConfig
    /// How deep and how much to read inside a changed archive.
    public let archive: ArchiveLimits
    private let assembler: FindingAssembler

    public init(ruleSet: RuleSet, config: PatrolConfig = PatrolConfig(), minConfidence: Confidence = .low, archive: ArchiveLimits = ArchiveLimits()) {
        self.ruleSet = ruleSet
        self.config = config
        self.archive = archive
        assembler = FindingAssembler(ruleSet: ruleSet, config: config, minConfidence: minConfidence)
    }

    /// git already at work on the staged diff of a repository (`startStaged`).
    public final class StartedDiff: Sendable {
        fileprivate let path: String
        fileprivate let probe: GitChild
        fileprivate let diff: GitChild

        fileprivate init(path: String, probe: GitChild, diff: GitChild) {
            self.path = path
            self.probe = probe
            self.diff = diff
        }

        /// Stops git (the caller will not scan after all). Not after `scan` used it.
        public func cancel() {
            for child in [probe, diff] { Self.stop(child) }
        }

        fileprivate static func stop(_ child: GitChild) {
            child.terminate()
            _ = child.wait()
        }
    }

    /// Starts the repository check and `git diff --cached` of `repository` at once, before the
    /// caller loads its rules: on the pre-commit hook's path git's few milliseconds then overlap
    /// patrol's set-up instead of following it. Nil when git cannot be started (`scan` then
    /// reports why).
    public static func startStaged(repository path: String) -> StartedDiff? {
        guard let probe = try? GitRepository.startProbe(path) else { return nil }
        guard let diff = try? GitChild(stagedArguments, in: path) else {
            probe.terminate()
            _ = probe.wait()
            return nil
        }
        return StartedDiff(path: path, probe: probe, diff: diff)
    }

    /// Scans `source`; `repository` is where git runs (ignored for standard input). `started`,
    /// from `startStaged(repository:)` with the same repository, is used for a staged diff.
    public func scan(_ source: DiffSource, repository path: String, started: StartedDiff? = nil) throws(DiffScanError) -> ScanReport {
        let clock = ContinuousClock.now
        var report: ScanReport
        if source == .standardInput {
            report = ScanReport(target: ScanTarget(kind: "diff", root: FileManager.default.currentDirectoryPath, revs: ["-"]))
            try read(descriptor: 0, repository: nil, into: &report)
        } else {
            let early = source == .staged && started?.path == path ? started : nil
            if early == nil { started?.cancel() }
            let repository: GitRepository
            do throws(GitError) {
                if let early {
                    repository = try GitRepository.open(path, probe: early.probe, checkPartial: false)
                } else {
                    repository = try GitRepository.open(path, checkPartial: false)
                }
            } catch {
                // The probe has been read and waited for; the diff has not.
                if let early { StartedDiff.stop(early.diff) }
                throw .git(error)
            }
            report = ScanReport(target: ScanTarget(kind: "diff", root: repository.root, revs: [source.description]))
            let child: GitChild
            do throws(GitError) {
                if let early {
                    child = early.diff
                } else {
                    child = try GitChild(try arguments(for: source, in: repository), in: repository.folder)
                }
            } catch {
                throw .git(error)
            }
            do {
                try read(descriptor: child.output, repository: repository, into: &report)
            } catch {
                child.terminate()
                _ = child.wait()
                throw error
            }
            let (status, message) = child.wait()
            if status == 127 { throw .git(.gitMissing) }
            guard status == 0 else { throw .git(.failed(command: "git \(source.description)", message: message)) }
        }
        report.findings.sort { ($0.path, $0.line, $0.column, $0.rule) < ($1.path, $1.line, $1.column, $1.rule) }
        let elapsed = ContinuousClock.now - clock
        report.stats.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return report
    }

    private static let diffOptions = [
        "--no-color", "--no-ext-diff", "--no-textconv", "-U0", "--find-renames", "--no-relative",
        "--src-prefix=a/", "--dst-prefix=b/", "--full-index",
    ]

    // No commit named: git compares with HEAD, or on an unborn branch shows every staged
    // change — one git process fewer than checking HEAD first, on every commit's hook.
    private static let stagedArguments = ["diff", "--cached"] + diffOptions

    private func arguments(for source: DiffSource, in repository: GitRepository) throws(GitError) -> [String] {
        let diffOptions = Self.diffOptions
        let logFormat = "--format=%x01%H%x02%an <%ae>%x02%aI%x02%cI"
        switch source {
        case .workingTree:
            return ["diff"] + diffOptions + [try base(of: repository)]
        case .staged:
            return Self.stagedArguments
        case .revision(let revision):
            try repository.verify(revisions: [revision])
            return ["log", "-1", "-p", "--root", "--diff-merges=first-parent", logFormat] + diffOptions + ["--end-of-options", revision]
        case .range(let range):
            try repository.verify(revisions: [range])
            // A merge shows only what it adds against every parent (an "evil merge"): its side
            // branch's changes are already scanned in that branch's own commits.
            return ["log", "-p", "--reverse", "--root", "--diff-merges=dense-combined", logFormat] + diffOptions + ["--end-of-options", range]
        case .standardInput:
            return []
        }
    }

    /// `HEAD`, or the empty tree in a repository with no commit yet.
    private func base(of repository: GitRepository) throws(GitError) -> String {
        if (try? GitChild.run(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], in: repository.folder)) != nil {
            return "HEAD"
        }
        return try GitChild.text(["hash-object", "-t", "tree", "/dev/null"], in: repository.folder)
    }

    private func read(descriptor: Int32, repository: GitRepository?, into report: inout ScanReport) throws(DiffScanError) {
        let scanner = InputScanner(ruleSet: ruleSet)
        scanner.archiveLimits = archive
        var byPath: [String: [FindingAssembler.Sighting]] = [:]
        var reader = UnifiedDiffReader(descriptor: descriptor)
        var files = Set<String>()
        do {
            try reader.read { added in
                files.insert(added.path)
                report.stats.bytes += added.text.count
                if config.allowPaths.contains(where: { $0.matches(added.path) }) { return }
                switch scanner.scanAddedLines(added.text) {
                case .scanned(_, let occurrences):
                    for occurrence in occurrences {
                        byPath[added.path, default: []].append(.init(occurrence: Self.placed(occurrence, at: added.lineNumbers), commit: added.commit))
                    }
                case .skipped(let reason):
                    report.skipped.append(SkippedItem(path: added.path, reason: reason))
                case .failed(let message):
                    report.errors.append(ScanFailure(path: added.path, message: message))
                }
                for warning in scanner.budgetWarnings(in: added.path) where !report.warnings.contains(warning) {
                    report.warnings.append(warning)
                }
            }
        } catch {
            throw .parse(error)
        }
        report.warnings += reader.warnings
        if let repository, archive.depth > 0 {
            for change in reader.binaryChanges {
                scanArchive(change, in: repository, scanner: scanner, into: &byPath, report: &report)
            }
        }
        report.stats.files = files.count
        report.stats.rejectedByValidator = scanner.matcher.rejectedByValidator
        let scratch = MatchScratch()
        for (path, sightings) in byPath {
            let (findings, allowed) = assembler.findings(path: path, sightings: sightings, commits: reader.commits, scratch: scratch)
            report.findings += findings
            report.stats.allowed += allowed
        }
    }

    /// A changed binary file that is an archive, scanned whole from its new content (the blob
    /// git names, or the working-tree file): a binary diff shows no added lines to scan.
    private func scanArchive(_ change: UnifiedDiffReader.BinaryChange, in repository: GitRepository, scanner: InputScanner, into byPath: inout [String: [FindingAssembler.Sighting]], report: inout ScanReport) {
        if config.allowPaths.contains(where: { $0.matches(change.path) }) { return }
        let bytes: [UInt8]
        do throws(GitError) {
            if let blob = change.blob {
                bytes = try GitChild.run(["cat-file", "blob", blob], in: repository.folder)
            } else {
                guard let data = FileManager.default.contents(atPath: PathText.appending(change.path, to: repository.root)) else { return }
                bytes = Array(data)
            }
        } catch {
            report.errors.append(ScanFailure(path: change.path, message: error.description))
            return
        }
        let outcome = bytes.withUnsafeBytes { memory -> InputOutcome? in
            ArchiveMagic.matches(memory) ? scanner.scan(memory: memory) : nil
        }
        guard let outcome else { return }
        for problem in scanner.archiveProblems {
            report.errors.append(ScanFailure(path: ArchivePath.join(change.path, problem.innerPath), message: problem.message))
        }
        for inner in scanner.archiveBinaryEntries {
            report.skipped.append(SkippedItem(path: ArchivePath.join(change.path, inner), reason: .binary))
        }
        guard case .scanned(let count, let occurrences) = outcome else { return }
        report.stats.bytes += count
        for occurrence in occurrences {
            let path = ArchivePath.join(change.path, occurrence.archivePath)
            if config.allowPaths.contains(where: { $0.matches(path) }) { continue }
            byPath[path, default: []].append(.init(occurrence: occurrence, commit: change.commit))
        }
    }

    /// An occurrence in the joined added lines, moved to its line in the new file.
    private static func placed(_ occurrence: Occurrence, at lineNumbers: [Int]) -> Occurrence {
        func line(_ index: Int) -> Int { index - 1 < lineNumbers.count ? lineNumbers[index - 1] : index }
        return Occurrence(
            rule: occurrence.rule,
            secret: occurrence.secret,
            line: line(occurrence.line),
            column: occurrence.column,
            endLine: line(occurrence.endLine),
            endColumn: occurrence.endColumn,
            snippet: occurrence.snippet,
            context: occurrence.context,
            validated: occurrence.validated,
            decoding: occurrence.decoding,
            archivePath: occurrence.archivePath
        )
    }
}
