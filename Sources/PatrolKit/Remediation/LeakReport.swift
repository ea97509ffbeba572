import Foundation

/// A JSON report (`--format json`) read back: its target and findings, with whether each
/// secret was redacted. Snippets come back as text with no secret spans (already rendered).
public struct LeakReport: Sendable {
    public struct Entry: Sendable {
        public var finding: Finding
        /// The report shows only the redacted form (`NkE6…(84)`): the real secret must be
        /// recovered from the files or commits before it can go into a replacements file.
        public var isRedacted: Bool
    }

    public var target: ScanTarget
    public var entries: [Entry]
    /// What the report's scan skipped, could not read, and counted: carried over when a command
    /// writes the report again (`verify`). Missing or unknown values are left out, not an error.
    public var skipped: [SkippedItem] = []
    public var errors: [ScanFailure] = []
    public var stats = ScanStats()

    public init(target: ScanTarget, entries: [Entry]) {
        self.target = target
        self.entries = entries
    }

    /// Parses a report held in memory; `source` names it in errors (a path, or `<stdin>`).
    public static func parse(_ data: [UInt8], source: String) throws(RemediationError) -> LeakReport {
        var stream = JSONValueStream(bytes: data)
        var entries: [Entry] = []
        var report = try readMembers(&stream, source: source, isEmpty: data.isEmpty) { entries.append($0) }
        report.entries = entries
        return report
    }

    /// Reads a report from `descriptor` (left open) a finding at a time: memory grows with the
    /// findings kept, not with a parsed copy of the whole document.
    public static func read(descriptor: Int32, source: String) throws(RemediationError) -> LeakReport {
        var entries: [Entry] = []
        var report = try read(descriptor: descriptor, source: source) { entries.append($0) }
        report.entries = entries
        return report
    }

    /// Reads a report from `descriptor` (left open) and hands each finding to `each` as it is
    /// read, keeping none: the report returned has no `entries`, only what surrounds them.
    /// Reads the JSON report (`--format json`) and JSON Lines: `--format jsonl` findings, and
    /// `patrol sweep` output (findings with a leading `repository`, and its `error`,
    /// `coverage`, `summary`, `removed` and `skipped` records, which are passed over).
    public static func read(descriptor: Int32, source: String, each: (Entry) -> Void) throws(RemediationError) -> LeakReport {
        var stream = JSONValueStream(descriptor: descriptor)
        return try readMembers(&stream, source: source, isEmpty: nil, each: each)
    }

    /// The keys of the JSON report's top level: a document whose first key is one of them is a
    /// report, any other first key starts JSON Lines (a finding's `rule`, a sweep record's
    /// `repository`, `error`, `coverage`, …).
    /// (`skipped` is left out: it starts a sweep's `{"skipped": …}` record, never a report.)
    static let documentKeys: Set<String> = ["version", "tool", "target", "findings", "errors", "stats"]
    /// The records of `patrol sweep` that are not findings.
    static let sweepRecordKinds: Set<String> = ["error", "coverage", "summary", "removed", "skipped"]

