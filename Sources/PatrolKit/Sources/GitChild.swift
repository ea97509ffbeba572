#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A running git process whose output is read as a stream with `read(2)` (no buffering of the
/// whole output), optionally fed on standard input by a background thread. Standard error is
/// collected for messages.
final class GitChild: Sendable {
    private let process: ChildProcess
    /// Read git's standard output from here.
    var output: Int32 { process.output }

    /// Starts `git -C folder arguments…`. Throws `GitError.gitMissing` when git cannot be run.
    init(_ arguments: [String], in folder: String, feedsInput: Bool = false) throws(GitError) {
        let environment = [
            "GIT_OPTIONAL_LOCKS": "0",
            "LC_ALL": "C",
            // Never ask for credentials or lazily fetch missing objects of a partial clone.
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_NO_LAZY_FETCH": "1",
        ]
        do {
            process = try ChildProcess(["git", "-C", folder] + arguments, extraEnvironment: environment, feedsInput: feedsInput)
        } catch .notFound {
            throw .gitMissing
        } catch {
            throw .failed(command: "git " + (arguments.first ?? ""), message: "cannot start git (\(error))")
        }
    }

    /// Writes `lines` to git's standard input from a background thread, then closes it.
    func feed(_ lines: [String]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(lines.count * 41)
        for line in lines {
            bytes += line.utf8
            bytes.append(0x0A)
        }
        process.feed(bytes)
    }

    /// Reads all remaining output (for small outputs).
    func readAll() -> [UInt8] {
        process.readAll()
    }

    /// Waits for git to end; returns its exit status and standard error.
    func wait() -> (status: Int32, message: String) {
        let (status, error) = process.wait()
        return (status, Self.trimmedText(error))
    }

    /// Stops git early (the reader gave up).
    func terminate() {
        process.terminate()
    }

    /// Runs git to completion and returns its output, throwing on a non-zero exit.
    static func run(_ arguments: [String], in folder: String) throws(GitError) -> [UInt8] {
        try GitChild(arguments, in: folder).output(command: "git " + arguments.joined(separator: " "))
    }

    /// Reads this child's output to the end and waits for it, throwing on a non-zero exit.
    func output(command: String) throws(GitError) -> [UInt8] {
        let output = readAll()
        let (status, message) = wait()
        if status == 127 { throw .gitMissing }
        guard status == 0 else { throw .failed(command: command, message: message) }
        return output
    }

    /// Like `output(command:)`, as trimmed text.
    func text(command: String) throws(GitError) -> String {
        Self.trimmedText(try output(command: command))
    }

    /// Like `run`, as trimmed text.
    static func text(_ arguments: [String], in folder: String) throws(GitError) -> String {
        trimmedText(try run(arguments, in: folder))
    }

    /// git's output as text without the spaces and newlines around it. (Foundation's
    /// `trimmingCharacters` bridges through NSString: a million instructions the first time,
    /// at every start of the hook.)
    static func trimmedText(_ bytes: [UInt8]) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}

/// What went wrong talking to git.
public enum GitError: Error, Sendable, Equatable, CustomStringConvertible {
    case gitMissing
    case notARepository(String)
    case failed(command: String, message: String)
    case badRevision(String, message: String)

    public var description: String {
        switch self {
        case .gitMissing:
            "git was not found on PATH; patrol reads history through git (install it, e.g. apt-get install git)"
        case .notARepository(let path):
            "\(path) is not a git repository (or any of its parents)"
        case .failed(let command, let message):
            "\(command) failed: \(message.isEmpty ? "no message" : message)"
        case .badRevision(let revision, let message):
            "unknown revision '\(revision)': \(message)"
        }
    }
}
