import CPCRE2
import Synchronization

/// A PCRE2 pattern compiled once and JIT-compiled, in 8-bit non-UTF mode so any bytes can be
/// scanned (`\w` and `\b` are ASCII).
///
/// PCRE2 documents compiled code as usable by several threads at once (pcre2api, MULTITHREADING),
/// and nothing here mutates it after `init`: hence `@unchecked Sendable`. Match data is per thread
/// (`MatchScratch`).
final class PCRE2Pattern: @unchecked Sendable {
    let code: OpaquePointer
    let isJIT: Bool
    let captureCount: Int
    /// Capture group number of `(?<name>…)` for each named group.
    let namedGroups: [String: Int]
    /// The group named `secret`, or 0 (the whole match).
    let secretGroup: Int

    /// Match data holds this many groups; patterns with more are refused.
    static let maxCaptureCount = 63

    /// Compiles `pattern`. `anchored` compiles the copy used to confirm a keyword hit at a known
    /// offset: `pcre2_jit_match` ignores `PCRE2_ANCHORED` passed at match time, so anchoring has
    /// to be a compile option.
    init(_ pattern: String, anchored: Bool = false, useOffsetLimit: Bool = false) throws(PatternError) {
        let bytes = Array(pattern.utf8)
        var options: UInt32 = 0
        if anchored { options |= PCRE2_ANCHORED }
        if useOffsetLimit { options |= PCRE2_USE_OFFSET_LIMIT }
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled = bytes.withUnsafeBufferPointer { buffer in
            pcre2_compile_8(buffer.baseAddress, buffer.count, options, &errorCode, &errorOffset, nil)
        }
        guard let compiled else {
            throw PatternError(message: Self.message(for: errorCode), offset: errorOffset)
        }
        code = compiled
        isJIT = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0

        var count: UInt32 = 0
        pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &count)
        captureCount = Int(count)
        namedGroups = Self.readNameTable(compiled)
        secretGroup = namedGroups["secret"] ?? 0
        if captureCount > Self.maxCaptureCount {
            pcre2_code_free_8(compiled)
            throw PatternError(message: "more than \(Self.maxCaptureCount) capture groups", offset: 0)
        }
    }

    deinit { pcre2_code_free_8(code) }

    /// Matches at `offset` (anchored patterns) or from `offset` on (others). Returns the start and
    /// end of group 0, or nil. The ovector of `scratch` holds all groups afterwards.
    @inline(__always)
    func match(_ subject: UnsafeRawBufferPointer, from offset: Int, scratch: MatchScratch) -> (start: Int, end: Int)? {
        guard let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let rc = isJIT
            ? pcre2_jit_match_8(code, base, subject.count, offset, 0, scratch.data, scratch.context)
            : pcre2_match_8(code, base, subject.count, offset, 0, scratch.data, scratch.context)
        return result(rc, scratch: scratch)
    }

    /// Searches from `offset` for a match that starts no later than `limit`. The pattern must
    /// have been compiled with `useOffsetLimit`.
    @inline(__always)
    func match(_ subject: UnsafeRawBufferPointer, from offset: Int, startingNoLaterThan limit: Int, scratch: MatchScratch) -> (start: Int, end: Int)? {
        guard let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        pcre2_set_offset_limit_8(scratch.boundedContext, limit)
        let rc = isJIT
            ? pcre2_jit_match_8(code, base, subject.count, offset, 0, scratch.data, scratch.boundedContext)
            : pcre2_match_8(code, base, subject.count, offset, 0, scratch.data, scratch.boundedContext)
        return result(rc, scratch: scratch)
    }

    /// The span of group 0 when `rc` says matched; notes in `scratch` a match that ran out of
    /// its budget (which PCRE2 reports as an error, not as "no match").
    @inline(__always)
    private func result(_ rc: Int32, scratch: MatchScratch) -> (start: Int, end: Int)? {
        scratch.matchCalls &+= 1
        guard rc >= 0 else {  // 0: matched, but the ovector holds fewer groups
            if rc != PCRE2_ERROR_NOMATCH, MatchBudget.isLimitError(rc) { scratch.limitHits &+= 1 }
            return nil
        }
        return (scratch.ovector[0], scratch.ovector[1])
    }

    /// The span of capture group `group` after a successful `match`, or nil if it did not take part.
    @inline(__always)
    func groupSpan(_ group: Int, scratch: MatchScratch) -> Range<Int>? {
        let start = scratch.ovector[2 * group], end = scratch.ovector[2 * group + 1]
        let unset = cpcre2_unset()  // PCRE2_UNSET, which Swift sees as Int(-1)
        guard start != unset, end != unset else { return nil }
        return start..<end
    }

    /// Does the pattern match anywhere in `text`? For the cold paths (allow lists, examples).
    func matches(_ text: String, scratch: MatchScratch) -> Bool {
        var bytes = Array(text.utf8)
        let count = bytes.count
        bytes.append(0)  // so that even empty text has a base address
        return bytes.withUnsafeBytes {
            match(UnsafeRawBufferPointer(rebasing: $0[0..<count]), from: 0, scratch: scratch) != nil
        }
    }

    private static func message(for code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = pcre2_get_error_message_8(code, &buffer, buffer.count)
        guard length > 0 else { return "PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }

    private static func readNameTable(_ code: OpaquePointer) -> [String: Int] {
        var count: UInt32 = 0
        var entrySize: UInt32 = 0
        var table: UnsafePointer<UInt8>?
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMECOUNT), &count)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMEENTRYSIZE), &entrySize)
        pcre2_pattern_info_8(code, UInt32(PCRE2_INFO_NAMETABLE), &table)
        guard count > 0, let table else { return [:] }
        var names: [String: Int] = [:]
        for index in 0..<Int(count) {
            let entry = table + index * Int(entrySize)
            let group = Int(entry[0]) << 8 | Int(entry[1])
            let nameStart = entry + 2
            var length = 0
            while length < Int(entrySize) - 2, nameStart[length] != 0 { length += 1 }
            names[String(decoding: UnsafeBufferPointer(start: nameStart, count: length), as: UTF8.self)] = group
        }
        return names
    }
}

