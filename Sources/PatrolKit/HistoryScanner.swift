import Dispatch
import Foundation
import Synchronization

/// Live counters of a long scan, read by a progress display on another thread. A total of 0
/// means not known (a folder scan counts as it walks).
public final class ScanProgress: Sendable {
    public let totalItems = Atomic<Int>(0)
    public let totalBytes = Atomic<Int>(0)
    public let doneItems = Atomic<Int>(0)
    public let doneBytes = Atomic<Int>(0)
    private let phaseValue = Atomic<UInt8>(ScanPhase.reading.rawValue)

    public init() {}

    /// What the scan is doing now, for the progress line.
    public var phase: ScanPhase {
        get { ScanPhase(rawValue: phaseValue.load(ordering: .relaxed)) ?? .reading }
        set { phaseValue.store(newValue.rawValue, ordering: .relaxed) }
    }
}

/// The steps of a scan that a progress line names. A history scan lists the blobs (all refs)
/// or reads the log to name the commits of the revisions first, then reads the blobs, then,
/// over all refs, reads the log to name the commits that introduced the blobs that matched.
public enum ScanPhase: UInt8, Sendable {
    case listing
    case reading
    case naming
}

/// How a history scan runs.
public struct HistoryOptions: Sendable {
    /// Revisions as git takes them (`main`, `v1..v2`, `^a b`, `--not --remotes`); empty: all refs.
    public var revisions: [String] = []
    /// Exactly these commits, each against its parents (a union of ranges, which one set of
    /// revisions cannot express); when set, `revisions` is not used.
    public var commits: [String]?
    /// Also report secrets in blobs no ref reaches (left by amends and resets).
    public var includeUnreachable = false
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var maxFileSize = 25 << 20
    public var minConfidence = Confidence.low
    /// How deep and how much to read inside archives and compressed blobs.
    public var archive = ArchiveLimits()
    public var progress: ScanProgress?
    /// With all refs, walk the history for objects that are missing (as `--strict` does); a
    /// partial clone is always checked.
    public var checkMissingObjects = false
    /// Also scan commit messages, annotated tag messages and git notes (`--no-metadata` turns
    /// it off).
    public var scanMetadata = true

    public init() {}

    /// Neither revisions nor commits: every ref, through the object database.
    var scansAllRefs: Bool { revisions.isEmpty && commits == nil }
}

/// Scans git history: every distinct blob once, however many commits carry it, read by several
/// `git cat-file --batch` processes at once and scanned as it streams in.
///
/// - All refs (no revisions): every blob in the object database is listed in pack order and
///   scanned; only for blobs with matches is the log read to find the commits that introduced
///   them. A blob no commit introduces is unreachable: reported only with `includeUnreachable`.
/// - With revisions: the log of those revisions (`A..B` for a range) names the blobs its
///   commits introduce, and those are scanned whole.
public final class HistoryScanner: Sendable {
    public let ruleSet: RuleSet
    public let config: PatrolConfig
    public let options: HistoryOptions
    private let assembler: FindingAssembler

    public init(ruleSet: RuleSet, config: PatrolConfig = PatrolConfig(), options: HistoryOptions = HistoryOptions()) {
        self.ruleSet = ruleSet
        self.config = config
        self.options = options
        assembler = FindingAssembler(ruleSet: ruleSet, config: config, minConfidence: options.minConfidence)
    }

