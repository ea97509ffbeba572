#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Crypto
import Foundation
import Synchronization

/// How a sweep runs.
public struct SweepOptions: Sendable {
    /// Repositories swept at once.
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// `git cat-file` readers per repository.
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var maxFileSize = 25 << 20
    public var minConfidence = Confidence.low
    /// Also scan commit messages, annotated tag messages and git notes (read again on every
    /// sweep, also of an unchanged repository: they are not cached).
    public var scanMetadata = true
    /// How deep and how much to read inside archives and compressed blobs.
    public var archive = ArchiveLimits()
    /// Where URLs are cloned.
    public var cloneDirectory: String
    /// Fetch clones made by earlier runs (off: use them as they are).
    public var fetch = true
    /// Drop the results cached under this rule set first, so every blob is scanned again.
    public var rescan = false
    /// patrol's version: with the rule set, it makes the rule-set version blobs are cached under.
    public var engineVersion: String
    /// Blobs stored per transaction.
    public var batchSize = 512
    /// Test hook: once this many blobs are stored, the process kills itself with SIGKILL, as
    /// `kill -9` would at that moment (resumability tests).
    public var killAfterStoredBlobs: Int?

    public init(cloneDirectory: String, engineVersion: String) {
        self.cloneDirectory = cloneDirectory
        self.engineVersion = engineVersion
    }
}

/// Totals of a sweep: the summary record.
public struct SweepSummary: Sendable, Equatable {
    public var repositories = 0
    public var blobsScanned = 0
    public var blobsSkipped = 0
    public var bytesScanned = 0
    public var findings = 0
    /// Repositories that failed, or had blobs that could not be read: one error record each.
    public var errors = 0
    /// Repositories that could not be swept at all.
    public var failedRepositories = 0
    public var seconds = 0.0
}

/// The version results are cached under: a hash of the compiled rule set (every rule and
/// provider as loaded, built-in and extra, after disabled rules are removed), patrol's version
/// and the cache format. Any change gives a new version, under which every blob is scanned
/// again; the configuration's allow lists and the confidence floor are applied after the cache,
/// so changing them needs no rescan.
public enum RuleSetVersion {
    public static func of(_ ruleSet: RuleSet, engineVersion: String) -> String {
        var text = "patrol \(engineVersion)\ncache format \(SweepCache.formatVersion)\n"
        text += String(reflecting: ruleSet.providers) + "\n" + String(reflecting: ruleSet.rules)
        return SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

/// What every repository of one sweep shares.
final class SweepContext: Sendable {
    let ruleSet: RuleSet
    let config: PatrolConfig
    let options: SweepOptions
    let cache: SweepCache
    let ruleSetID: Int64
    let ruleIndex: [String: Int]
    let assembler: FindingAssembler
    let claims = BlobClaims()
    private let stored = Atomic<Int>(0)

    init(ruleSet: RuleSet, config: PatrolConfig, options: SweepOptions, cache: SweepCache, ruleSetID: Int64) {
        self.ruleSet = ruleSet
        self.config = config
        self.options = options
        self.cache = cache
        self.ruleSetID = ruleSetID
        ruleIndex = Dictionary(ruleSet.rules.enumerated().map { ($1.id, $0) }) { first, _ in first }
        assembler = FindingAssembler(ruleSet: ruleSet, config: config, minConfidence: options.minConfidence)
    }

    /// Counts blobs committed to the cache, for the kill test hook.
    func noteStored(_ oids: [String]) {
        let total = stored.add(oids.count, ordering: .relaxed).newValue
        if let limit = options.killAfterStoredBlobs, total >= limit {
            kill(getpid(), SIGKILL)
        }
    }
}

/// Sweeps many repositories: each prepared (cloned or fetched when it is a URL), then swept
/// against the shared cache, `jobs` at a time. Each repository's result is handed to `report`
/// as soon as it is done (one at a time), so nothing accumulates across repositories.
public final class Sweep: Sendable {
    private let context: SweepContext

    public init(ruleSet: RuleSet, config: PatrolConfig = PatrolConfig(), cache: SweepCache, options: SweepOptions) throws(SweepFailure) {
        // Blobs read with other archive limits hold other matches: they are cached apart.
        let limits = options.archive
        let archiveKey = "archives \(limits.depth) \(limits.maxBytes) \(limits.maxEntries) \(limits.maxRatio) \(limits.ratioFloor)"
        let version = RuleSetVersion.of(ruleSet, engineVersion: options.engineVersion + " " + archiveKey)
        let id: Int64
        do {
            id = try cache.ruleSetID(version: version)
            if options.rescan { try cache.reset(ruleSet: id) }
        } catch {
            throw SweepFailure("cannot use the cache \(cache.path): \(error)")
        }
        context = SweepContext(ruleSet: ruleSet, config: config, options: options, cache: cache, ruleSetID: id)
    }

    public func run(_ entries: [SweepEntry], report: @escaping @Sendable (RepositorySweepResult) -> Void) -> SweepSummary {
        let clock = ContinuousClock.now
        let next = Atomic<Int>(0)
        let summary = Mutex(SweepSummary())
        let reporting = Mutex(())
        let workers = max(1, min(context.options.jobs, entries.count))
        JoinedThreads.run(count: workers) { [context] worker in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < entries.count else { break }
                let result = Self.sweep(entries[index], worker: worker, context: context)
                summary.withLock { total in
                    total.repositories += 1
                    total.blobsScanned += result.blobsScanned
                    total.blobsSkipped += result.blobsSkipped
                    total.bytesScanned += result.bytesScanned
                    total.findings += result.findings.count
                    if result.failure != nil { total.failedRepositories += 1 }
                    if result.failure != nil || !result.problems.isEmpty { total.errors += 1 }
                }
                reporting.withLock { _ in report(result) }
            }
        }
        var total = summary.withLock { $0 }
        let elapsed = ContinuousClock.now - clock
        total.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return total
    }

    /// git's multi-line messages as one line, repeated lines once: one error record, one line
    /// on standard error.
    static func oneLine(_ message: String) -> String {
        var lines: [String] = []
        for line in message.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty && lines.last != trimmed { lines.append(trimmed) }
        }
        return lines.joined(separator: " ")
    }

    private static func sweep(_ entry: SweepEntry, worker: Int, context: SweepContext) -> RepositorySweepResult {
        let clock = ContinuousClock.now
        var result = RepositorySweepResult(entry: entry)
        do throws(SweepFailure) {
            let folder: String
            if entry.isURL {
                folder = try RepositoryMirror.prepare(entry, in: context.options.cloneDirectory, fetch: context.options.fetch)
            } else {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: entry.text, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw SweepFailure("no such folder (and not a URL git can clone)")
                }
                folder = entry.text
            }
            result.folder = folder
            try RepositorySweep(context: context, entry: entry, worker: worker).run(folder: folder, into: &result)
        } catch {
            result.failure = Self.oneLine(error.description)
            result.findings = []
        }
        let elapsed = ContinuousClock.now - clock
        result.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return result
    }
}
