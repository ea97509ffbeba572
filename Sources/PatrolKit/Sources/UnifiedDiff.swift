/// A diff that cannot be read: the 1-based line of the input where parsing stopped.
public struct DiffParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let reason: String

    public var description: String { "malformed diff at line \(line): \(reason)" }
}

/// The lines a diff adds to one file (in one commit, for a log of patches), placed at their
/// line numbers in the new file.
struct AddedLines {
    var path: String
    var commit: Int?
    /// The added lines joined by `\n`; runs that are not adjacent in the new file are separated
    /// by an empty line, so nothing matches across a gap.
    var text: [UInt8] = []
    /// For each line of `text`, its line number in the new file (0 for a separator).
    var lineNumbers: [Int] = []
    private var lastLine = -1

    init(path: String, commit: Int?) {
        self.path = path
        self.commit = commit
    }

    mutating func append(_ line: UnsafeRawBufferPointer, at number: Int) {
        if lastLine >= 0 {
            text.append(0x0A)
            if number != lastLine + 1 {
                lineNumbers.append(0)
                text.append(0x0A)
            }
        }
        text.append(contentsOf: line)
        lineNumbers.append(number)
        lastLine = number
    }

    var isEmpty: Bool { lineNumbers.isEmpty }
}

/// Reads unified diffs as git prints them (`git diff`, `git log -p`, `git show`) or as
/// `diff -u` does, streaming: added lines of each file are handed over as soon as the file ends.
///
/// Handled: renames and copies, mode changes, new and deleted files, binary diffs (nothing to
/// scan), `\ No newline at end of file`, quoted paths (unquoted as git quotes them, to their
/// exact bytes), colour (`--color=always`: the escape codes are removed), commit headers of a
/// log whose format starts with `\u{1}` (see `DiffScanner`). Removed and context lines are never
/// scanned. Added lines past what a hunk header announced are scanned too (with a warning), and
/// input with no diff structure at all is refused rather than reported as clean.
struct UnifiedDiffReader {
    private let stream: StreamBuffer
    private(set) var lineNumber = 0
    private(set) var commits: [CommitInfo] = []
    private(set) var warnings: [String] = []
    /// Files the diff changes as binary (`Binary files … differ`): an archive among them is
    /// scanned whole from its new blob, since a binary diff shows no lines.
    private(set) var binaryChanges: [BinaryChange] = []

    /// A file whose new content is binary: its path, commit (index into `commits`) and new
    /// blob id (`--full-index`), or nil when git shows none (a working-tree file).
    struct BinaryChange: Equatable {
        let path: String
        let commit: Int?
        let blob: String?
    }

    init(descriptor: Int32) {
        stream = StreamBuffer(descriptor: descriptor)
    }

    /// Calls `body` with the added lines of each file, in order.
    mutating func read(_ body: (AddedLines) -> Void) throws(DiffParseError) {
        var current: AddedLines?
        var pendingPath: String?          // from "diff --git", until "+++" names the new file
        var pendingBlob: String?          // the new blob of the "index old..new" line
        var isDeleted = false
        var newLine = 0
        // One count per parent: 1 for a plain diff, 2 or more for a combined diff of a merge.
        var oldRemaining: [Int] = []
        var newRemaining = 0
        var inHunk: Bool { newRemaining > 0 || oldRemaining.contains { $0 > 0 } }
        // Just after a hunk whose counts ran out: '+', '-' and ' ' lines still belong to it.
        var afterHunk = false
        var excessLines = 0
        var previousWasOldHeader = false
        // Any line that only a diff has (a file header, a hunk, a commit): without one, the
        // input is not a diff, and saying "no secrets found" would be a lie.
        var sawStructure = false
        var sawText = false
        var scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { scratch.deallocate() }

        func finish() {
            if let file = current, !file.isEmpty { body(file) }
            current = nil
        }
        func endExcess() {
            if excessLines > 0 {
                warnings.append("line \(lineNumber): \(excessLines) added \(excessLines == 1 ? "line" : "lines") past what the hunk header announced; scanned \(excessLines == 1 ? "it" : "them") too")
            }
            excessLines = 0
            afterHunk = false
        }

        while let raw = stream.field(until: 0x0A) {
            lineNumber += 1
            var line = raw
            if line.first == 0x1B {
                if scratch.count < line.count { scratch.deallocate(); scratch = .allocate(byteCount: line.count, alignment: 1) }
                line = Self.strippingColour(line, into: scratch)
            }
            if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line[0..<(line.count - 1)]) }
            if !sawText, line.contains(where: { $0 != 0x20 && $0 != 0x09 }) { sawText = true }
            let wasOldHeader = previousWasOldHeader
            previousWasOldHeader = false

