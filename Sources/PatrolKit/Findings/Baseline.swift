import Foundation

/// Findings a team has accepted (`.patrol-baseline.json`): entries of fingerprint, rule and
/// path, sorted, with no line numbers and no timestamps, so the file survives edits around a
/// secret and merges cleanly. A finding whose fingerprint and path are listed is not reported.
public struct Baseline: Sendable, Equatable {
    public struct Entry: Sendable, Hashable, Comparable, Codable {
        public var fingerprint: String
        public var rule: String
        public var path: String

        public init(fingerprint: String, rule: String, path: String) {
            self.fingerprint = fingerprint
            self.rule = rule
            self.path = path
        }

        public static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.path, lhs.rule, lhs.fingerprint) < (rhs.path, rhs.rule, rhs.fingerprint)
        }
    }

    public static let fileName = ".patrol-baseline.json"
    public private(set) var entries: [Entry]
    private let keys: Set<String>

    public init(entries: [Entry]) {
        self.entries = Array(Set(entries)).sorted()
        keys = Set(entries.map { $0.fingerprint + "\u{0}" + $0.path })
    }

    /// Entries for `findings`; `folder` is where the baseline file lives, and entry paths are
    /// relative to it (a report's paths are relative to its target root, which may differ).
    public init(findings: [Finding], of report: ScanReport, folder: String) {
        self.init(entries: findings.map { Entry(fingerprint: $0.fingerprint, rule: $0.rule, path: Self.path(of: $0, in: report, relativeTo: folder)) })
    }

    public func contains(fingerprint: String, path: String) -> Bool {
        keys.contains(fingerprint + "\u{0}" + path)
    }

    /// The report without the findings listed here; they are counted in `stats.allowed`.
    public func filter(_ report: ScanReport, folder: String) -> ScanReport {
        var filtered = report
        filtered.findings = report.findings.filter { !contains(fingerprint: $0.fingerprint, path: Self.path(of: $0, in: report, relativeTo: folder)) }
        filtered.stats.allowed += report.findings.count - filtered.findings.count
        return filtered
    }

    /// A finding's path relative to the baseline's folder, when the report's root lies inside it.
    static func path(of finding: Finding, in report: ScanReport, relativeTo folder: String) -> String {
        let root = Scanner.absolute(report.target.root, in: FileManager.default.currentDirectoryPath)
        let base = Scanner.absolute(folder, in: FileManager.default.currentDirectoryPath)
        let absolute = finding.path.hasPrefix("/") ? finding.path : PathText.appending(finding.path, to: root)
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return absolute.hasPrefix(prefix) ? String(absolute.dropFirst(prefix.count)) : finding.path
    }

    /// What `baseline update` writes: the current findings, so new ones are added and entries
    /// no longer found are dropped.
    public func updated(with findings: [Finding], of report: ScanReport, folder: String) -> (baseline: Baseline, added: Int, removed: Int) {
        let next = Baseline(findings: findings, of: report, folder: folder)
        let old = Set(entries), new = Set(next.entries)
        return (next, new.subtracting(old).count, old.subtracting(new).count)
    }

    private struct File: Codable {
        var version: Int
        var entries: [Entry]
    }

    public static func load(file: String) throws(RuleError) -> Baseline {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw RuleError(file: file, reason: "cannot read the baseline: \(error.localizedDescription)")
        }
        do {
            let decoded = try JSONDecoder().decode(File.self, from: data)
            guard decoded.version == 1 else { throw RuleError(file: file, reason: "baseline version \(decoded.version) is not supported (expected 1)") }
            return Baseline(entries: decoded.entries)
        } catch let error as RuleError {
            throw error
        } catch {
            throw RuleError(file: file, reason: "not a patrol baseline (expected {\"version\": 1, \"entries\": [{\"fingerprint\", \"rule\", \"path\"}]}): \(error)")
        }
    }

    /// The file's text: stable key order, one entry per line group, sorted.
    public func rendered() -> String {
        var json = JSONWriter(pretty: true)
        json.beginObject()
        json.field("version", .int(1))
        json.beginArray("entries")
        for entry in entries {
            json.beginObject()
            json.field("fingerprint", .string(entry.fingerprint))
            json.field("rule", .string(entry.rule))
            json.field("path", .string(entry.path))
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.output + "\n"
    }

    /// Where `baseline create` writes for `path`: the top of its git work tree, else `path`.
    public static func defaultFile(for path: String) -> String {
        let folder = GitWorkTree.root(containing: path) ?? path
        return PathText.appending(fileName, to: folder)
    }

    /// `.patrol-baseline.json` for a scan of `target`, found like `.patrol.yml`: at the root of
    /// the git work tree holding it, else in the target folder itself.
    public static func discover(for target: String) -> String? {
        PatrolConfig.projectFile(named: fileName, for: target)
    }
}