    public func scan(repository path: String) throws(GitError) -> ScanReport {
        let clock = ContinuousClock.now
        let repository = try GitRepository.open(path)
        try repository.verify(revisions: options.revisions)
        var report = ScanReport(target: ScanTarget(kind: "git", root: repository.root, revs: options.commits ?? (options.revisions.isEmpty ? ["--all"] : options.revisions)))
        if repository.isShallow {
            report.warnings.append("\(repository.root) is a shallow clone: only the history present is scanned (run 'git fetch --unshallow' to scan all of it)")
        }
        if repository.isPartial {
            report.warnings.append("\(repository.root) is a partial clone: objects not present locally are skipped, never fetched")
        }

        // Which blobs to scan.
        var log: GitHistoryLog?
        var blobs: [BlobEntry]
        var firstPath: [String: String] = [:]
        // git could not read the whole history (a corrupt commit or tree): matches that no commit
        // read introduces are reported as unattributed blobs rather than dropped.
        var historyUnreadable = false
        if options.scansAllRefs {
            options.progress?.phase = .listing
            let listing = try GitObjectStream.allBlobs(in: repository)
            blobs = listing.blobs
            report.errors += Self.unreadableObjectErrors(listing.unreadable)
            // Listing the object database cannot see what it lacks; only a walk can.
            if repository.isPartial || options.checkMissingObjects {
                do throws(GitError) {
                    report.errors += Self.missingObjectErrors(try GitObjectStream.missingObjects(in: repository), partial: repository.isPartial, root: repository.root)
                } catch .gitMissing {
                    throw .gitMissing
                } catch {
                    report.errors.append(ScanFailure(path: repository.root, message: "cannot walk the history to look for missing objects: \(error.description)"))
                }
            }
        } else {
            options.progress?.phase = .naming
            let history: GitHistoryLog
            let failure: GitError?
            if let commits = options.commits {
                // `git log --no-walk --stdin` with nothing on its input would show HEAD.
                if commits.isEmpty {
                    (history, failure) = (GitHistoryLog(), nil)
                } else {
                    (history, failure) = try GitHistoryLog.readPartial(repository, revisions: ["--no-walk=unsorted"], standardInput: commits)
                }
            } else {
                (history, failure) = try GitHistoryLog.readPartial(repository, revisions: options.revisions)
            }
            var order: [String] = []
            for introduction in history.introductions where firstPath[introduction.blob] == nil {
                firstPath[introduction.blob] = introduction.path
                order.append(introduction.blob)
            }
            if let failure {
                // Scan what can be read: every blob in the object database.
                historyUnreadable = true
                report.errors.append(ScanFailure(path: repository.root, message: "\(failure.description); the history of \(options.revisions.joined(separator: " ")) could not be read whole, so every blob in the object database was scanned, and a match no commit read introduces is reported at \"(unattributed blob <id>)\""))
                let listing = try GitObjectStream.allBlobs(in: repository)
                blobs = listing.blobs
                report.errors += Self.unreadableObjectErrors(listing.unreadable)
            } else {
                let (found, missing) = try GitObjectStream.sizes(of: order, in: repository)
                for oid in missing {
                    report.errors.append(ScanFailure(path: firstPath[oid] ?? "blob \(oid)", message: "blob \(oid) is missing from the repository or cannot be read (partial or corrupt clone): not scanned"))
                }
                blobs = found
            }
            log = history
        }
        var scannable: [BlobEntry] = []
        for blob in blobs {
            if blob.size > options.maxFileSize {
                report.skipped.append(SkippedItem(path: firstPath[blob.oid] ?? "blob \(blob.oid)", reason: .tooLarge))
            } else {
                scannable.append(blob)
            }
        }
        options.progress?.totalItems.store(scannable.count, ordering: .relaxed)
        options.progress?.totalBytes.store(scannable.reduce(0) { $0 + $1.size }, ordering: .relaxed)
        options.progress?.phase = .reading

        // Commit and tag messages and notes, read and scanned on their own thread while the
        // blobs are.
        let metadataResult = Mutex<Result<GitMetadata, GitError>?>(nil)
        let metadataDone = DispatchGroup()
        if options.scanMetadata {
            let (revisions, commits, ruleSet) = (options.revisions, options.commits, ruleSet)
            // Over every blob, the note blobs are among those scanned: their matches are taken
            // from there rather than read and scanned a second time.
            let everyBlob = options.scansAllRefs
            DispatchQueue.global().async(group: metadataDone) {
                let result = Result { () throws(GitError) -> GitMetadata in
                    try GitMetadata.scan(repository, revisions: revisions, commits: commits, scanner: InputScanner(ruleSet: ruleSet), readsNoteBlobs: !everyBlob)
                }
                metadataResult.withLock { $0 = result }
            }
        }

        // Scan, one cat-file process per partition.
        let outcome: Outcome
        do {
            outcome = try scanBlobs(scannable, in: repository, firstPath: firstPath)
        } catch {
            metadataDone.wait()
            throw error
        }
        metadataDone.wait()
        var metadata = try metadataResult.withLock { $0 }?.get()
        metadata?.addNotes(matches: outcome.occurrences)
        // Blobs to scan and not one readable: the history cannot be scanned at all.
        if !scannable.isEmpty, outcome.blobs == 0, outcome.skipped.isEmpty, let first = outcome.errors.first {
            throw .failed(command: "git cat-file --batch", message: "not one of the \(TextReport.plural(scannable.count, "blob")) to scan could be read (\(first.path): \(first.message))")
        }
        report.stats.blobs = outcome.blobs
        report.stats.bytes = outcome.bytes
        report.stats.rejectedByValidator = outcome.rejected
        report.skipped += outcome.skipped
        report.errors += outcome.errors
        report.warnings += outcome.warnings

        // The notes refs now hold are reported as notes, not also as blobs of those refs (a blob
        // an earlier notes commit held is still reported at its path there).
        var occurrences = outcome.occurrences
        if let metadata {
            for blob in metadata.noteBlobs { occurrences[blob] = nil }
            report.errors += metadata.errors
            let (findings, allowed) = metadata.findings(assembler: assembler)
            report.findings += findings
            report.stats.allowed += allowed
        }

        // Who introduced the blobs that matched.
        if !occurrences.isEmpty {
            if log == nil {
                options.progress?.phase = .naming
                let (history, failure) = try GitHistoryLog.readPartial(repository, revisions: [], interesting: Set(occurrences.keys), wholeHistory: true)
                if let failure {
                    historyUnreadable = true
                    report.errors.append(ScanFailure(path: repository.root, message: "\(failure.description); the history could not be read whole, so a match no commit read introduces is reported at \"(unattributed blob <id>)\""))
                }
                log = history
            }
            assemble(occurrences, log: log!, unattributed: historyUnreadable, into: &report)
        }
        report.findings.sort { ($0.path, $0.line, $0.column, $0.rule) < ($1.path, $1.line, $1.column, $1.rule) }
        report.skipped.sort { $0.path < $1.path }
        report.errors.sort { $0.path < $1.path }
        report.stats.seconds = Double((ContinuousClock.now - clock).components.attoseconds) / 1e18 + Double((ContinuousClock.now - clock).components.seconds)
        return report
    }

