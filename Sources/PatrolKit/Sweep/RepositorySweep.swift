import Dispatch
import Foundation
import Synchronization

/// How one repository's findings were obtained.
public enum SweepMode: String, Sendable {
    /// Every blob listed, the log of every ref read (first sweep, rules changed, history rewritten).
    case full
    /// Refs moved forward: only the commits since the last sweep were read.
    case incremental
    /// Refs unchanged: the recorded attribution and cached blob results were used as they are.
    case unchanged
}

/// One repository's share of a sweep.
public struct RepositorySweepResult: Sendable {
    public let entry: SweepEntry
    /// The folder that was read (the clone, for a URL); nil when it could not be prepared.
    public var folder: String?
    public var findings: [Finding] = []
    /// Why the repository could not be swept at all.
    public var failure: String?
    /// Blobs that could not be read (missing, corrupt); the rest was swept.
    public var problems: [String] = []
    public var warnings: [String] = []
    public var mode: SweepMode = .full
    public var blobsScanned = 0
    /// Not read this time: a result was in the cache (this or an earlier run, this repository
    /// or another), or larger than the size limit.
    public var blobsSkipped = 0
    public var bytesScanned = 0
    public var seconds = 0.0
    /// The commit `HEAD` pointed to when the repository was swept.
    public var tip: String?

    init(entry: SweepEntry) {
        self.entry = entry
    }
}

/// Sweeps one repository against the cache: lists what it must, scans only blobs the cache has
/// no result for, attributes matches to the commits that introduced them, and records the ref
/// tips and attribution so the next sweep can skip all of that when nothing moved.
struct RepositorySweep {
    let context: SweepContext
    let entry: SweepEntry
    /// Distinguishes this repository's blob claims from those of others swept at once.
    let worker: Int

    private var cache: SweepCache { context.cache }

    func run(folder: String, into result: inout RepositorySweepResult) throws(SweepFailure) {
        // Commit and tag messages and notes first: the blobs of notes are then left out of the
        // files, reported as notes instead.
        var metadata: GitMetadata?
        if context.options.scanMetadata {
            do {
                let repository = try GitRepository.open(folder)
                metadata = try GitMetadata.scan(repository, revisions: [], commits: nil, scanner: InputScanner(ruleSet: context.ruleSet))
            } catch {
                throw SweepFailure(error.description)
            }
        }
        try runBlobs(folder: folder, excluding: metadata?.noteBlobs ?? [], into: &result)
        if let metadata {
            result.warnings += metadata.errors.map { "\($0.path): \($0.message)" }
            result.findings += metadata.findings(assembler: context.assembler).findings
        }
    }

