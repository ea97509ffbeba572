import CArchive

/// Something inside an archive that could not be read: a corrupt, truncated or encrypted entry,
/// or the point where a limit stopped the reading.
struct ArchiveProblem: Sendable, Equatable {
    /// The entry's path inside the input (`inner/dir/file.env`, `b.tar.gz!c/d.env`), or empty
    /// when the problem is the input itself.
    let innerPath: String
    let message: String
}

/// Looking inside archives: each regular entry is streamed through the same chunked scan as a
/// file, so an entry of any size costs one chunk of memory; an entry that is itself an archive
/// is opened in turn, streaming from its parent, down to `archiveLimits.depth` levels.
extension InputScanner {
    func scanArchive(memory: UnsafeRawBufferPointer, enabled: [Bool]?) -> InputOutcome {
        let handle = ArchiveHandle()
        defer { handle.close() }
        return scanOpened(handle, status: handle.open(memory: memory), size: memory.count, enabled: enabled)
    }

    func scanArchive(file source: FileArchiveSource, size: Int, enabled: [Bool]?) -> InputOutcome {
        let handle = ArchiveHandle()
        defer { handle.close() }
        return withExtendedLifetime(source) {
            scanOpened(handle, status: handle.open(file: source), size: size, enabled: enabled)
        }
    }

    private func scanOpened(_ handle: ArchiveHandle, status: Int32, size: Int, enabled: [Bool]?) -> InputOutcome {
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
            archiveProblems.append(ArchiveProblem(innerPath: "", message: "cannot open as an archive: \(handle.message("unknown format")); not scanned"))
            return .scanned(bytes: 0, occurrences: [])
        }
        let budget = ArchiveBudget(limits: archiveLimits, outermost: handle.pointer)
        var occurrences: [Occurrence] = []
        var bytes = 0
        walk(handle, prefix: "", rawName: ArchivePath.streamContent, level: 1, budget: budget, enabled: enabled, occurrences: &occurrences, bytes: &bytes)
        if let reason = budget.stopReason {
            archiveProblems.append(ArchiveProblem(innerPath: "", message: reason))
        }
        return .scanned(bytes: bytes, occurrences: occurrences)
    }

    private func walk(_ handle: ArchiveHandle, prefix: String, rawName: String, level: Int, budget: ArchiveBudget, enabled: [Bool]?, occurrences: inout [Occurrence], bytes: inout Int) {
        let archive = handle.pointer
        var entry: OpaquePointer?
        while budget.stopReason == nil {
            let status = archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { return }
            if status == ARCHIVE_RETRY { continue }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                let place = prefix.isEmpty ? "" : String(prefix.dropLast())
                archiveProblems.append(ArchiveProblem(innerPath: place, message: "corrupt or truncated archive: \(handle.message("unreadable header")); the rest of it was not scanned"))
                return
            }
            budget.entries += 1
            if budget.entries > budget.limits.maxEntries {
                budget.stopReason = "more than \(budget.limits.maxEntries) entries, a likely archive bomb; the rest was not scanned"
                return
            }
            guard archive_entry_filetype(entry) == carchive_regular_file_type() else { continue }
            let entryName: String
            if handle.isRawStream {
                entryName = rawName
            } else if let text = archive_entry_pathname_utf8(entry) ?? archive_entry_pathname(entry) {
                entryName = Self.entryDisplay(String(cString: text))
            } else {
                entryName = "(unnamed entry)"
            }
            let entryPath = prefix + entryName
            if archive_entry_is_encrypted(entry) != 0 {
                archiveProblems.append(ArchiveProblem(innerPath: entryPath, message: "encrypted entry: not scanned"))
                continue
            }
            var stream = ArchiveEntryStream(archive: archive, budget: budget, charged: true)
            let count: Int
            do {
                count = try stream.fill(buffer)
            } catch {
                archiveProblems.append(ArchiveProblem(innerPath: entryPath, message: "cannot read the entry: \(error.message); not scanned"))
                continue
            }
            let head = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            if ArchiveMagic.matches(head) {
                guard level < budget.limits.depth else { continue }
                // A nested archive's own bytes are compressed: only what it holds is charged.
                let source = NestedArchiveSource(parent: ArchiveEntryStream(archive: archive, budget: budget, charged: false), head: head)
                let nested = ArchiveHandle()
                let status = nested.open(nested: source)
                if status == ARCHIVE_OK || status == ARCHIVE_WARN {
                    walk(nested, prefix: entryPath + "!", rawName: ArchiveMagic.innerName(ofCompressed: entryName), level: level + 1, budget: budget, enabled: enabled, occurrences: &occurrences, bytes: &bytes)
                } else {
                    archiveProblems.append(ArchiveProblem(innerPath: entryPath, message: "cannot open as an archive: \(nested.message("unknown format")); not scanned"))
                }
                if let failure = source.failure {
                    archiveProblems.append(ArchiveProblem(innerPath: entryPath, message: "cannot read the entry: \(failure)"))
                }
                nested.close()
                continue
            }
            // Binary entries (class files, images) are passed over and listed. In a compressed
            // stream (tar.gz, .gz) passing over one means inflating it anyway, so it is read
            // through the limits: a bomb of zeros stops there too.
            if case .binary = InputEncoding.sniff(head) {
                archiveBinaryEntries.append(entryPath)
                if archive_filter_count(archive) > 1 {
                    do {
                        while try stream.fill(buffer) > 0 {}
                    } catch {
                        archiveProblems.append(ArchiveProblem(innerPath: entryPath, message: "cannot read the entry: \(error.message)"))
                    }
                }
                continue
            }
            var reader = ChunkReader.archive(stream)
            let outcome = scanChunks(reader: &reader, initialCount: count, enabled: entryRules.map { $0(entryPath) } ?? enabled)
            switch outcome {
            case .scanned(let scanned, let found):
                bytes += scanned
                for var occurrence in found {
                    occurrence.archivePath = entryPath
                    occurrences.append(occurrence)
                }
            case .failed(let message):
                archiveProblems.append(ArchiveProblem(innerPath: entryPath, message: "cannot read the entry: \(message); not scanned whole"))
            case .skipped:
                break
            }
        }
    }

    /// An entry's name as reported: without a leading `./` or `/`, so `tar -C dir .` archives
    /// read `a.tar!etc/app.env`. An OCI layer blob (`blobs/sha256/<digest>`) reads
    /// `sha256:<digest>`, the layer's name in image manifests.
    static func entryDisplay(_ name: String) -> String {
        var text = Substring(name)
        while text.hasPrefix("./") { text = text.dropFirst(2) }
        while text.hasPrefix("/") { text = text.dropFirst() }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count >= 3, parts[parts.count - 3] == "blobs", parts[parts.count - 2] == "sha256",
           parts[parts.count - 1].utf8.count == 64, parts[parts.count - 1].allSatisfy(\.isHexDigit) {
            return (parts.dropLast(3) + ["sha256:" + parts[parts.count - 1]]).joined(separator: "/")
        }
        return String(text)
    }
}

