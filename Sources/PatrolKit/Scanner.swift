#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import Synchronization

/// How a scan runs.
public struct ScanOptions: Sendable {
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Files (and blobs) larger than this are skipped as `too-large`.
    public var maxFileSize = 25 << 20
    public var followSymlinks = false
    /// Scan untracked files that `.gitignore` excludes too.
    public var noIgnore = false
    public var minConfidence = Confidence.low
    /// How deep and how much to read inside archives and compressed files.
    public var archive = ArchiveLimits()
    /// Files and bytes done, for a progress display (totals stay 0: the walk and the scan overlap).
    public var progress: ScanProgress?

    public init() {}
}

/// A scan that cannot run at all (as opposed to one file that cannot be read).
public enum ScanError: Error, Sendable, Equatable, CustomStringConvertible {
    case pathNotFound(String)

    public var description: String {
        switch self {
        case .pathNotFound(let path): "\(path): no such file or folder"
        }
    }
}

/// Scans files and folders on disk, or standard input, with a rule set: the engine behind
/// `patrol scan`. Folders are walked and files scanned by `options.threads` workers pulling from
/// one queue, each with its own buffer and PCRE2 match data.
public final class Scanner: Sendable {
    public let ruleSet: RuleSet
    public let config: PatrolConfig
    public let options: ScanOptions
    private let assembler: FindingAssembler

    public init(ruleSet: RuleSet, config: PatrolConfig = PatrolConfig(), options: ScanOptions = ScanOptions()) {
        self.ruleSet = ruleSet
        self.config = config
        self.options = options
        assembler = FindingAssembler(ruleSet: ruleSet, config: config, minConfidence: options.minConfidence)
    }

    /// Scans `paths` (files or folders). With one folder, finding paths are relative to it;
    /// otherwise they are relative to the current folder.
    public func scan(paths: [String]) throws(ScanError) -> ScanReport {
        let clock = ContinuousClock.now
        let currentFolder = FileManager.default.currentDirectoryPath
        let tree = FileTree(useGitIgnore: !options.noIgnore, follow: options.followSymlinks)
        var roots: [WalkJob] = []
        let absolutes = paths.map { Self.absolute($0, in: currentFolder) }
        let singleFolder = absolutes.count == 1 && Self.isFolder(absolutes[0])
        let root = singleFolder ? absolutes[0] : currentFolder
        for (path, absolute) in zip(paths, absolutes) {
            let display = singleFolder ? "" : Self.display(absolute, relativeTo: currentFolder, given: path)
            guard let job = tree.classifyArgument(absolute: absolute, display: display) else {
                throw .pathNotFound(path)
            }
            roots.append(job)
        }
        var report = run(roots, tree: tree)
        report.target = ScanTarget(kind: singleFolder ? "directory" : "files", root: root)
        report.stats.seconds = Self.seconds(since: clock)
        return report
    }

    /// Scans standard input as one file named `<stdin>`.
    public func scanStandardInput() -> ScanReport {
        let clock = ContinuousClock.now
        let scanner = InputScanner(ruleSet: ruleSet)
        scanner.archiveLimits = options.archive
        var collector = Collector()
        let outcome = scanner.scanStream(descriptor: 0, enabled: nil)
        collector.record(outcome, display: "<stdin>", assembler: assembler, scratch: MatchScratch(), archiveProblems: scanner.archiveProblems, archiveBinaryEntries: scanner.archiveBinaryEntries)
        collector.warnings += scanner.budgetWarnings(in: "<stdin>")
        collector.stats.rejectedByValidator = scanner.matcher.rejectedByValidator
        var report = collector.report(target: ScanTarget(kind: "stdin", root: FileManager.default.currentDirectoryPath))
        report.stats.seconds = Self.seconds(since: clock)
        return report
    }