            if inHunk {
                // One marker column per parent: '+' absent from that parent, '-' absent from the
                // result, ' ' in both. A line is added by this diff when every column says '+'.
                let width = oldRemaining.count
                if line.first == UInt8(ascii: "\\") { continue }   // "\ No newline at end of file"
                if Self.startsFileOrHunk(line) {
                    // The hunk announced more lines than it has: end it here and read the header.
                    warnings.append("line \(lineNumber): the hunk before ended \(max(newRemaining, oldRemaining.max() ?? 0)) lines early")
                    oldRemaining = []
                    newRemaining = 0
                } else {
                    var inResult = true
                    var addedToAll = true
                    for column in 0..<width {
                        let marker = column < line.count ? line[column] : UInt8(ascii: " ")   // a blank line is context
                        switch marker {
                        case UInt8(ascii: "+"):
                            break
                        case UInt8(ascii: "-"):
                            inResult = false
                            addedToAll = false
                            oldRemaining[column] = max(0, oldRemaining[column] - 1)
                        case UInt8(ascii: " "):
                            addedToAll = false
                            oldRemaining[column] = max(0, oldRemaining[column] - 1)
                        default:
                            throw DiffParseError(line: lineNumber, reason: "expected a hunk line starting with '+', '-' or ' ' (the hunk header announced \(oldRemaining.max() ?? 0) more old and \(newRemaining) more new lines)")
                        }
                    }
                    if inResult {
                        if addedToAll, !isDeleted {
                            current?.append(UnsafeRawBufferPointer(rebasing: line[min(width, line.count)...]), at: newLine)
                        }
                        guard newLine < Int.max else { throw DiffParseError(line: lineNumber, reason: "line number out of range") }
                        newLine += 1
                        newRemaining = max(0, newRemaining - 1)
                    }
                    if !inHunk { afterHunk = true }
                    continue
                }
            }

