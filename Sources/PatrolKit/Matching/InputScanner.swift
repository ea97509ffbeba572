#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPCRE2

/// One match placed in its input: line, column, the line's text and nearby context.
struct Occurrence: Sendable, Equatable {
    let rule: Int
    let secret: String
    let line: Int
    let column: Int
    let endLine: Int
    let endColumn: Int
    let snippet: Snippet
    let context: FindingContext
    let validated: Bool?
    /// `none`, or the outermost decoding the secret was found under.
    var decoding = "none"
    /// Inside an archive: the entry's path within it, nested archives joined by `!`
    /// (`b.tar.gz!c/d.env`); the finding's path is the input's, `!`, and this.
    var archivePath: String? = nil
}

/// What became of one input.
enum InputOutcome: Sendable {
    case scanned(bytes: Int, occurrences: [Occurrence])
    case skipped(SkipReason)
    case failed(String)
}

/// Why an input was not scanned, on purpose.
public enum SkipReason: String, Sendable, Codable, CaseIterable {
    case binary
    case tooLarge = "too-large"
    case symlink
    case ignoredByConfig = "ignored-by-config"
    case notRegularFile = "not-a-regular-file"
}

/// Reads an input in bounded chunks and runs the rules over each: the engine's unit of work.
///
/// A file of any size is scanned with one fixed buffer. Consecutive chunks overlap by `overlap`
/// bytes, and a match is reported by the chunk in whose accepted range it starts, so a token
/// across a chunk boundary is found once; `margin` bytes before each chunk keep lookbehinds and
/// line positions right. Lines are counted by a cursor that only moves forward, so even a
/// 50 MB single-line file with many matches costs linear time.
///
/// One per scanning thread; not Sendable.
final class InputScanner {
    let matcher: BufferMatcher
    let buffer: UnsafeMutableRawBufferPointer
    private let chunkCapacity: Int
    private var matches: [RawMatch] = []
    /// How archives and compressed inputs are opened; `ArchiveLimits.off` reads them as binary.
    var archiveLimits = ArchiveLimits()
    /// What could not be read inside the archives of the input last scanned (corrupt, encrypted,
    /// over a limit): the scan of the rest goes on, and callers report these as errors.
    var archiveProblems: [ArchiveProblem] = []
    /// Entries of the input last scanned that were passed over as binary (class files, images),
    /// by their path inside it: callers list them under `skipped`, as they do binary files.
    var archiveBinaryEntries: [String] = []
    /// For the input about to be scanned: the rules that apply to an entry inside it (its path
    /// inside, nested archives joined by `!`), when rules have `paths`; nil runs every rule the
    /// input itself runs.
    var entryRules: ((String) -> [Bool]?)?

    static let defaultChunkCapacity = 8 << 20
    /// The longest token that is still found across a chunk boundary.
    static let overlap = 64 << 10
    static let margin = 4 << 10
    /// How far around a secret its line is searched for an inline allow marker and shown.
    static let lineReach = 16 << 10
    static let snippetReach = 160
    static let contextReach = 2048

    static let inlineAllowMarkers: [[UInt8]] = [
        "patrol:allow", "gitleaks:allow", "pragma: allowlist secret", "trufflehog:ignore", "kingfisher:ignore",
    ].map { Array($0.utf8) }

    /// This scanner's overlap and margin: the defaults, or smaller ones that tests choose so
    /// that chunk edges can be tried at every offset without writing huge inputs.
    let overlap: Int
    let margin: Int