    /// The first key of the object starting at `bytes` (which start with `{` after white
    /// space), if it is a plain string within them.
    static func firstKey(_ bytes: ArraySlice<UInt8>) -> String? {
        var index = bytes.startIndex
        func skipSpace() { while index < bytes.endIndex, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 } }
        skipSpace()
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        skipSpace()
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let start = index + 1
        guard let end = bytes[start...].firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }), bytes[end] == UInt8(ascii: "\"") else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The top-level object, its `findings` array read an element at a time and every other
    /// member parsed whole (they are small: target, version, skipped, errors, stats); or JSON
    /// Lines, a line at a time.
    private static func readMembers(_ stream: inout JSONValueStream, source: String, isEmpty: Bool?, each: (Entry) -> Void) throws(RemediationError) -> LeakReport {
        func fail(_ reason: String) -> RemediationError { .unreadableReport(source: source, reason: reason) }
        func converted(_ error: JSONValueStream.ValueError) -> RemediationError {
            switch error {
            case .malformed: fail("invalid JSON")
            case .read(let failure): fail("cannot read it (\(failure.message))")
            }
        }
        func peek() throws(RemediationError) -> UInt8? {
            do { return try stream.peekSignificant() } catch { throw converted(error) }
        }
        func expect(_ byte: Character) throws(RemediationError) {
            do { try stream.expect(UInt8(ascii: byte.unicodeScalars.first!)) } catch { throw converted(error) }
        }
        var value: [UInt8] = []
        func readValue() throws(RemediationError) {
            value.removeAll(keepingCapacity: true)
            do { try stream.readValue(into: &value) } catch { throw converted(error) }
        }
        func parseValue(_ bytes: [UInt8]) throws(RemediationError) -> Any {
            do {
                return try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
            } catch {
                throw fail("invalid JSON")
            }
        }
        guard let first = try peek() else { throw fail(isEmpty ?? true ? "it is empty" : "invalid JSON") }
        guard first == UInt8(ascii: "{") else {
            throw fail(first == UInt8(ascii: "[") ? "the top level is not an object" : "invalid JSON")
        }
        let opening: ArraySlice<UInt8>
        do { opening = try stream.lookahead(4096) } catch { throw converted(error) }
        if let key = firstKey(opening), !documentKeys.contains(key) {
            return try readLines(&stream, source: source, each: each)
        }
        var root: [String: Any] = [:]
        var count = 0
        var sawFindings = false
        try expect("{")
        while try peek() != UInt8(ascii: "}") {
            if !root.isEmpty || sawFindings { try expect(",") }
            try readValue()
            guard let key = try parseValue(value) as? String else { throw fail("invalid JSON") }
            try expect(":")
            if key == "findings" {
                // Each element is parsed alone and dropped once it is handed on.
                try checkVersion(root, required: false, fail: fail)
                guard try peek() == UInt8(ascii: "[") else { throw fail("no \"findings\" array") }
                try expect("[")
                while try peek() != UInt8(ascii: "]") {
                    if count > 0 { try expect(",") }
                    try readValue()
                    count += 1
                    each(try entry(parseValue(value), label: "finding \(count)", fail: fail))
                }
                try expect("]")
                sawFindings = true
            } else {
                try readValue()
                root[key] = try parseValue(value)
            }
        }
        try expect("}")
        guard try peek() == nil else { throw fail("invalid JSON") }
        try checkVersion(root, required: true, fail: fail)
        guard let target = root["target"] as? [String: Any], let kind = target["kind"] as? String, let rootPath = target["root"] as? String else {
            throw fail("no \"target\" with \"kind\" and \"root\"")
        }
        guard sawFindings else { throw fail("no \"findings\" array") }
        let revs = (target["revs"] as? [Any])?.compactMap { $0 as? String }
        var report = LeakReport(target: ScanTarget(kind: kind, root: rootPath, revs: revs), entries: [])
        for item in root["skipped"] as? [[String: Any]] ?? [] {
            if let path = item["path"] as? String, let reason = (item["reason"] as? String).flatMap(SkipReason.init(rawValue:)) {
                report.skipped.append(SkippedItem(path: path, reason: reason))
            }
        }
        for item in root["errors"] as? [[String: Any]] ?? [] {
            if let path = item["path"] as? String, let message = item["message"] as? String {
                report.errors.append(ScanFailure(path: path, message: message))
            }
        }
        if let stats = root["stats"] as? [String: Any] {
            report.stats.files = stats["files"] as? Int ?? 0
            report.stats.blobs = stats["blobs"] as? Int ?? 0
            report.stats.bytes = stats["bytes"] as? Int ?? 0
            report.stats.seconds = (stats["seconds"] as? NSNumber)?.doubleValue ?? 0
            report.stats.rejectedByValidator = stats["rejected_by_validator"] as? Int ?? 0
            report.stats.allowed = stats["allowed"] as? Int ?? 0
        }
        return report
    }

    /// JSON Lines: one finding (or sweep record) a line, blank lines passed over. JSON Lines
    /// name no target: a sweep's findings are in the repositories its records name (target
    /// kind `sweep`, its root the repository when there is one, else empty); `--format jsonl`
    /// findings are under the current folder (kind `git` when they carry commits).
    private static func readLines(_ stream: inout JSONValueStream, source: String, each: (Entry) -> Void) throws(RemediationError) -> LeakReport {
        func fail(_ reason: String) -> RemediationError { .unreadableReport(source: source, reason: reason) }
        var line: [UInt8] = []
        var number = 0
        var repositories: [String] = []
        var anyCommit = false
        while true {
            let more: Bool
            do {
                more = try stream.readLine(into: &line)
            } catch {
                if case .read(let failure) = error { throw fail("cannot read it (\(failure.message))") }
                throw fail("invalid JSON")
            }
            guard more else { break }
            number += 1
            guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(line), options: [])
            } catch {
                throw fail("line \(number) is not valid JSON")
            }
            guard var fields = object as? [String: Any] else { throw fail("line \(number) is not a JSON object") }
            guard fields["rule"] != nil else {
                if fields.count == 1, let kind = fields.keys.first, sweepRecordKinds.contains(kind) { continue }
                throw fail("line \(number) is neither a finding (no \"rule\") nor a sweep record")
            }
            if let repository = fields["repository"] as? String {
                if repositories.count < 2, !repositories.contains(repository) { repositories.append(repository) }
                // An Azure DevOps organisation the sweep's source named is the token's
                // organisation unless the text around the token named one (as `sweep` writes it).
                if fields["source"] as? String == "azure-devops", let org = fields["org"] as? String {
                    var context = fields["context"] as? [String: Any] ?? [:]
                    if context["org"] == nil {
                        context["org"] = org
                        fields["context"] = context
                    }
                }
            }
            let entry = try entry(fields, label: "line \(number)", fail: fail)
            if entry.finding.commit != nil { anyCommit = true }
            each(entry)
        }
        guard number > 0 else { throw fail("it is empty") }
        let target: ScanTarget
        if !repositories.isEmpty {
            target = ScanTarget(kind: "sweep", root: repositories.count == 1 ? repositories[0] : "", revs: nil)
        } else {
            target = ScanTarget(kind: anyCommit ? "git" : "directory", root: FileManager.default.currentDirectoryPath, revs: nil)
        }
        return LeakReport(target: target, entries: [])
    }

    /// One element of `findings` (or one line) as an entry; `label` names it in errors.
    private static func entry(_ item: Any, label: String, fail: (String) -> RemediationError) throws(RemediationError) -> Entry {
        guard let fields = item as? [String: Any] else { throw fail("\(label) is not an object") }
        func string(_ key: String) throws(RemediationError) -> String {
            guard let value = fields[key] as? String else { throw fail("\(label) has no string \"\(key)\"") }
            return value
        }
        func int(_ key: String) throws(RemediationError) -> Int {
            guard let value = fields[key] as? Int else { throw fail("\(label) has no number \"\(key)\"") }
            return value
        }
        let confidenceText = try string("confidence")
        guard let confidence = Confidence(rawValue: confidenceText) else {
            throw fail("\(label) has an unknown confidence '\(confidenceText)'")
        }
        // A commit message, tag message or note has no path ("path": null) but a "location".
        func origin(_ object: [String: Any]) throws(RemediationError) -> FindingOrigin {
            guard let text = object["location"] as? String else { return .file }
            guard let origin = FindingOrigin(rawValue: text) else { throw fail("\(label) has an unknown location '\(text)'") }
            return origin
        }
        let findingOrigin = try origin(fields)
        let tag = fields["tag"] as? String
        let commit = fields["commit"] as? String
        let notesRef = (fields["context"] as? [String: Any])?[GitMetadata.notesRefKey] as? String
        func path(_ object: [String: Any], origin: FindingOrigin, commit: String?) -> String? {
            if origin == .file { return object["path"] as? String }
            return commit.map { origin.label(object: $0, tag: tag, notesRef: notesRef) }
        }
        var locations: [Location] = []
        for location in fields["locations"] as? [[String: Any]] ?? [] {
            let locationOrigin = try origin(location)
            guard let path = path(location, origin: locationOrigin, commit: location["commit"] as? String), let line = location["line"] as? Int, let column = location["column"] as? Int else {
                throw fail("\(label) has a location without path (or location and commit), line and column")
            }
            locations.append(Location(path: path, line: line, column: column, commit: location["commit"] as? String, authorDate: location["author_date"] as? String, origin: locationOrigin))
        }
        guard let path = path(fields, origin: findingOrigin, commit: commit) else {
            throw fail(findingOrigin == .file ? "\(label) has no string \"path\"" : "\(label) in a \(findingOrigin.rawValue) has no \"commit\"")
        }
        let line = try int("line"), column = try int("column")
        if locations.isEmpty { locations = [Location(path: path, line: line, column: column, commit: commit, authorDate: fields["author_date"] as? String, origin: findingOrigin)] }
        let context = (fields["context"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        let rule = try string("rule")
        let snippet = fields["snippet"] as? String ?? ""
        let finding = Finding(
            rule: rule,
            ruleName: fields["rule_name"] as? String ?? rule,
            provider: try string("provider"),
            confidence: confidence,
            secret: try string("secret"),
            fingerprint: Fingerprint(try string("fingerprint")),
            path: path,
            line: line,
            column: column,
            endLine: fields["end_line"] as? Int ?? line,
            endColumn: fields["end_column"] as? Int ?? column,
            snippet: Snippet(bytes: Array(snippet.utf8), secretSpans: []),
            decoded: fields["decoded"] as? String ?? "none",
            validated: fields["validated"] as? Bool,
            verified: fields["verified"] as? Bool,
            context: FindingContext(context),
            commit: commit,
            author: fields["author"] as? String,
            authorDate: fields["author_date"] as? String,
            commitDate: fields["commit_date"] as? String,
            locations: locations,
            origin: findingOrigin,
            tag: tag,
            access: AccessJSON.read(fields["access"])
        )
        return Entry(finding: finding, isRedacted: fields["redacted"] as? Bool ?? true)
    }

    /// The report's `version` must be the one this patrol writes. `required`: a missing one is
    /// an error (at the end; the `findings` array may come before it).
    private static func checkVersion(_ root: [String: Any], required: Bool, fail: (String) -> RemediationError) throws(RemediationError) {
        guard let value = root["version"] else {
            if required { throw fail("no \"version\"") }
            return
        }
        guard let version = value as? Int else { throw fail("no \"version\"") }
        guard version == JSONReport.version else { throw fail("version \(version); this patrol reads version \(JSONReport.version)") }
    }
}
