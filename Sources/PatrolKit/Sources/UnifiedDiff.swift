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
/// scan), `\ No newline at end of file`, quoted paths, and commit headers of a log whose format
/// starts with `\u{1}` (see `DiffScanner`). Removed and context lines are never scanned.
struct UnifiedDiffReader {
    private let stream: StreamBuffer
    private(set) var lineNumber = 0
    private(set) var commits: [CommitInfo] = []

    init(descriptor: Int32) {
        stream = StreamBuffer(descriptor: descriptor)
    }

    /// Calls `body` with the added lines of each file, in order.
    mutating func read(_ body: (AddedLines) -> Void) throws(DiffParseError) {
        var current: AddedLines?
        var pendingPath: String?          // from "diff --git", until "+++" names the new file
        var isDeleted = false
        var newLine = 0
        // One count per parent: 1 for a plain diff, 2 or more for a combined diff of a merge.
        var oldRemaining: [Int] = []
        var newRemaining = 0
        var inHunk: Bool { newRemaining > 0 || oldRemaining.contains { $0 > 0 } }

        func finish() {
            if let file = current, !file.isEmpty { body(file) }
            current = nil
        }

        while let raw = stream.field(until: 0x0A) {
            lineNumber += 1
            var line = raw
            if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line[0..<(line.count - 1)]) }

            if inHunk {
                // One marker column per parent: '+' absent from that parent, '-' absent from the
                // result, ' ' in both. A line is added by this diff when every column says '+'.
                let width = oldRemaining.count
                if line.first == UInt8(ascii: "\\") { continue }   // "\ No newline at end of file"
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
                        guard oldRemaining[column] > 0 else { throw DiffParseError(line: lineNumber, reason: "more removed lines than the hunk header announced") }
                        oldRemaining[column] -= 1
                    case UInt8(ascii: " "):
                        addedToAll = false
                        guard oldRemaining[column] > 0 else { throw DiffParseError(line: lineNumber, reason: "more context lines than the hunk header announced") }
                        oldRemaining[column] -= 1
                    default:
                        throw DiffParseError(line: lineNumber, reason: "expected a hunk line starting with '+', '-' or ' ' (the hunk header announced \(oldRemaining.max() ?? 0) more old and \(newRemaining) more new lines)")
                    }
                }
                if inResult {
                    guard newRemaining > 0 else { throw DiffParseError(line: lineNumber, reason: "more added lines than the hunk header announced") }
                    if addedToAll, !isDeleted {
                        let content = line.count > width ? UnsafeRawBufferPointer(rebasing: line[width...]) : UnsafeRawBufferPointer(rebasing: line[line.count...])
                        current?.append(content, at: newLine)
                    }
                    newLine += 1
                    newRemaining -= 1
                }
                continue
            }

            if line.first == 0x01 {
                // A commit header of our log format: "\u{1}<oid>\u{2}<author>\u{2}<author date>\u{2}<commit date>".
                finish()
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
                finish()
                let name = line.starts(with: "diff --cc ".utf8) ? line[10...] : line[16...]
                pendingPath = Self.unquote(UnsafeRawBufferPointer(rebasing: name))
                isDeleted = false
                continue
            }
            if line.starts(with: "diff --git ".utf8) {
                finish()
                pendingPath = Self.pathFromDiffGit(line)
                isDeleted = false
                continue
            }
            if line.starts(with: "@@".utf8) {
                guard let header = Self.hunkHeader(line) else {
                    throw DiffParseError(line: lineNumber, reason: "unreadable hunk header '\(String(decoding: line, as: UTF8.self))'")
                }
                if current == nil {
                    guard let path = pendingPath else {
                        throw DiffParseError(line: lineNumber, reason: "hunk before any file header ('+++ b/…' or 'diff --git')")
                    }
                    current = AddedLines(path: path, commit: commits.isEmpty ? nil : commits.count - 1)
                }
                (oldRemaining, newLine, newRemaining) = header
                continue
            }
            if line.starts(with: "--- ".utf8) {
                // Start of a file in plain `diff -u` output, or the old name in git's.
                if current != nil { finish() }
                if pendingPath == nil { pendingPath = "" }
                continue
            }
            if line.starts(with: "+++ ".utf8) {
                guard pendingPath != nil else {
                    throw DiffParseError(line: lineNumber, reason: "'+++' without a preceding '---' or 'diff --git'")
                }
                let name = Self.unquote(UnsafeRawBufferPointer(rebasing: line[4...]))
                if name == "/dev/null" {
                    isDeleted = true
                } else {
                    isDeleted = false
                    pendingPath = Self.strippingPrefix(Self.strippingTimestamp(name))
                }
                current = nil
                continue
            }
            if line.starts(with: "rename to ".utf8) || line.starts(with: "copy to ".utf8) {
                let prefixLength = line.starts(with: "rename to ".utf8) ? 10 : 8
                pendingPath = Self.unquote(UnsafeRawBufferPointer(rebasing: line[prefixLength...]))
                continue
            }
            // Anything else is a header (index, mode, similarity, "Binary files … differ") or
            // text around the patch (a commit message, an e-mail header): nothing to scan.
        }
        if inHunk {
            throw DiffParseError(line: lineNumber, reason: "the input ends inside a hunk (\(oldRemaining.max() ?? 0) old and \(newRemaining) new lines missing)")
        }
        finish()
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
              parts.count > parents + 2, parts[parents + 2] == marker
        else { return nil }
        return (old, new.start, new.count)
    }

    /// The new path of "diff --git a/x b/y" (used until '+++' or 'rename to' say otherwise).
    static func pathFromDiffGit(_ line: UnsafeRawBufferPointer) -> String? {
        let text = String(decoding: line, as: UTF8.self)
        if let range = text.range(of: " b/", options: .backwards) {
            return unquote(String(text[range.upperBound...]))
        }
        if let range = text.range(of: " \"b/", options: .backwards) {
            return unquote("\"" + String(text[text.index(range.lowerBound, offsetBy: 4)...]))
        }
        return nil
    }

    private static func strippingPrefix(_ name: String) -> String {
        name.hasPrefix("b/") ? String(name.dropFirst(2)) : name
    }

    /// `diff -u` appends a tab and a timestamp to names.
    private static func strippingTimestamp(_ name: String) -> String {
        guard let tab = name.firstIndex(of: "\t") else { return name }
        return String(name[..<tab])
    }

    static func unquote(_ bytes: UnsafeRawBufferPointer) -> String {
        unquote(String(decoding: bytes, as: UTF8.self))
    }

    /// Undoes git's C-style quoting of unusual paths: `"a\tb\303\251"`.
    static func unquote(_ text: String) -> String {
        guard text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 else { return text }
        let inner = Array(text.utf8.dropFirst().dropLast())
        var bytes: [UInt8] = []
        var index = 0
        while index < inner.count {
            let byte = inner[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < inner.count else {
                bytes.append(byte)
                index += 1
                continue
            }
            let next = inner[index + 1]
            switch next {
            case UInt8(ascii: "n"): bytes.append(0x0A); index += 2
            case UInt8(ascii: "t"): bytes.append(0x09); index += 2
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(next); index += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = 0
                var digits = 0
                while digits < 3, index + 1 + digits < inner.count, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(inner[index + 1 + digits]) {
                    value = value * 8 + Int(inner[index + 1 + digits] - UInt8(ascii: "0"))
                    digits += 1
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
                index += 1 + digits
            default:
                bytes.append(next)
                index += 2
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

import Foundation
