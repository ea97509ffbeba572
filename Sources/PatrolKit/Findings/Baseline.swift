import Foundation

/// Findings a team has accepted (`.patrol-baseline.json`): entries of fingerprint, rule and
/// path, sorted, with no line numbers and no timestamps, so the file survives edits around a
/// secret and merges cleanly. A finding whose fingerprint and path are listed is not reported.
///
/// A finding in a commit message, tag message or note is listed with `"path": null` and its
/// `location` (`commit-message`, `tag-message`, `note`), and no commit: the entry accepts that
/// secret in any message of that kind, as a file entry accepts it at that path in any commit,
/// so it survives a rebase. It never accepts the secret in a file, nor a file entry one in a message.
public struct Baseline: Sendable, Equatable {
    public struct Entry: Sendable, Hashable, Comparable, Codable {
        public var fingerprint: String
        public var rule: String
        /// Empty for a commit message, tag message or note (written as null).
        public var path: String
        /// nil for a file; `commit-message`, `tag-message` or `note` otherwise.
        public var location: String?

        public init(fingerprint: String, rule: String, path: String, location: String? = nil) {
            self.fingerprint = fingerprint
            self.rule = rule
            self.path = location == nil ? path : ""
            self.location = location
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fingerprint = try container.decode(String.self, forKey: .fingerprint)
            rule = try container.decode(String.self, forKey: .rule)
            location = try container.decodeIfPresent(String.self, forKey: .location)
            if let location {
                guard let origin = FindingOrigin(rawValue: location), origin.isMetadata else {
                    throw DecodingError.dataCorruptedError(forKey: .location, in: container, debugDescription: "unknown location '\(location)' (expected commit-message, tag-message or note)")
                }
                path = ""
            } else {
                path = try container.decode(String.self, forKey: .path)
            }
        }

        /// What a finding is matched by.
        var key: String { fingerprint + "\u{0}" + path + "\u{0}" + (location ?? "") }

        public static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.location ?? "", lhs.path, lhs.rule, lhs.fingerprint) < (rhs.location ?? "", rhs.path, rhs.rule, rhs.fingerprint)
        }
    }

    public static let fileName = ".patrol-baseline.json"
    public private(set) var entries: [Entry]
    private let keys: Set<String>

    public init(entries: [Entry]) {
        self.entries = Array(Set(entries)).sorted()
        keys = Set(entries.map(\.key))
    }

    /// Entries for `findings`; `folder` is where the baseline file lives, and entry paths are
    /// relative to it (a report's paths are relative to its target root, which may differ).
    public init(findings: [Finding], of report: ScanReport, folder: String) {
        self.init(entries: findings.map { Self.entry(for: $0, in: report, folder: folder) })
    }

    /// The entry that accepts `finding`.
    static func entry(for finding: Finding, in report: ScanReport, folder: String) -> Entry {
        if finding.origin.isMetadata {
            return Entry(fingerprint: finding.fingerprint, rule: finding.rule, path: "", location: finding.origin.rawValue)
        }
        return Entry(fingerprint: finding.fingerprint, rule: finding.rule, path: Self.path(of: finding, in: report, relativeTo: folder))
    }

    public func contains(fingerprint: String, path: String) -> Bool {
        keys.contains(Entry(fingerprint: fingerprint, rule: "", path: path).key)
    }

    public func contains(_ finding: Finding, in report: ScanReport, folder: String) -> Bool {
        keys.contains(Self.entry(for: finding, in: report, folder: folder).key)
    }

    /// The report without the findings listed here; they are counted in `stats.allowed`.
    public func filter(_ report: ScanReport, folder: String) -> ScanReport {
        var filtered = report
        filtered.findings = report.findings.filter { !contains($0, in: report, folder: folder) }
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
            if let location = entry.location {
                json.field("path", .null)
                json.field("location", .string(location))
            } else {
                json.field("path", .string(entry.path))
            }
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