/// Paths of findings and problems inside archives: the input's path, `!`, and the path inside.
enum ArchivePath {
    static let separator = "!"
    /// Stands, at the start of an inner path, for the content of a bare compressed stream: the
    /// input's name less its suffix (`app.log.gz!app.log`), filled in by `join` from the path
    /// the input is at, since one git blob can sit at several paths.
    static let streamContent = "\u{0}"

    /// `outer` with `inner` appended, or `outer` alone when `inner` is empty or nil.
    static func join(_ outer: String, _ inner: String?) -> String {
        guard let inner, !inner.isEmpty else { return outer }
        if inner.hasPrefix(streamContent) {
            return outer + separator + ArchiveMagic.innerName(ofCompressed: outer) + inner.dropFirst(streamContent.count)
        }
        return outer + separator + inner
    }

    /// Occurrences split by the path they are at: the input's own first, then each archive
    /// entry's, in the order met.
    static func grouped(_ occurrences: [Occurrence]) -> [(inner: String?, occurrences: [Occurrence])] {
        if occurrences.allSatisfy({ $0.archivePath == nil }) { return [(nil, occurrences)] }
        var order: [String?] = []
        var groups: [String: [Occurrence]] = [:]
        for occurrence in occurrences {
            let key = occurrence.archivePath ?? ""
            if groups[key] == nil { order.append(occurrence.archivePath) }
            groups[key, default: []].append(occurrence)
        }
        return order.map { ($0, groups[$0 ?? ""]!) }
    }

    /// The archive (the input as it sits in the tree or history) of a finding path such as
    /// `dist/config.zip!app/.env`, or nil when the path is not inside an archive.
    static func outermost(of path: String) -> String? {
        guard let index = path.firstIndex(of: "!") else { return nil }
        return String(path[..<index])
    }
}