    /// One error per missing object of a damaged repository; one for them all in a partial
    /// clone, where thousands are missing by design.
    static func missingObjectErrors(_ missing: [String], partial: Bool, root: String) -> [ScanFailure] {
        guard !missing.isEmpty else { return [] }
        if partial {
            return [ScanFailure(
                path: root,
                message: "\(TextReport.plural(missing.count, "object")) of the history \(missing.count == 1 ? "is" : "are") not present locally (partial clone) and \(missing.count == 1 ? "was" : "were") not scanned; fetch them (e.g. a full clone) to scan everything"
            )]
        }
        return missing.map { ScanFailure(path: "object \($0)", message: "missing from the repository (corrupt clone): not scanned") }
    }

    /// One error per object the database lists but git cannot read.
    static func unreadableObjectErrors(_ oids: [String]) -> [ScanFailure] {
        oids.map { ScanFailure(path: "object \($0)", message: GitObjectStream.unreadableMessage($0)) }
    }

    private struct Outcome {
        var occurrences: [String: [Occurrence]] = [:]
        var skipped: [SkippedItem] = []
        var errors: [ScanFailure] = []
        var warnings: [String] = []
        var blobs = 0
        var bytes = 0
        var rejected = 0
    }

    private func scanBlobs(_ blobs: [BlobEntry], in repository: GitRepository, firstPath: [String: String]) throws(GitError) -> Outcome {
        let parts = GitObjectStream.partition(blobs, into: max(1, options.threads))
        let results = Mutex<[Outcome]>([])
        let failure = Mutex<GitError?>(nil)
        DispatchQueue.concurrentPerform(iterations: parts.count) { index in
            let scanner = InputScanner(ruleSet: ruleSet)
            scanner.archiveLimits = options.archive
            var outcome = Outcome()
            do throws(GitError) {
                try GitObjectStream.read(parts[index], from: repository, body: { entry, bytes in
                    let result = scanner.scan(memory: bytes)
                    for problem in scanner.archiveProblems {
                        outcome.errors.append(ScanFailure(path: ArchivePath.join(firstPath[entry.oid] ?? "blob \(entry.oid)", problem.innerPath), message: problem.message))
                    }
                    for inner in scanner.archiveBinaryEntries {
                        outcome.skipped.append(SkippedItem(path: ArchivePath.join(firstPath[entry.oid] ?? "blob \(entry.oid)", inner), reason: .binary))
                    }
                    switch result {
                    case .scanned(let count, let occurrences):
                        outcome.blobs += 1
                        outcome.bytes += count
                        if !occurrences.isEmpty { outcome.occurrences[entry.oid] = occurrences }
                    case .skipped(let reason):
                        outcome.skipped.append(SkippedItem(path: firstPath[entry.oid] ?? "blob \(entry.oid)", reason: reason))
                    case .failed(let message):
                        outcome.errors.append(ScanFailure(path: firstPath[entry.oid] ?? "blob \(entry.oid)", message: message))
                    }
                    outcome.warnings += scanner.budgetWarnings(in: firstPath[entry.oid] ?? "blob \(entry.oid)")
                    options.progress?.doneItems.add(1, ordering: .relaxed)
                    options.progress?.doneBytes.add(entry.size, ordering: .relaxed)
                }, missing: { oid in
                    outcome.errors.append(ScanFailure(path: firstPath[oid] ?? "blob \(oid)", message: "blob \(oid) is missing from the repository (partial or corrupt clone): not scanned"))
                }, unreadable: { oid, message in
                    outcome.errors.append(ScanFailure(path: firstPath[oid] ?? "blob \(oid)", message: "blob \(oid) is corrupt and cannot be read (\(message)): not scanned"))
                })
            } catch {
                failure.withLock { $0 = $0 ?? error }
            }
            outcome.rejected = scanner.matcher.rejectedByValidator
            results.withLock { $0.append(outcome) }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        var merged = Outcome()
        for outcome in results.withLock({ $0 }) {
            merged.occurrences.merge(outcome.occurrences) { first, _ in first }
            merged.skipped += outcome.skipped
            merged.errors += outcome.errors
            merged.warnings += outcome.warnings
            merged.blobs += outcome.blobs
            merged.bytes += outcome.bytes
            merged.rejected += outcome.rejected
        }
        return merged
    }

    /// Turns matches in blobs into findings at the paths where commits introduced those blobs.
    private func assemble(_ occurrences: [String: [Occurrence]], log: GitHistoryLog, unattributed: Bool, into report: inout ScanReport) {
        let scratch = MatchScratch()
        var byPath: [String: [FindingAssembler.Sighting]] = [:]
        var introduced = Set<String>()
        for introduction in log.introductions {
            guard let found = occurrences[introduction.blob] else { continue }
            introduced.insert(introduction.blob)
            if isAllowedByConfig(introduction.path) { continue }
            for occurrence in found {
                let path = ArchivePath.join(introduction.path, occurrence.archivePath)
                if occurrence.archivePath != nil, isAllowedByConfig(path) { continue }
                byPath[path, default: []].append(.init(occurrence: occurrence, commit: introduction.commit))
            }
        }
        var unreachable = 0
        for (oid, found) in occurrences where !introduced.contains(oid) {
            if unattributed {
                for occurrence in found { byPath[ArchivePath.join("(unattributed blob \(oid))", occurrence.archivePath), default: []].append(.init(occurrence: occurrence, commit: nil)) }
            } else if options.includeUnreachable && options.scansAllRefs {
                for occurrence in found { byPath[ArchivePath.join("(unreachable blob \(oid))", occurrence.archivePath), default: []].append(.init(occurrence: occurrence, commit: nil)) }
            } else {
                unreachable += 1
            }
        }
        if unreachable > 0 && options.scansAllRefs && !unattributed {
            report.warnings.append("\(TextReport.plural(unreachable, "unreachable blob")) (left by amends or resets) also match; pass --unreachable to report them")
        }
        for (path, sightings) in byPath {
            let (findings, allowed) = assembler.findings(path: path, sightings: sightings, commits: log.commits, checkRulePaths: !path.hasPrefix("(unreachable") && !path.hasPrefix("(unattributed"), scratch: scratch)
            report.findings += findings
            report.stats.allowed += allowed
        }
    }

    private func isAllowedByConfig(_ path: String) -> Bool {
        config.allowPaths.contains { $0.matches(path) }
    }
}