            if afterHunk, let first = line.first {
                // Lines a hunk header did not count, with one marker column per parent as in
                // the hunk. A line added to all parents ('+' in every column) is scanned
                // (unless it is the "+++" of a next file, right after its "---"); other hunk
                // lines move on, counting the lines of the result.
                let width = max(1, oldRemaining.count)
                let nextFileHeader = wasOldHeader && line.starts(with: "+++ ".utf8)
                if first == UInt8(ascii: "\\") { continue }
                if line.count >= width, !line.starts(with: "--- ".utf8),
                   line[0..<width].allSatisfy({ $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: " ") }) {
                    let columns = line[0..<width]
                    if columns.allSatisfy({ $0 == UInt8(ascii: "+") }) {
                        if !nextFileHeader, current != nil {
                            if !isDeleted { current?.append(UnsafeRawBufferPointer(rebasing: line[width...]), at: newLine) }
                            guard newLine < Int.max else { throw DiffParseError(line: lineNumber, reason: "line number out of range") }
                            newLine += 1
                            excessLines += 1
                            continue
                        }
                    } else {
                        if !columns.contains(UInt8(ascii: "-")) { newLine = newLine < Int.max ? newLine + 1 : newLine }
                        continue
                    }
                }
                if !nextFileHeader && !line.starts(with: "--- ".utf8) { endExcess() }
            }

            if line.first == 0x01 {
                // A commit header of our log format: "\u{1}<oid>\u{2}<author>\u{2}<author date>\u{2}<commit date>".
                endExcess()
                finish()
                sawStructure = true
                let fields = line.dropFirst().split(separator: 0x02, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                commits.append(CommitInfo(
                    oid: fields.first ?? "",
                    author: fields.count > 1 ? fields[1] : "",
                    authorDate: fields.count > 2 ? fields[2] : "",
                    commitDate: fields.count > 3 ? fields[3] : ""
                ))
                pendingPath = nil
                continue
            }
            if line.starts(with: "diff --cc ".utf8) || line.starts(with: "diff --combined ".utf8) {
                endExcess()
                finish()
                sawStructure = true
                let name = line.starts(with: "diff --cc ".utf8) ? line[10...] : line[16...]
                pendingPath = ReportPath.display(ReportPath.unquotingGit(name))
                isDeleted = false
                continue
            }
            if line.starts(with: "diff --git ".utf8) {
                endExcess()
                finish()
                sawStructure = true
                pendingPath = Self.pathFromDiffGit(line)
                pendingBlob = nil
                isDeleted = false
                continue
            }
            if line.starts(with: "@@".utf8) {
                guard let header = Self.hunkHeader(line) else {
                    throw DiffParseError(line: lineNumber, reason: "unreadable hunk header '\(String(decoding: line.prefix(200), as: UTF8.self))'")
                }
                endExcess()
                sawStructure = true
                if current == nil {
                    guard let path = pendingPath else {
                        throw DiffParseError(line: lineNumber, reason: "hunk before any file header ('+++ b/…' or 'diff --git')")
                    }
                    current = AddedLines(path: path, commit: commits.isEmpty ? nil : commits.count - 1)
                }
                (oldRemaining, newLine, newRemaining) = header
                if !inHunk { afterHunk = true }
                continue
            }
            if line.starts(with: "--- ".utf8) {
                // Start of a file in plain `diff -u` output, or the old name in git's; the file
                // before ends at the "+++" that must follow.
                if pendingPath == nil { pendingPath = "" }
                previousWasOldHeader = true
                continue
            }
            if line.starts(with: "+++ ".utf8) {
                guard pendingPath != nil else {
                    throw DiffParseError(line: lineNumber, reason: "'+++' without a preceding '---' or 'diff --git'")
                }
                endExcess()
                finish()
                sawStructure = true
                let name = Self.newName(UnsafeRawBufferPointer(rebasing: line[4...]))
                if name == Array("/dev/null".utf8) {
                    isDeleted = true
                } else {
                    isDeleted = false
                    pendingPath = ReportPath.display(name.starts(with: "b/".utf8) ? Array(name.dropFirst(2)) : name)
                }
                continue
            }
            if line.starts(with: "rename to ".utf8) || line.starts(with: "copy to ".utf8) {
                let prefixLength = line.starts(with: "rename to ".utf8) ? 10 : 8
                pendingPath = ReportPath.display(ReportPath.unquotingGit(line[prefixLength...]))
                continue
            }
            if line.starts(with: "index ".utf8), let dots = line.firstRange(of: "..".utf8) {
                let new = line[dots.upperBound...].prefix { $0 != 0x20 }
                pendingBlob = new.count >= 40 && new.allSatisfy({ Self.isHexDigit($0) }) && new.contains(where: { $0 != UInt8(ascii: "0") }) ? String(decoding: new, as: UTF8.self) : nil
                continue
            }
            if line.starts(with: "Binary files ".utf8) || line.starts(with: "GIT binary patch".utf8) {
                sawStructure = true
                if let path = pendingPath, !path.isEmpty, !line.reversed().starts(with: "ffid llun/ved/".utf8) {
                    binaryChanges.append(BinaryChange(path: path, commit: commits.isEmpty ? nil : commits.count - 1, blob: pendingBlob))
                }
            }
            if line.starts(with: "commit ".utf8), line.count >= 47, line[7..<47].allSatisfy({ Self.isHexDigit($0) }) { sawStructure = true }
            // Anything else is a header (index, mode, similarity, "Binary files … differ") or
            // text around the patch (a commit message, an e-mail header): nothing to scan.
        }
        if let error = stream.readError {
            throw DiffParseError(line: lineNumber, reason: "cannot read the diff: \(error)")
        }
        if inHunk {
            // A cut-off diff is not a diff checked: the caller exits 2 rather than report it clean.
            throw DiffParseError(line: lineNumber, reason: "the input ends inside a hunk (\(oldRemaining.max() ?? 0) old and \(newRemaining) new lines missing)")
        }
        endExcess()
        finish()
        if sawText && !sawStructure {
            throw DiffParseError(line: 1, reason: "the input is not a unified diff (no 'diff --git', '---'/'+++' or '@@' line); to scan it as text, use 'patrol scan -'")
        }
    }

    /// Whether a line opens a file, a hunk or a commit (ends a hunk that announced too much).
    private static func startsFileOrHunk(_ line: UnsafeRawBufferPointer) -> Bool {
        line.first == 0x01 || line.starts(with: "diff --git ".utf8) || line.starts(with: "diff --cc ".utf8)
            || line.starts(with: "diff --combined ".utf8) || line.starts(with: "@@ ".utf8) || line.starts(with: "@@@".utf8)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }

    /// `line` without its CSI escape sequences (`ESC [ … final`), which `--color=always` puts
    /// around every line, copied into `scratch`.
    static func strippingColour(_ line: UnsafeRawBufferPointer, into scratch: UnsafeMutableRawBufferPointer) -> UnsafeRawBufferPointer {
        var count = 0
        var index = 0
        while index < line.count {
            if line[index] == 0x1B, index + 1 < line.count, line[index + 1] == UInt8(ascii: "[") {
                index += 2
                while index < line.count, (0x20...0x3F).contains(line[index]) { index += 1 }
                if index < line.count, (0x40...0x7E).contains(line[index]) { index += 1 }
                continue
            }
            scratch[count] = line[index]
            count += 1
            index += 1
        }
        return UnsafeRawBufferPointer(rebasing: scratch[0..<count])
    }

    /// The name of a "+++ " line: unquoted if git quoted it (then a tab is part of the name),
    /// else up to a tab (`diff -u` appends one and a timestamp; git one after a name with a space).
    private static func newName(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        if bytes.first == UInt8(ascii: "\""), let closing = closingQuote(bytes, from: 0) {
            return ReportPath.unquotingGit(bytes[0...closing])
        }
        let end = bytes.firstIndex(of: 0x09) ?? bytes.count
        return Array(bytes[0..<end])
    }

    /// The index of the quote that closes the one at `start`, skipping escaped characters.
    private static func closingQuote(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") { index += 2; continue }
            if bytes[index] == UInt8(ascii: "\"") { return index }
            index += 1
        }
        return nil
    }

    /// "@@ -a[,b] +c[,d] @@" → (old counts, first new line, new count); a combined diff of a
    /// merge has one more '@' and one old range per parent: "@@@ -a,b -c,d +e,f @@@".
    static func hunkHeader(_ line: UnsafeRawBufferPointer) -> ([Int], Int, Int)? {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ")
        guard let marker = parts.first, marker.count >= 2, marker.allSatisfy({ $0 == "@" }) else { return nil }
        let parents = marker.count - 1
        guard parts.count >= parents + 2 else { return nil }
        func range(_ part: Substring) -> (start: Int, count: Int)? {
            let numbers = part.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            guard let start = Int(numbers[0]), start >= 0 else { return nil }
            if numbers.count == 1 { return (start, 1) }
            guard numbers.count == 2, let count = Int(numbers[1]), count >= 0 else { return nil }
            return (start, count)
        }
        var old: [Int] = []
        for index in 1...parents {
            guard parts[index].hasPrefix("-"), let counted = range(parts[index]) else { return nil }
            old.append(counted.count)
        }
        guard parts[parents + 1].hasPrefix("+"), let new = range(parts[parents + 1]),
              parts.count > parents + 2, parts[parents + 2] == marker,
              !new.start.addingReportingOverflow(new.count).overflow   // no line number can pass Int.max
        else { return nil }
        return (old, new.start, new.count)
    }

    /// The new path of "diff --git a/x b/y" (used until '+++' or 'rename to' say otherwise),
    /// each name quoted or not as git wrote it. An unquoted pair of equal names is split in the
    /// middle, so a name holding " b/" is read right too.
    static func pathFromDiffGit(_ line: UnsafeRawBufferPointer) -> String? {
        let rest = UnsafeRawBufferPointer(rebasing: line[11...])
        var newName: [UInt8]?
        if rest.first == UInt8(ascii: "\""), let closing = closingQuote(rest, from: 0), closing + 2 < rest.count {
            let second = UnsafeRawBufferPointer(rebasing: rest[(closing + 2)...])
            newName = second.first == UInt8(ascii: "\"") ? ReportPath.unquotingGit(second) : Array(second)
        } else if rest.count >= 5, (rest.count - 5) % 2 == 0, rest.starts(with: "a/".utf8) {
            let half = (rest.count - 5) / 2
            let first = rest[2..<(2 + half)], second = rest[(2 + half + 3)...]
            if rest[(2 + half)..<(2 + half + 3)].elementsEqual(" b/".utf8), first.elementsEqual(second) { newName = Array("b/".utf8) + Array(second) }
        }
        if newName == nil {
            let text = Array(rest)
            if let quoted = lastRange(of: Array(" \"b/".utf8), in: text) {
                newName = ReportPath.unquotingGit(text[(quoted + 1)...])
            } else if let plain = lastRange(of: Array(" b/".utf8), in: text) {
                newName = Array(text[(plain + 1)...])
            }
        }
        guard let name = newName else { return nil }
        return ReportPath.display(name.starts(with: "b/".utf8) ? Array(name.dropFirst(2)) : name)
    }

    private static func lastRange(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in stride(from: haystack.count - needle.count, through: 0, by: -1) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

import Foundation
