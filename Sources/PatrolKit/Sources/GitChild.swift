#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A running git process whose output is read as a stream with `read(2)` (no buffering of the
/// whole output), optionally fed on standard input by a background thread. Standard error is
/// collected for messages.
final class GitChild: @unchecked Sendable {
    // Immutable after init except through the thread-safe Process and FileHandle APIs.
    private let process: Process
    private let stderrPipe: Pipe
    private let stdinPipe: Pipe?
    private let stderrDone = DispatchSemaphore(value: 0)
    private let stderrBox = ByteBox()
    /// Read git's standard output from here.
    let output: Int32
    private let outputHandle: FileHandle

    /// Starts `git -C folder arguments…`. Throws `GitError.gitMissing` when git cannot be run.
    init(_ arguments: [String], in folder: String, feedsInput: Bool = false) throws(GitError) {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        environment["LC_ALL"] = "C"
        // Never ask for credentials or lazily fetch missing objects of a partial clone.
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_NO_LAZY_FETCH"] = "1"
        process.environment = environment
        let outputPipe = Pipe()
        stderrPipe = Pipe()
        process.standardOutput = outputPipe
        process.standardError = stderrPipe
        if feedsInput {
            let pipe = Pipe()
            stdinPipe = pipe
            process.standardInput = pipe
        } else {
            stdinPipe = nil
            process.standardInput = FileHandle.nullDevice
        }
        outputHandle = outputPipe.fileHandleForReading
        output = outputHandle.fileDescriptor
        do {
            try process.run()
        } catch {
            throw .gitMissing
        }
        let handle = stderrPipe.fileHandleForReading
        let box = stderrBox
        let done = stderrDone
        Thread.detachNewThread {
            box.bytes = Array(handle.readDataToEndOfFile())
            done.signal()
        }
    }

    /// Writes `lines` to git's standard input from a background thread, then closes it, so git
    /// can answer while it is still being asked (no deadlock on full pipes).
    func feed(_ lines: [String]) {
        guard let stdinPipe else { return }
        let handle = stdinPipe.fileHandleForWriting
        Thread.detachNewThread {
            var batch = ""
            batch.reserveCapacity(1 << 16)
            for line in lines {
                batch += line
                batch += "\n"
                if batch.utf8.count >= 1 << 16 {
                    if (try? handle.write(contentsOf: Data(batch.utf8))) == nil { break }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { _ = try? handle.write(contentsOf: Data(batch.utf8)) }
            try? handle.close()
        }
    }

    /// Reads all remaining output (for small outputs).
    func readAll() -> [UInt8] {
        Array(outputHandle.readDataToEndOfFile())
    }

    /// Waits for git to end; returns its exit status and standard error.
    func wait() -> (status: Int32, message: String) {
        process.waitUntilExit()
        stderrDone.wait()
        let message = String(decoding: stderrBox.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return (process.terminationStatus, message)
    }

    /// Stops git early (the reader gave up).
    func terminate() {
        if process.isRunning { process.terminate() }
    }

    /// Runs git to completion and returns its output, throwing on a non-zero exit.
    static func run(_ arguments: [String], in folder: String) throws(GitError) -> [UInt8] {
        let child = try GitChild(arguments, in: folder)
        let output = child.readAll()
        let (status, message) = child.wait()
        if status == 127 { throw .gitMissing }
        guard status == 0 else { throw .failed(command: "git " + arguments.joined(separator: " "), message: message) }
        return output
    }

    /// Like `run`, as trimmed text.
    static func text(_ arguments: [String], in folder: String) throws(GitError) -> String {
        String(decoding: try run(arguments, in: folder), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Bytes handed from a reading thread to the waiting one (ordered by a semaphore).
private final class ByteBox: @unchecked Sendable {
    var bytes: [UInt8] = []
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
