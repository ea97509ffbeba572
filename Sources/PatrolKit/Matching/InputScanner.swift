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
    let context: [String: String]
    let validated: Bool?
    /// `none`, or the outermost decoding the secret was found under.
    var decoding = "none"
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
    private let buffer: UnsafeMutableRawBufferPointer
    private let chunkCapacity: Int
    private var matches: [RawMatch] = []

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

    init(ruleSet: RuleSet, chunkCapacity: Int = InputScanner.defaultChunkCapacity) {
        matcher = BufferMatcher(ruleSet: ruleSet)
        self.chunkCapacity = max(chunkCapacity, Self.overlap * 2 + Self.margin)
        buffer = .allocate(byteCount: self.chunkCapacity, alignment: 64)
    }

    deinit { buffer.deallocate() }

    /// Opens and scans a file. Only regular files are read: opening a FIFO or a device could
    /// block or never end.
    func scanFile(atPath path: String, maxFileSize: Int, enabled: [Bool]?) -> InputOutcome {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return .failed(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .failed(String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .skipped(.notRegularFile) }
        if Int(info.st_size) > maxFileSize { return .skipped(.tooLarge) }
        #if canImport(Glibc)
        _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        #endif
        return scan(DescriptorStream(descriptor: descriptor), enabled: enabled, sniff: true)
    }

    /// Scans everything readable from `descriptor` (standard input), with no size limit: the
    /// memory used is bounded anyway.
    func scanStream(descriptor: Int32, enabled: [Bool]?) -> InputOutcome {
        scan(DescriptorStream(descriptor: descriptor), enabled: enabled, sniff: true)
    }

    /// Scans bytes already in memory (git blobs, added lines of a diff, rule examples) in place:
    /// one pass, no copy. UTF-16 input is transcoded through the chunked path.
    func scan(memory: UnsafeRawBufferPointer, enabled: [Bool]? = nil) -> InputOutcome {
        switch InputEncoding.sniff(memory) {
        case .binary:
            return .skipped(.binary)
        case .utf16:
            return scan(DescriptorStream(descriptor: -1, pending: Array(memory)), enabled: enabled, sniff: true)
        case .bytes:
            matcher.beginInput()
            matches.removeAll(keepingCapacity: true)
            matcher.matches(in: memory, accept: 0..<memory.count, enabled: enabled, into: &matches)
            var occurrences: [Occurrence] = []
            if !matches.isEmpty {
                var cursor = LineCursor()
                locate(in: memory, bufferStart: 0, cursor: &cursor, into: &occurrences)
            }
            return .scanned(bytes: memory.count, occurrences: occurrences)
        }
    }

    func scan(bytes: [UInt8], enabled: [Bool]? = nil) -> InputOutcome {
        bytes.withUnsafeBytes { scan(memory: $0, enabled: enabled) }
    }

    /// Scans bytes through the chunked path a file takes (tests: chunk edges on generated input).
    func scanChunked(bytes: [UInt8], enabled: [Bool]? = nil) -> InputOutcome {
        scan(DescriptorStream(descriptor: -1, pending: bytes), enabled: enabled, sniff: true)
    }

    private func scan(_ stream: DescriptorStream, enabled: [Bool]?, sniff: Bool) -> InputOutcome {
        var reader = ChunkReader.plain(stream)
        let count: Int
        do {
            count = try reader.fill(buffer)
        } catch {
            return .failed(error.message)
        }
        return scanChunks(reader: &reader, initialCount: count, enabled: enabled, sniff: sniff)
    }

    private func scanChunks(reader: inout ChunkReader, initialCount: Int, enabled: [Bool]?, sniff: Bool) -> InputOutcome {
        var count = initialCount
        if sniff {
            switch InputEncoding.sniff(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
            case .binary:
                return .skipped(.binary)
            case .utf16(let bigEndian):
                guard case .plain(var source) = reader else { return .failed("input sniffed twice") }
                source.pending = Array(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                reader = .utf16(UTF16Stream(source: source, bigEndian: bigEndian))
                do {
                    count = try reader.fill(buffer)
                } catch {
                    return .failed(error.message)
                }
            case .bytes:
                break
            }
        }

        matcher.beginInput()
        var occurrences: [Occurrence] = []
        var cursor = LineCursor()
        var bufferStart = 0       // offset of buffer[0] in the (decoded) input
        var acceptStart = 0
        var total = 0
        while true {
            let atEnd = count < chunkCapacity
            let acceptEnd = atEnd ? count : count - Self.overlap
            let view = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            matches.removeAll(keepingCapacity: true)
            matcher.matches(in: view, accept: acceptStart..<acceptEnd, atStart: bufferStart == 0, atEnd: atEnd, enabled: enabled, into: &matches)
            if !matches.isEmpty {
                locate(in: view, bufferStart: bufferStart, cursor: &cursor, into: &occurrences)
            }
            total = bufferStart + acceptEnd
            if atEnd { break }
            cursor.advance(to: bufferStart + acceptEnd, in: view, bufferStart: bufferStart)
            let keepFrom = acceptEnd - Self.margin
            let kept = count - keepFrom
            buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + keepFrom, byteCount: kept)
            bufferStart += keepFrom
            acceptStart = Self.margin
            do {
                count = kept + (try reader.fill(UnsafeMutableRawBufferPointer(rebasing: buffer[kept...])))
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
            var spans: [Range<Int>] = []
            var firstNeighbour = index
            while firstNeighbour > 0, matches[firstNeighbour - 1].secretStart >= snippetStart - longestSecret { firstNeighbour -= 1 }
            var pastNeighbours = index + 1
            while pastNeighbours < matches.count, matches[pastNeighbours].secretStart < snippetEnd { pastNeighbours += 1 }
            for other in matches[firstNeighbour..<pastNeighbours] where other.secretStart < snippetEnd && other.secretEnd > snippetStart {
                let clipped = max(other.secretStart, snippetStart)..<min(other.secretEnd, snippetEnd)
                if let last = spans.last, last.upperBound > clipped.lowerBound {
                    spans[spans.count - 1] = last.lowerBound..<max(last.upperBound, clipped.upperBound)
                } else {
                    spans.append(clipped)
                }
            }
            let snippet = Snippet(
                bytes: Array(UnsafeRawBufferPointer(rebasing: view[snippetStart..<snippetEnd])),
                secretSpans: spans.map { ($0.lowerBound - snippetStart)..<($0.upperBound - snippetStart) }
            )
            let window = max(0, start - Self.contextReach)..<min(view.count, end + Self.contextReach)
            occurrences.append(Occurrence(
                rule: match.rule,
                secret: String(decoding: match.decodedSecret ?? Array(UnsafeRawBufferPointer(rebasing: view[start..<end])), as: UTF8.self),
                line: line,
                column: column,
                endLine: endLine,
                endColumn: endColumn,
                snippet: snippet,
                context: matcher.context(for: match.rule, secret: start..<end, window: window, in: view),
                validated: match.validated,
                decoding: match.decoding ?? "none"
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

    static func hasInlineAllowMarker(_ view: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !range.isEmpty, let base = view.baseAddress else { return false }
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
        }
    }
}