/// A pattern compiled and JIT-compiled the first time a thread needs it, once: most rules never
/// meet their keyword in a pre-commit diff, and JIT-compiling every rule up front would cost
/// more than the whole scan. Rule files are checked when loaded (user rules) or by the test
/// suite (built-in rules), so a failure here is a defect, not bad input.
final class LazyPattern: Sendable {
    let source: String
    private let anchored: Bool
    private let useOffsetLimit: Bool
    private let compiled = Mutex<PCRE2Pattern?>(nil)

    init(_ source: String, anchored: Bool = false, useOffsetLimit: Bool = false) {
        self.source = source
        self.anchored = anchored
        self.useOffsetLimit = useOffsetLimit
    }

    var pattern: PCRE2Pattern {
        compiled.withLock { cached in
            if let cached { return cached }
            do {
                let pattern = try PCRE2Pattern(source, anchored: anchored, useOffsetLimit: useOffsetLimit)
                cached = pattern
                return pattern
            } catch {
                fatalError("pattern '\(source)' does not compile: \(error)")
            }
        }
    }
}

/// A regex that PCRE2 refused, with the position in the pattern where it gave up.
struct PatternError: Error, Sendable, Equatable {
    let message: String
    let offset: Int
}

/// The budget of one PCRE2 match call, for every pattern (built-in rules, a scanned
/// repository's own `rules.extra`, allow lists). Without it a backtracking regex such as
/// `(a+)+$` costs PCRE2's default of ten million steps (about 17 ms) at every keyword hit.
/// Built-in rules stay far below it: a bounded search over `BufferMatcher.searchWindow` bytes
/// takes a few thousand steps, and the pathological-input tests check that none hits it.
enum MatchBudget {
    /// Steps (`pcre2_set_match_limit`; the JIT counts the same way) per match call.
    static let matchLimit: UInt32 = 200_000
    /// Backtracking depth of the interpreter (`pcre2_set_depth_limit`; the JIT ignores it and
    /// is bounded by its stack instead).
    static let depthLimit: UInt32 = 10_000
    /// Heap the interpreter may use for backtracking, in KiB (`pcre2_set_heap_limit`).
    static let heapLimitKiB: UInt32 = 16 << 10

    /// Whether a negative PCRE2 result code means the budget ran out (the match limit, the
    /// depth or heap limit, or the JIT stack).
    static func isLimitError(_ rc: Int32) -> Bool {
        rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT
            || rc == PCRE2_ERROR_JIT_STACKLIMIT
    }

    static func makeContext() -> OpaquePointer {
        let context = pcre2_match_context_create_8(nil)!
        pcre2_set_match_limit_8(context, matchLimit)
        pcre2_set_depth_limit_8(context, depthLimit)
        pcre2_set_heap_limit_8(context, heapLimitKiB)
        return context
    }
}

/// Per-thread PCRE2 match data, large enough for any pattern of a rule set. Deliberately not
/// `Sendable`: each worker owns one.
final class MatchScratch {
    let data: OpaquePointer
    let ovector: UnsafeMutablePointer<Int>
    /// Carries `MatchBudget`'s limits.
    let context: OpaquePointer
    /// The same limits and the offset limit of bounded searches: a pattern not compiled with
    /// `PCRE2_USE_OFFSET_LIMIT` refuses a context that sets one, so the two are kept apart.
    let boundedContext: OpaquePointer
    /// Match calls made with this scratch: a measure of the work done, for tests that check it
    /// grows linearly with the input.
    /// (Unchecked like `BufferMatcher`'s state: one thread's, counted at every match call.)
    @exclusivity(unchecked) var matchCalls = 0
    /// Match calls that ran out of their budget since the owner last reset it.
    @exclusivity(unchecked) var limitHits = 0

    init(maxCaptureCount: Int = PCRE2Pattern.maxCaptureCount) {
        data = pcre2_match_data_create_8(UInt32(maxCaptureCount + 1), nil)!
        ovector = pcre2_get_ovector_pointer_8(data)!
        context = MatchBudget.makeContext()
        boundedContext = MatchBudget.makeContext()
    }

    deinit {
        pcre2_match_data_free_8(data)
        pcre2_match_context_free_8(context)
        pcre2_match_context_free_8(boundedContext)
    }
}