    init(ruleSet: RuleSet, chunkCapacity: Int = InputScanner.defaultChunkCapacity, overlap: Int = InputScanner.overlap, margin: Int = InputScanner.margin) {
        matcher = BufferMatcher(ruleSet: ruleSet)
        self.overlap = max(1, overlap)
        self.margin = max(1, margin)
        self.chunkCapacity = max(chunkCapacity, self.overlap * 2 + self.margin)
        buffer = .allocate(byteCount: self.chunkCapacity, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Opens and scans a file. Only regular files are read: opening a FIFO or a device could
    /// block or never end.
    func scanFile(atPath path: String, maxFileSize: Int, enabled: [Bool]?) -> InputOutcome {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return .failed(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        return scanFile(descriptor: descriptor, maxFileSize: maxFileSize, enabled: enabled)
    }

    /// Scans a file the caller opened (and closes): paths too long or not UTF-8 are opened by
    /// `LongPath`.
    func scanFile(descriptor: Int32, maxFileSize: Int, enabled: [Bool]?) -> InputOutcome {
        beginInput()
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failed(String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .skipped(.notRegularFile) }
        if Int(info.st_size) > maxFileSize { return .skipped(.tooLarge) }
        #if canImport(Glibc)
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        return scan(DescriptorStream(descriptor: descriptor), enabled: enabled, rewind: DescriptorStream.rewinder(descriptor, to: 0), archive: (descriptor, Int(info.st_size)))
    }

    /// Scans everything readable from `descriptor` (standard input), with no size limit: the
    /// memory used is bounded anyway. Input that looks like UTF-16 is read twice (raw and
    /// transcoded), and an archive is opened as a file is: from where it started when it can be
    /// rewound, else from a copy in an unlinked temporary file.
    func scanStream(descriptor: Int32, enabled: [Bool]?) -> InputOutcome {
        beginInput()
        let start = lseek(descriptor, 0, SEEK_CUR)
        if start >= 0 {
            // A redirected file read from its start is opened as an archive like a named one.
            var info = stat()
            let whole = start == 0 && fstat(descriptor, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
            return scan(DescriptorStream(descriptor: descriptor), enabled: enabled, rewind: DescriptorStream.rewinder(descriptor, to: start),
                        archive: whole ? (descriptor, Int(info.st_size)) : nil)
        }
        var stream = DescriptorStream(descriptor: descriptor)
        let count: Int
        do {
            count = try stream.fill(buffer)
        } catch {
            return .failed(error.message)
        }
        let head = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        var rereads = archiveLimits.depth > 0 && ArchiveMagic.matches(head)
        if case .utf16 = InputEncoding.sniff(head) { rereads = true }
        guard rereads else {
            stream.pending = Array(head)
            return scan(stream, enabled: enabled, rewind: nil)
        }
        // UTF-16 is read twice and libarchive seeks in a zip: both read a copy in an unlinked
        // temporary file, scanned as a file is.
        let spool: Int32
        do {
            spool = try DescriptorStream.spool(head: head, rest: descriptor)
        } catch {
            return .failed(error.message)
        }
        defer { close(spool) }
        var info = stat()
        let size = fstat(spool, &info) == 0 ? Int(info.st_size) : 0
        return scan(DescriptorStream(descriptor: spool), enabled: enabled, rewind: DescriptorStream.rewinder(spool, to: 0), archive: (spool, size))
    }

    /// Scans bytes already in memory (git blobs, added lines of a diff, rule examples) in place:
    /// one pass, no copy. Input that looks like UTF-16 is scanned raw as well as transcoded
    /// through the chunked path.
    func scan(memory: UnsafeRawBufferPointer, enabled: [Bool]? = nil) -> InputOutcome {
        beginInput()
        if archiveLimits.depth > 0, ArchiveMagic.matches(memory) {
            return scanArchive(memory: memory, enabled: enabled)
        }
        switch InputEncoding.sniff(memory) {
        case .binary:
            return .skipped(.binary)
        case .utf16:
            let raw = scanInPlace(memory, enabled: enabled)
            let transcoded = scan(DescriptorStream(descriptor: -1, pending: Array(memory)), enabled: enabled, rewind: nil)
            return Self.merge(raw: raw, transcoded: transcoded)
        case .bytes:
            return scanInPlace(memory, enabled: enabled)
        }
    }

    /// Scans the added lines of a diff as the bytes they are: git has judged the file text, so a
    /// NUL, bytes that are not UTF-8 or an `FF FE` at the start are content, not a sign of a
    /// binary or UTF-16 file (sniffing them lost the tokens on those lines). Text that does look
    /// like UTF-16 (`git diff --text` of such a file) is scanned transcoded as well.
    func scanAddedLines(_ bytes: [UInt8]) -> InputOutcome {
        beginInput()
        var occurrences: [Occurrence] = bytes.withUnsafeBytes { memory in
            matches.removeAll(keepingCapacity: true)
            matcher.matches(in: memory, accept: 0..<memory.count, enabled: nil, into: &matches)
            var found: [Occurrence] = []
            if !matches.isEmpty {
                var cursor = LineCursor()
                locate(in: memory, bufferStart: 0, cursor: &cursor, into: &found)
            }
            return found
        }
        if case .utf16 = bytes.withUnsafeBytes({ InputEncoding.sniff($0) }), case .scanned(_, let transcoded) = scan(bytes: bytes) {
            occurrences += transcoded.filter { candidate in !occurrences.contains { $0.rule == candidate.rule && $0.secret == candidate.secret } }
        }
        return .scanned(bytes: bytes.count, occurrences: occurrences)
    }

    func scan(bytes: [UInt8], enabled: [Bool]? = nil) -> InputOutcome {
        bytes.withUnsafeBytes { scan(memory: $0, enabled: enabled) }
    }

    /// Bytes in memory read through the chunked path, as a file or standard input is: lets
    /// tests put tokens at chunk edges without files.
    func scanChunked(_ bytes: [UInt8], enabled: [Bool]? = nil) -> InputOutcome {
        beginInput()
        return scan(DescriptorStream(descriptor: -1, pending: bytes), enabled: enabled, rewind: { DescriptorStream(descriptor: -1, pending: bytes) })
    }

    private func scanInPlace(_ memory: UnsafeRawBufferPointer, enabled: [Bool]?) -> InputOutcome {
        matches.removeAll(keepingCapacity: true)
        matcher.matches(in: memory, accept: 0..<memory.count, enabled: enabled, into: &matches)
        var occurrences: [Occurrence] = []
        if !matches.isEmpty {
            var cursor = LineCursor()
            locate(in: memory, bufferStart: 0, cursor: &cursor, into: &occurrences)
        }
        return .scanned(bytes: memory.count, occurrences: occurrences)
    }

    /// Sniffs the encoding from the first chunk and scans the stream in chunks. A UTF-16 guess
    /// (a byte order mark, or NULs in every other byte) can be wrong — ASCII that happens to
    /// start with `FF FE`, Latin-1 starting with `ÿþ`, a log whose head is UTF-16 and whose
    /// tail is UTF-8 — so such input is scanned transcoded and, from `rewind`, raw as well: a
    /// wrong guess never hides a token. A secret both views find is reported once, where the
    /// raw bytes hold it.
    private func scan(_ stream: DescriptorStream, enabled: [Bool]?, rewind: (() -> DescriptorStream?)?, archive: (descriptor: Int32, size: Int)? = nil) -> InputOutcome {
        var source = stream
        let count: Int
        do {
            count = try source.fill(buffer)
        } catch {
            return .failed(error.message)
        }
        if let archive, archiveLimits.depth > 0, ArchiveMagic.matches(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
            return scanArchive(file: FileArchiveSource(descriptor: archive.descriptor, size: archive.size), size: archive.size, enabled: enabled)
        }
        switch InputEncoding.sniff(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
        case .binary:
            return .skipped(.binary)
        case .bytes:
            var reader = ChunkReader.plain(source)
            return scanChunks(reader: &reader, initialCount: count, enabled: enabled)
        case .utf16(let bigEndian):
            source.pending = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) + source.pending
            var reader = ChunkReader.utf16(UTF16Stream(source: source, bigEndian: bigEndian))
            let transcoded: InputOutcome
            do {
                let first = try reader.fill(buffer)
                transcoded = scanChunks(reader: &reader, initialCount: first, enabled: enabled)
            } catch {
                return .failed(error.message)
            }
            guard let rewind else { return transcoded }
            guard let rawSource = rewind() else { return .failed("cannot read the input again to scan its raw bytes: \(String(cString: strerror(errno)))") }
            var rawReader = ChunkReader.plain(rawSource)
            let raw: InputOutcome
            do {
                let first = try rawReader.fill(buffer)
                raw = scanChunks(reader: &rawReader, initialCount: first, enabled: enabled)
            } catch {
                return .failed(error.message)
            }
            return Self.merge(raw: raw, transcoded: transcoded)
        }
    }

    /// The raw view's occurrences, plus the transcoded view's that the raw view does not hold
    /// (same rule and secret). The byte count is the raw input's.
    static func merge(raw: InputOutcome, transcoded: InputOutcome) -> InputOutcome {
        guard case .scanned(let bytes, let rawOccurrences) = raw else { return raw }
        guard case .scanned(_, let transcodedOccurrences) = transcoded else { return transcoded }
        var seen = Set<String>()
        for occurrence in rawOccurrences { seen.insert("\(occurrence.rule)\u{0}\(occurrence.secret)") }
        let extra = transcodedOccurrences.filter { !seen.contains("\($0.rule)\u{0}\($0.secret)") }
        return .scanned(bytes: bytes, occurrences: rawOccurrences + extra)
    }

    private func beginInput() {
        matcher.beginInput()
        archiveProblems.removeAll()
        archiveBinaryEntries.removeAll()
    }

    func scanChunks(reader: inout ChunkReader, initialCount: Int, enabled: [Bool]?) -> InputOutcome {
        var count = initialCount
        var occurrences: [Occurrence] = []
        var cursor = LineCursor()
        var bufferStart = 0       // offset of buffer[0] in the (decoded) input
        var acceptStart = 0
        var total = 0
        var filled = initialCount
        while true {
            // The input's end, only once the reader says so (or gives nothing more): a UTF-16
            // reader fills a few bytes short of the buffer (a code point is never split) with
            // more input to come.
            let atEnd = reader.isExhausted || filled == 0
            let acceptEnd = atEnd ? count : max(acceptStart, count - overlap)
            let view = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            matches.removeAll(keepingCapacity: true)
            matcher.matches(in: view, accept: acceptStart..<acceptEnd, atStart: bufferStart == 0, atEnd: atEnd, enabled: enabled, into: &matches)
            // A match that runs to the end of the buffer may be cut short there (a token longer
            // than the overlap, from a rule with an open-ended length): the next chunk starts at
            // it and finds it whole, unless it fills the whole buffer.
            var nextAccept = acceptEnd
            if !atEnd, let cut = matches.lazy.filter({ $0.end >= count }).map(\.start).min(), cut > margin {
                matches.removeAll { $0.start >= cut }
                nextAccept = cut
            }
            if !matches.isEmpty {
                locate(in: view, bufferStart: bufferStart, cursor: &cursor, into: &occurrences)
            }
            total = bufferStart + nextAccept
            if atEnd { break }
            cursor.advance(to: bufferStart + nextAccept, in: view, bufferStart: bufferStart)
            let keepFrom = max(0, nextAccept - margin)
            let kept = count - keepFrom
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + keepFrom, byteCount: kept)
            bufferStart += keepFrom
            acceptStart = nextAccept - keepFrom
            do {
                filled = try reader.fill(UnsafeMutableRawBufferPointer(rebasing: buffer[kept...]))
                count = kept + filled
            } catch {
                return .failed(error.message)
            }
        }
        return .scanned(bytes: total, occurrences: occurrences)
    }

    /// Turns this chunk's raw matches into occurrences: positions, inline allow markers,
    /// snippets with every secret on the line marked, and context.
    private func locate(in view: UnsafeRawBufferPointer, bufferStart: Int, cursor: inout LineCursor, into occurrences: inout [Occurrence]) {
        let base = view.baseAddress!
        matcher.beginPlacing()
        // Matches are sorted by secret start: the ones that can reach into a snippet start at
        // most `longestSecret` before it, so each snippet looks at its neighbours only and many
        // matches in one chunk cost linear time.
        let longestSecret = matches.reduce(0) { max($0, $1.secretEnd - $1.secretStart) }
        // Room for every match, grown geometrically: a file with a match on every line fills
        // hundreds of thousands, and each doubling copied them all.
        if occurrences.capacity < occurrences.count + matches.count {
            occurrences.reserveCapacity(max(occurrences.count + matches.count, 2 * occurrences.capacity))
        }
        for (index, match) in matches.enumerated() {
            let start = match.secretStart, end = match.secretEnd
            cursor.advance(to: bufferStart + start, in: view, bufferStart: bufferStart)
            let line = cursor.line
            let column = bufferStart + start - cursor.lastNewline
            var endLine = line
            var lastNewlineInSecret = cursor.lastNewline - bufferStart
            var scan = start
            while scan < end - 1, let found = memchr(base + scan, 0x0A, end - 1 - scan) {
                let position = base.distance(to: UnsafeRawPointer(found))
                endLine += 1
                lastNewlineInSecret = position
                scan = position + 1
            }
            let endColumn = (end - 1) - lastNewlineInSecret

            // The line (or lines) holding the secret, within reach.
            let lineStart = max(0, cursor.lastNewline + 1 - bufferStart, start - Self.lineReach)
            let reachEnd = min(view.count, end + Self.lineReach)
            var lineEnd = reachEnd
            if end < reachEnd, let found = memchr(base + end, 0x0A, reachEnd - end) {
                lineEnd = base.distance(to: UnsafeRawPointer(found))
            }
            if Self.hasInlineAllowMarker(view, lineStart..<lineEnd) { continue }

            var snippetStart = max(lineStart, start - Self.snippetReach)
            var snippetEnd = min(lineEnd, end + Self.snippetReach)
            if snippetEnd > snippetStart, view[snippetEnd - 1] == 0x0D, snippetEnd > end { snippetEnd -= 1 }
            if snippetStart > start { snippetStart = start }
            // The secrets' spans on the snippet, relative to its start, merged where they overlap.
            var spans = SecretSpans.none
            var firstNeighbour = index
            while firstNeighbour > 0, matches[firstNeighbour - 1].secretStart >= snippetStart - longestSecret { firstNeighbour -= 1 }
            var pastNeighbours = index + 1
            while pastNeighbours < matches.count, matches[pastNeighbours].secretStart < snippetEnd { pastNeighbours += 1 }
            for neighbour in firstNeighbour..<pastNeighbours {
                let otherStart = matches[neighbour].secretStart, otherEnd = matches[neighbour].secretEnd
                guard otherStart < snippetEnd && otherEnd > snippetStart else { continue }
                spans.append((max(otherStart, snippetStart) - snippetStart)..<(min(otherEnd, snippetEnd) - snippetStart))
            }
            let snippet = Snippet(bytes: Array(UnsafeRawBufferPointer(rebasing: view[snippetStart..<snippetEnd])), spans: spans)
            let window = max(0, start - Self.contextReach)..<min(view.count, end + Self.contextReach)
            let secret = matcher.decodedSecret(of: match).map { String(decoding: $0, as: UTF8.self) }
                ?? String(decoding: UnsafeRawBufferPointer(rebasing: view[start..<end]), as: UTF8.self)
            occurrences.append(Occurrence(
                rule: match.rule,
                secret: secret,
                line: line,
                column: column,
                endLine: endLine,
                endColumn: endColumn,
                snippet: snippet,
                context: matcher.context(for: match.rule, secret: start..<end, window: window, in: view),
                validated: match.validated,
                decoding: matcher.decoding(of: match) ?? "none"
            ))
        }
    }

    /// One warning for each rule whose regex ran out of its match budget (`MatchBudget`) in the
    /// input last scanned, naming it as `display`: that rule's results there may be incomplete.
    func budgetWarnings(in display: String) -> [String] {
        matcher.limitedRules.map { rule in
            let id = matcher.ruleSet.compiled[rule].rule.id
            let hits = matcher.limitHits[rule]
            if hits >= BufferMatcher.limitHitsBeforeSkipping {
                return "rule \(id) hit its match limit \(hits) times in \(display) and was not run on the rest of it; results for it are incomplete (simplify its regex: nested quantifiers such as (a+)+ backtrack)"
            }
            return "rule \(id) hit its match limit in \(display); results for it may be incomplete (simplify its regex: nested quantifiers such as (a+)+ backtrack)"
        }
    }

    /// A byte every marker holds: a line without it (most lines) has none, found by one
    /// `memchr` instead of a `memmem` per marker.
    private static let markerByte: UInt8? = {
        let colon = UInt8(ascii: ":")
        return inlineAllowMarkers.allSatisfy { $0.contains(colon) } ? colon : nil
    }()

    static func hasInlineAllowMarker(_ view: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, let base = view.baseAddress else { return false }
        if let markerByte, memchr(base + range.lowerBound, Int32(markerByte), range.count) == nil { return false }
        for marker in inlineAllowMarkers {
            let found = marker.withUnsafeBytes { needle in
                memmem(base + range.lowerBound, range.count, needle.baseAddress, needle.count)
            }
            if found != nil { return true }
        }
        return false
    }
}

/// Counts lines up to a position, moving only forward, across chunks.
struct LineCursor {
    /// Offset in the input up to which newlines are counted.
    var position = 0
    /// 1-based line number at `position`.
    var line = 1
    /// Offset of the last newline before `position`, or -1.
    var lastNewline = -1

    mutating func advance(to target: Int, in view: UnsafeRawBufferPointer, bufferStart: Int) {
        guard target > position, let base = view.baseAddress else { return }
        var scan = position - bufferStart
        let end = target - bufferStart
        while scan < end, let found = memchr(base + scan, 0x0A, end - scan) {
            let index = base.distance(to: UnsafeRawPointer(found))
            line += 1
            lastNewline = bufferStart + index
            scan = index + 1
        }
        position = target
    }
}

/// Where the next chunk's bytes come from.
enum ChunkReader {
    case plain(DescriptorStream)
    case utf16(UTF16Stream)
    case archive(ArchiveEntryStream)

    /// Whether the input has ended: nothing more will come from `fill`.
    var isExhausted: Bool {
        switch self {
        case .plain(let stream): stream.isExhausted
        case .utf16(let stream): stream.isExhausted
        case .archive(let stream): stream.isExhausted
        }
    }

    mutating func fill(_ destination: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        switch self {
        case .plain(var stream):
            let count = try stream.fill(destination)
            self = .plain(stream)
            return count
        case .utf16(var stream):
            let count = try stream.fill(destination)
            self = .utf16(stream)
            return count
        case .archive(var stream):
            let count = try stream.fill(destination)
            self = .archive(stream)
            return count
        }
    }
}
