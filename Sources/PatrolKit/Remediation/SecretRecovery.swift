import Foundation

/// Finds the real secret behind a redacted finding, so it can go into a replacements file.
///
/// A report redacts secrets by default, but it keeps where each one was and its fingerprint
/// (SHA-256 over rule id, NUL and secret). So the places are read again — the files under
/// `target.root` for `scan` reports, `git cat-file` of `commit:path` for `history` and `diff`
/// reports — and a candidate counts only when its fingerprint matches: first the bytes at the
/// reported line and column (the redacted form tells the length), then every match of the
/// rule in the whole file (the file may have moved on since the scan).
struct SecretRecovery {
    let ruleSet: RuleSet
    let target: ScanTarget
    let facts: RepositoryFacts?

    /// A secret found again, and its literal forms in the sources (the encoded text, when the
    /// finding was decoded from base64 or the like).
    struct Recovered: Equatable {
        var secret: String
        var literals: [String]
    }

    /// What recovery reads of a report: a secret given in clear (not decoded), or a finding
    /// (redacted, or decoded from an encoding whose literal must be read) without its snippet.
    enum Input: Sendable {
        case clear(fingerprint: String, secret: String)
        indirect case finding(LeakReport.Entry)

        /// The finding with only what recovery reads: no snippet, no access map, of its
        /// context only the notes ref.
        static func slim(_ entry: LeakReport.Entry) -> LeakReport.Entry {
            var slim = entry
            slim.finding.snippet = Snippet(bytes: [], secretSpans: [])
            slim.finding.access = nil
            slim.finding.context = entry.finding.context[GitMetadata.notesRefKey].map { [GitMetadata.notesRefKey: $0] } ?? [:]
            return slim
        }
    }

    /// Secrets by fingerprint, and for those not found, why (by fingerprint).
    func recover(_ entries: [LeakReport.Entry]) -> (found: [String: Recovered], failures: [String: String]) {
        recover(entries.map { .finding($0) })
    }

    /// Secrets by fingerprint, and for those not found, why (by fingerprint).
    func recover(_ inputs: [Input]) -> (found: [String: Recovered], failures: [String: String]) {
        let sources = contents(for: inputs)
        let scanner = InputScanner(ruleSet: ruleSet)
        var found: [String: Recovered] = [:]
        var failures: [String: String] = [:]
        for input in inputs {
            let entry: LeakReport.Entry
            switch input {
            case .clear(let fingerprint, let secret):
                found[fingerprint] = (found[fingerprint] ?? Recovered(secret: secret, literals: [secret])).deduplicated
                failures[fingerprint] = nil
                continue
            case .finding(let item):
                entry = item
            }
            let finding = entry.finding
            let fingerprint = finding.fingerprint
            if !entry.isRedacted {
                var recovered = found[fingerprint] ?? Recovered(secret: finding.secret, literals: [finding.secret])
                if finding.decoded != "none", let raw = rawLiteral(of: finding, in: sources) { recovered.literals.append(raw) }
                found[fingerprint] = recovered.deduplicated
                failures[fingerprint] = nil
                continue
            }
            if found[fingerprint] != nil { continue }
            switch recoverRedacted(finding, sources: sources, scanner: scanner) {
            case .success(let recovered):
                found[fingerprint] = recovered.deduplicated
                failures[fingerprint] = nil
            case .failure(let reason):
                failures[fingerprint] = failures[fingerprint] ?? reason.message
            }
        }
        return (found, failures)
    }

    private struct Reason: Error { let message: String }

    private func recoverRedacted(_ finding: Finding, sources: [String: [UInt8]], scanner: InputScanner) -> Result<Recovered, Reason> {
        if target.kind == "stdin" || finding.path == "<stdin>" {
            return .failure(Reason(message: "the report was made from standard input, which cannot be read again"))
        }
        let length = Self.redactedLength(finding.secret)
        var unreadable: [String] = []
        for location in finding.locations {
            let names = sourceNames(path: location.path, commit: location.commit, origin: location.origin, notesRef: finding.context[GitMetadata.notesRefKey])
            guard let name = names.first(where: { sources[$0] != nil }), let bytes = sources[name] else {
                unreadable.append(describe(path: location.path, commit: location.commit))
                continue
            }
            let archive = ArchivePath.outermost(of: location.path)
            // The bytes at the reported place, when the secret is stored as it is.
            if archive == nil, finding.decoded == "none", let length, let start = ByteSearch.offset(line: location.line, column: location.column, in: bytes), start + length <= bytes.count {
                let candidate = String(decoding: bytes[start..<start + length], as: UTF8.self)
                if Finding.fingerprint(rule: finding.rule, secret: candidate) == finding.fingerprint {
                    return .success(Recovered(secret: candidate, literals: [candidate]))
                }
            }
            // Every match of the rule in the whole text.
            guard let ruleIndex = ruleSet.index(ofRule: finding.rule) else { continue }
            guard case .scanned(_, let occurrences) = scanner.scan(bytes: bytes) else { continue }
            for occurrence in occurrences where occurrence.rule == ruleIndex {
                guard Finding.fingerprint(rule: finding.rule, secret: occurrence.secret) == finding.fingerprint else { continue }
                if let archive {
                    // Inside an archive: the secret as found there (its compressed bytes hold no literal).
                    if ArchivePath.join(archive, occurrence.archivePath) == location.path {
                        return .success(Recovered(secret: occurrence.secret, literals: [occurrence.secret]))
                    }
                    continue
                }
                var literals = [occurrence.secret]
                if let start = ByteSearch.offset(line: occurrence.line, column: occurrence.column, in: bytes),
                   let end = ByteSearch.offset(line: occurrence.endLine, column: occurrence.endColumn, in: bytes), end >= start, end < bytes.count {
                    literals.append(String(decoding: bytes[start...end], as: UTF8.self))
                }
                return .success(Recovered(secret: occurrence.secret, literals: literals))
            }
        }
        var reasons: [String] = []
        if !unreadable.isEmpty { reasons.append("cannot read " + unreadable.joined(separator: ", ")) }
        if unreadable.count < finding.locations.count {
            reasons.append("no text with its fingerprint \(finding.fingerprint) is left where the report places it")
        }
        if ruleSet.index(ofRule: finding.rule) == nil {
            reasons.append("rule '\(finding.rule)' is not loaded (pass the folder of its rule file with --rules)")
        }
        return .failure(Reason(message: reasons.joined(separator: "; ")))
    }