    private func runBlobs(folder: String, excluding noteBlobs: Set<String>, into result: inout RepositorySweepResult) throws(SweepFailure) {
        let previous: RepositoryState?
        do {
            previous = try cache.repositoryState(entry: entry.text)
        } catch {
            throw SweepFailure("cannot read the cache: \(error)")
        }
        // The recorded state holds only under the same rules and the same size limit.
        let usable = previous.flatMap { $0.ruleSet == context.ruleSetID && $0.attribution.maxFileSize == context.options.maxFileSize ? $0 : nil }

        // An unchanged repository costs one git call: its refs.
        let refs = try? RepositoryTips.readWithHead(folder: folder)
        var tips = refs?.tips
        result.tip = refs?.head
        if let usable, let tips, usable.tips == tips, let known = try? resolveKnown(usable.attribution) {
            result.mode = .unchanged
            result.blobsSkipped = usable.attribution.blobCount
            result.warnings = usable.attribution.warnings
            result.findings = assemble(usable.attribution, matches: known, excluding: noteBlobs)
            return
        }

        let repository: GitRepository
        do {
            repository = try GitRepository.open(folder)
            // Read again when the first read failed: now its error is the one to report.
            if tips == nil { tips = try RepositoryTips.read(folder: repository.folder) }
        } catch {
            throw SweepFailure(error.description)
        }
        let currentTips = tips ?? []
        if repository.isShallow { result.warnings.append("a shallow clone: only the history present is scanned") }
        if repository.isPartial { result.warnings.append("a partial clone: objects not present locally are skipped, never fetched") }

        var attribution = RepositoryAttribution()
        attribution.maxFileSize = context.options.maxFileSize
        var matches: [String: [Occurrence]] = [:]
        var historyUnreadable = false
        do {
            if let previous = usable,
               RepositoryTips.onlyMovedForward(from: previous.tips, to: currentTips, in: repository),
               let known = try? resolveKnown(previous.attribution) {
                result.mode = .incremental
                let log = try GitHistoryLog.read(repository, revisions: [], standardInput: try RepositoryTips.commits(among: currentTips, in: repository) + RepositoryTips.commits(among: previous.tips, in: repository).map { "^" + $0 })
                var order: [String] = []
                var seen = Set<String>()
                for introduction in log.introductions where seen.insert(introduction.blob).inserted {
                    order.append(introduction.blob)
                }
                let (present, missing) = try GitObjectStream.sizes(of: order, in: repository)
                for oid in missing { result.problems.append("blob \(oid) is missing from the repository (partial or corrupt clone)") }
                let found = try resolve(present, in: repository, result: &result)
                matches = known.merging(found) { first, _ in first }
                attribution = previous.attribution
                attribution.append(log, matching: Set(found.keys))
                attribution.blobCount += order.count
                result.blobsSkipped += previous.attribution.blobCount
            } else {
                result.mode = .full
                let (blobs, unreadable) = try GitObjectStream.allBlobs(in: repository)
                result.problems += unreadable.map(GitObjectStream.unreadableMessage)
                matches = try resolve(blobs, in: repository, result: &result)
                attribution.blobCount = blobs.count
                let commits = try RepositoryTips.commits(among: currentTips, in: repository)
                if !matches.isEmpty, !commits.isEmpty {
                    let (log, failure) = try GitHistoryLog.readPartial(repository, revisions: [], interesting: Set(matches.keys), standardInput: commits, wholeHistory: true)
                    attribution.append(log, matching: Set(matches.keys))
                    if let failure {
                        result.problems.append("\(failure.description); the history could not be read whole, so a match no commit read introduces is reported at \"(unattributed blob <id>)\"")
                        historyUnreadable = true
                    }
                }
            }
        } catch let error as GitError {
            throw SweepFailure(error.description)
        } catch let error as SweepFailure {
            throw error
        } catch {
            throw SweepFailure("cannot use the cache: \(error)")
        }

        result.findings = assemble(attribution, matches: matches, excluding: noteBlobs)
        if historyUnreadable {
            let introduced = Set(attribution.introductions.map(\.blob))
            let scratch = MatchScratch()
            for (oid, found) in matches.sorted(by: { $0.key < $1.key }) where !introduced.contains(oid) && !noteBlobs.contains(oid) {
                result.findings += context.assembler.findings(path: "(unattributed blob \(oid))", sightings: found.map { .init(occurrence: $0, commit: nil) }, commits: attribution.commitInfos, checkRulePaths: false, scratch: scratch).findings
            }
        }
        // A repository with unreadable blobs is swept in full again next time.
        do {
            if result.problems.isEmpty {
                attribution.warnings = result.warnings
                try cache.save(RepositoryState(ruleSet: context.ruleSetID, tips: currentTips, attribution: attribution), entry: entry.text)
            } else {
                try cache.forget(entry: entry.text)
            }
        } catch {
            throw SweepFailure("cannot write the cache: \(error)")
        }
    }

    /// Cached results of the blobs a recorded attribution names; throws when one is missing
    /// (then the repository is swept in full).
    private func resolveKnown(_ attribution: RepositoryAttribution) throws -> [String: [Occurrence]] {
        let blobs = Array(attribution.blobs)
        let cached = try cache.lookup(blobs, ruleSet: context.ruleSetID, ruleIndex: context.ruleIndex)
        guard cached.count == blobs.count else { throw SweepFailure("attribution names blobs missing from the cache") }
        var matches: [String: [Occurrence]] = [:]
        for (oid, blob) in cached where !blob.occurrences.isEmpty { matches[oid] = blob.occurrences }
        return matches
    }

    /// Results for `blobs`: from the cache when it has them, else scanned (and stored). Blobs
    /// another repository of this sweep is scanning are waited for and then read from the cache.
    /// Returns the blobs that have matches.
    private func resolve(_ blobs: [BlobEntry], in repository: GitRepository, result: inout RepositorySweepResult) throws -> [String: [Occurrence]] {
        var pending: [BlobEntry] = []
        for blob in blobs {
            if blob.size > context.options.maxFileSize {
                result.blobsSkipped += 1
            } else {
                pending.append(blob)
            }
        }
        var matches: [String: [Occurrence]] = [:]
        while !pending.isEmpty {
            let byOid = Dictionary(pending.map { ($0.oid, $0) }) { first, _ in first }
            let (mine, others) = context.claims.claim(pending.map(\.oid), owner: worker)
            defer { context.claims.release(mine, owner: worker) }
            let cached = try cache.lookup(mine, ruleSet: context.ruleSetID, ruleIndex: context.ruleIndex)
            var toScan: [BlobEntry] = []
            for oid in mine {
                if let blob = cached[oid] {
                    result.blobsSkipped += 1
                    if !blob.occurrences.isEmpty { matches[oid] = blob.occurrences }
                } else if let entry = byOid[oid] {
                    toScan.append(entry)
                }
            }
            let scanned = try scan(toScan, in: repository, result: &result)
            matches.merge(scanned) { first, _ in first }
            context.claims.release(mine, owner: worker)
            guard !others.isEmpty else { break }
            context.claims.waitForRelease(of: others)
            pending = others.compactMap { byOid[$0] }
        }
        return matches
    }