    private func run(_ roots: [WalkJob], tree: FileTree) -> ScanReport {
        let queue = WorkQueue(roots)
        let results = Mutex<[Collector]>([])
        let workers = max(1, options.threads)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let scanner = InputScanner(ruleSet: ruleSet)
            scanner.archiveLimits = options.archive
            let scratch = MatchScratch()
            var collector = Collector()
            while let job = queue.next() {
                switch job {
                case .folder(let path, let kind):
                    guard tree.enter(folder: path) else { break }
                    let listing = tree.list(folder: path, kind: kind)
                    collector.skipped += listing.skipped
                    collector.errors += listing.errors
                    collector.warnings += listing.warnings
                    var jobs: [WalkJob] = []
                    for child in listing.jobs {
                        if case .file(let childPath) = child, isAllowedByConfig(childPath.absoluteText) {
                            collector.skipped.append(SkippedItem(path: childPath.display, reason: .ignoredByConfig))
                        } else {
                            jobs.append(child)
                        }
                    }
                    queue.add(jobs)
                case .file(let path):
                    let outcome: InputOutcome
                    let display = path.relative.isEmpty ? ReportPath.display(path.absolute.split(separator: UInt8(ascii: "/")).last ?? []) : path.display
                    let descriptor = LongPath.open(path.absolute, flags: O_RDONLY | O_CLOEXEC | O_NONBLOCK)
                    if descriptor < 0 {
                        outcome = .failed(String(cString: strerror(errno)))
                    } else {
                        if ruleSet.anyPathFilter {
                            let outer = path.absoluteText
                            scanner.entryRules = { [self] inner in enabledRules(for: ArchivePath.join(outer, inner)) }
                        }
                        outcome = scanner.scanFile(descriptor: descriptor, maxFileSize: options.maxFileSize, enabled: enabledRules(for: path.absoluteText))
                        close(descriptor)
                    }
                    collector.record(outcome, display: display, assembler: assembler, scratch: scratch, archiveProblems: scanner.archiveProblems, archiveBinaryEntries: scanner.archiveBinaryEntries) { inner in
                        isAllowedByConfig(path.absoluteText + ArchivePath.separator + inner)
                    }
                    collector.warnings += scanner.budgetWarnings(in: display)
                    if let progress = options.progress {
                        progress.doneItems.add(1, ordering: .relaxed)
                        if case .scanned(let bytes, _) = outcome { progress.doneBytes.add(bytes, ordering: .relaxed) }
                    }
                }
                queue.finish()
            }
            collector.stats.rejectedByValidator = scanner.matcher.rejectedByValidator
            results.withLock { $0.append(collector) }
        }
        // Taken out of the mutex and merged one at a time, each dropped once merged: the merged
        // findings are then the only reference to their storage, and sorting them sorts in
        // place instead of copying every finding first.
        var collectors: [Collector] = results.withLock { collected in
            defer { collected.removeAll() }
            return collected.reversed()
        }
        var merged = Collector()
        while let collector = collectors.popLast() { merged.merge(collector) }
        return merged.report(target: ScanTarget(kind: "directory", root: ""))
    }

    /// `allow.paths` of `.patrol.yml`, matched relative to the folder holding it.
    private func isAllowedByConfig(_ absolute: String) -> Bool {
        guard !config.allowPaths.isEmpty, let relative = configRelative(absolute) else { return false }
        return config.allowPaths.contains { $0.matches(relative) }
    }

    private func configRelative(_ absolute: String) -> String? {
        guard let root = config.root.map({ Self.absolute($0, in: FileManager.default.currentDirectoryPath) }) else { return nil }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : nil
    }

    /// Rules whose `paths` exclude this file are switched off for it.
    private func enabledRules(for absolute: String) -> [Bool]? {
        guard ruleSet.anyPathFilter else { return nil }
        let path = configRelative(absolute) ?? absolute
        return ruleSet.compiled.map { $0.applies(to: path) }
    }

    static func absolute(_ path: String, in folder: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: folder).appendingPathComponent(path)
        var result = url.standardizedFileURL.path
        while result.count > 1, result.hasSuffix("/") { result.removeLast() }
        return result
    }

    private static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    private static func display(_ absolute: String, relativeTo folder: String, given: String) -> String {
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        if absolute.hasPrefix(prefix) { return String(absolute.dropFirst(prefix.count)) }
        if absolute == folder { return "." }
        return given.hasPrefix("/") ? absolute : given
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// One worker's share of a report, merged at the end.
struct Collector {
    var findings: [Finding] = []
    var skipped: [SkippedItem] = []
    var errors: [ScanFailure] = []
    var warnings: [String] = []
    var stats = ScanStats()

    /// Adds one input's outcome. Findings inside an archive are at `display!inner/path`; those
    /// whose inner path `isAllowedInside` (the configuration's `allow.paths`) are dropped.
    mutating func record(_ outcome: InputOutcome, display: String, assembler: FindingAssembler, scratch: MatchScratch, archiveProblems: [ArchiveProblem] = [], archiveBinaryEntries: [String] = [], isAllowedInside: (String) -> Bool = { _ in false }) {
        for problem in archiveProblems {
            errors.append(ScanFailure(path: ArchivePath.join(display, problem.innerPath), message: problem.message))
        }
        for entry in archiveBinaryEntries {
            skipped.append(SkippedItem(path: ArchivePath.join(display, entry), reason: .binary))
        }
        switch outcome {
        case .scanned(let bytes, let occurrences):
            stats.files += 1
            stats.bytes += bytes
            guard !occurrences.isEmpty else { break }
            for (inner, group) in ArchivePath.grouped(occurrences) {
                if let inner, isAllowedInside(inner) {
                    stats.allowed += group.count
                    continue
                }
                let (found, allowed) = assembler.findings(path: ArchivePath.join(display, inner), occurrences: group, scratch: scratch)
                if findings.isEmpty { findings = found } else { findings += found }
                stats.allowed += allowed
            }
        case .skipped(let reason):
            skipped.append(SkippedItem(path: display, reason: reason))
        case .failed(let message):
            errors.append(ScanFailure(path: display, message: message))
        }
    }

    mutating func merge(_ other: Collector) {
        if findings.isEmpty { findings = other.findings } else { findings += other.findings }
        skipped += other.skipped
        errors += other.errors
        warnings += other.warnings
        stats.files += other.stats.files
        stats.blobs += other.stats.blobs
        stats.bytes += other.stats.bytes
        stats.rejectedByValidator += other.stats.rejectedByValidator
        stats.allowed += other.stats.allowed
    }

    /// The report, sorted so that output is the same on every run whatever the thread timing.
    /// The findings move into it (sorted in place, not copied: a finding holds a dozen strings).
    mutating func report(target: ScanTarget) -> ScanReport {
        var sorted = findings
        findings = []
        sorted.sort { ($0.path, $0.line, $0.column, $0.rule) < ($1.path, $1.line, $1.column, $1.rule) }
        return ScanReport(
            target: target,
            findings: sorted,
            skipped: skipped.sorted { ($0.path, $0.reason.rawValue) < ($1.path, $1.reason.rawValue) },
            errors: errors.sorted { $0.path < $1.path },
            warnings: warnings,
            stats: stats
        )
    }
}

/// Jobs shared by the workers. A worker that finds the queue empty waits while others are
/// still busy (they may add folders' contents), and stops once nothing is queued or running.
final class WorkQueue: Sendable {
    private struct State {
        var jobs: [WalkJob]
        var running = 0
    }

    private let state: Mutex<State>

    init(_ jobs: [WalkJob]) {
        state = Mutex(State(jobs: jobs.reversed()))
    }

    /// The next job, or nil when the walk is over. Pair each job with `finish()`.
    func next() -> WalkJob? {
        while true {
            let (job, done): (WalkJob?, Bool) = state.withLock { state in
                if let job = state.jobs.popLast() {
                    state.running += 1
                    return (job, false)
                }
                return (nil, state.running == 0)
            }
            if let job { return job }
            if done { return nil }
            usleep(100)
        }
    }

    func add(_ jobs: [WalkJob]) {
        guard !jobs.isEmpty else { return }
        state.withLock { $0.jobs.append(contentsOf: jobs.reversed()) }
    }

    func finish() {
        state.withLock { $0.running -= 1 }
    }
}