    /// The encoded text at the finding's span (for a decoded finding), from its first readable source.
    private func rawLiteral(of finding: Finding, in sources: [String: [UInt8]]) -> String? {
        for name in sourceNames(path: finding.path, commit: finding.commit, origin: finding.origin, notesRef: finding.context[GitMetadata.notesRefKey]) {
            guard let bytes = sources[name],
                  let start = ByteSearch.offset(line: finding.line, column: finding.column, in: bytes),
                  let end = ByteSearch.offset(line: finding.endLine, column: finding.endColumn, in: bytes),
                  end >= start, end < bytes.count else { continue }
            return String(decoding: bytes[start...end], as: UTF8.self)
        }
        return nil
    }

    /// Where a location's text can be read, most faithful first: `commit:path` in the
    /// repository; a file under the root; for a diff of uncommitted changes also the index.
    /// A commit or tag message is read from the commit or tag object itself (its headers
    /// before it hold no secret of the finding's rule, and the whole text is searched), a note
    /// from the notes ref the finding names (`refs/notes/commits` when it names none), under
    /// each fan-out git uses (`ab…`, `ab/…`, `ab/cd/…`).
    func sourceNames(path: String, commit: String?, origin: FindingOrigin = .file, notesRef: String? = nil) -> [String] {
        switch origin {
        case .commitMessage, .tagMessage:
            return commit.map { ["git:" + $0] } ?? []
        case .note:
            guard let commit else { return [] }
            let ref = "git:" + (notesRef ?? "refs/notes/commits") + ":"
            let first = String(commit.prefix(2)), second = String(commit.dropFirst(2).prefix(2))
            let rest = String(commit.dropFirst(2)), last = String(commit.dropFirst(4))
            return [ref + commit, ref + first + "/" + rest, ref + first + "/" + second + "/" + last]
        case .file:
            break
        }
        // A path inside an archive is read from the archive, which the scan then opens.
        let path = ArchivePath.outermost(of: path) ?? path
        // Only history and diff reports carry commits; their paths are from the top of the repository.
        if let commit { return ["git:" + commit + ":" + path] }
        var names = ["file:" + absolutePath(path)]
        if target.kind == "diff", facts != nil { names.append("git::" + path) }
        return names
    }

    func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : PathText.appending(path, to: target.root)
    }

    private func describe(path: String, commit: String?) -> String {
        commit.map { "\(path) at commit \($0.prefix(12))" } ?? path
    }

    /// Reads every source the entries' locations name: files directly, git objects in one batch.
    private func contents(for inputs: [Input]) -> [String: [UInt8]] {
        var names = Set<String>()
        for case .finding(let entry) in inputs {
            let notesRef = entry.finding.context[GitMetadata.notesRefKey]
            for location in entry.finding.locations { names.formUnion(sourceNames(path: location.path, commit: location.commit, origin: location.origin, notesRef: notesRef)) }
            names.formUnion(sourceNames(path: entry.finding.path, commit: entry.finding.commit, origin: entry.finding.origin, notesRef: notesRef))
        }
        var result: [String: [UInt8]] = [:]
        var objectNames: [String] = []
        for name in names {
            if name.hasPrefix("file:") {
                if let data = FileManager.default.contents(atPath: String(name.dropFirst(5))) { result[name] = Array(data) }
            } else {
                objectNames.append(String(name.dropFirst(4)))
            }
        }
        if let facts {
            for (object, bytes) in facts.objects(objectNames) { result["git:" + object] = bytes }
        }
        return result
    }

    /// The length in bytes that a redacted secret (`NkE6…(84)`) states.
    static func redactedLength(_ redacted: String) -> Int? {
        guard redacted.hasSuffix(")"), let open = redacted.lastIndex(of: "(") else { return nil }
        return Int(redacted[redacted.index(after: open)..<redacted.index(before: redacted.endIndex)])
    }
}

extension SecretRecovery.Recovered {
    var deduplicated: Self {
        var seen = Set<String>()
        return Self(secret: secret, literals: literals.filter { !$0.isEmpty && seen.insert($0).inserted })
    }
}