    private struct PartOutcome {
        var matches: [String: [Occurrence]] = [:]
        var problems: [String] = []
        var scanned = 0
        var bytes = 0
        var failure: (any Error)?
    }

    /// Scans `blobs` with one `git cat-file --batch` per thread, storing results in the cache a
    /// batch (one transaction) at a time as they come.
    private func scan(_ blobs: [BlobEntry], in repository: GitRepository, result: inout RepositorySweepResult) throws -> [String: [Occurrence]] {
        guard !blobs.isEmpty else { return [:] }
        let parts = GitObjectStream.partition(blobs, into: max(1, context.options.threads))
        let outcomes = Mutex<[PartOutcome]>([])
        DispatchQueue.concurrentPerform(iterations: parts.count) { index in
            let scanner = InputScanner(ruleSet: context.ruleSet)
            scanner.archiveLimits = context.options.archive
            var outcome = PartOutcome()
            var batch: [(oid: String, blob: CachedBlob)] = []
            func flush() throws {
                try cache.store(batch, ruleSet: context.ruleSetID, rules: context.ruleSet)
                context.noteStored(batch.map(\.oid))
                batch.removeAll(keepingCapacity: true)
            }
            do {
                try GitObjectStream.read(parts[index], from: repository, body: { entry, bytes in
                    let result = scanner.scan(memory: bytes)
                    for problem in scanner.archiveProblems {
                        outcome.problems.append("\(ArchivePath.join("blob \(entry.oid)", problem.innerPath)): \(problem.message)")
                    }
                    switch result {
                    case .scanned(let count, let occurrences):
                        outcome.scanned += 1
                        outcome.bytes += count
                        if !occurrences.isEmpty { outcome.matches[entry.oid] = occurrences }
                        batch.append((entry.oid, CachedBlob(kind: .scanned, occurrences: occurrences)))
                    case .skipped:
                        outcome.scanned += 1
                        batch.append((entry.oid, CachedBlob(kind: .binary, occurrences: [])))
                    case .failed(let message):
                        outcome.problems.append("blob \(entry.oid): \(message)")
                    }
                    if batch.count >= context.options.batchSize, outcome.failure == nil {
                        do { try flush() } catch { outcome.failure = error }
                    }
                }, missing: { oid in
                    outcome.problems.append("blob \(oid) is missing from the repository (partial or corrupt clone)")
                }, unreadable: { oid, message in
                    outcome.problems.append("blob \(oid) is corrupt and cannot be read (\(message)): not scanned")
                })
                if outcome.failure == nil { try flush() }
            } catch {
                outcome.failure = outcome.failure ?? error
            }
            outcomes.withLock { $0.append(outcome) }
        }
        var matches: [String: [Occurrence]] = [:]
        for outcome in outcomes.withLock({ $0 }) {
            if let failure = outcome.failure { throw failure }
            matches.merge(outcome.matches) { first, _ in first }
            result.problems += outcome.problems
            result.blobsScanned += outcome.scanned
            result.bytesScanned += outcome.bytes
        }
        return matches
    }

    /// Findings at the paths where commits introduced the matching blobs, as `patrol history`
    /// makes them: one per (rule, secret, path), first commit first, every introduction a location.
    private func assemble(_ attribution: RepositoryAttribution, matches: [String: [Occurrence]], excluding noteBlobs: Set<String>) -> [Finding] {
        let scratch = MatchScratch()
        var byPath: [String: [FindingAssembler.Sighting]] = [:]
        var order: [String] = []
        for introduction in attribution.introductions {
            guard let found = matches[introduction.blob], !noteBlobs.contains(introduction.blob) else { continue }
            if context.config.allowPaths.contains(where: { $0.matches(introduction.path) }) { continue }
            for occurrence in found {
                let path = ArchivePath.join(introduction.path, occurrence.archivePath)
                if occurrence.archivePath != nil, context.config.allowPaths.contains(where: { $0.matches(path) }) { continue }
                if byPath[path] == nil { order.append(path) }
                byPath[path, default: []].append(.init(occurrence: occurrence, commit: introduction.commit))
            }
        }
        let commits = attribution.commitInfos
        var findings: [Finding] = []
        for path in order {
            findings += context.assembler.findings(path: path, sightings: byPath[path]!, commits: commits, scratch: scratch).findings
        }
        return findings.sorted { ($0.path, $0.line, $0.column, $0.rule) < ($1.path, $1.line, $1.column, $1.rule) }
    }
}
