import Foundation

/// What patrol asks git about a work tree: where it starts, and which files a scan covers —
/// every tracked file, even one an ignore pattern matches (a committed `.env` is exactly what
/// leaks), plus untracked files that `.gitignore`, `.git/info/exclude` and the global excludes
/// do not exclude. git answers that exactly, so patrol does not re-implement ignore rules.
enum GitWorkTree {
    /// The top of the work tree holding `folder`, found by looking for `.git` (a folder, or a
    /// file in linked worktrees and submodules) in it and its parents.
    static func root(containing folder: String) -> String? {
        var current = URL(fileURLWithPath: folder).standardizedFileURL.path
        while true {
            let candidate = (current as NSString).appendingPathComponent(".git")
            if FileManager.default.fileExists(atPath: candidate) { return current }
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current || parent.isEmpty { return nil }
            current = parent
        }
    }

    enum ListError: Error {
        case gitMissing
        case failed(String)
    }

    /// Paths relative to `folder` of the files git tracks under it plus the untracked ones it
    /// does not ignore. A nested repository or submodule comes back as one entry ending in `/`.
    static func listFiles(in folder: String) throws(ListError) -> [String] {
        let result: GitProcess.Result
        do {
            result = try GitProcess.run(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], in: folder)
        } catch {
            throw .gitMissing
        }
        guard result.status == 0 else {
            throw .failed(String(decoding: result.standardError, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        var seen = Set<String>()
        var paths: [String] = []
        for entry in result.standardOutput.split(separator: 0) {
            let path = String(decoding: entry, as: UTF8.self)
            if seen.insert(path).inserted { paths.append(path) }   // conflicted files appear once per stage
        }
        return paths
    }
}

/// Runs git and collects its output. git is located on PATH; a missing git throws.
enum GitProcess {
    struct Result {
        let status: Int32
        let standardOutput: [UInt8]
        let standardError: [UInt8]
    }

    static func run(_ arguments: [String], in folder: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        environment["LC_ALL"] = "C"
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes concurrently so a chatty stderr cannot block git.
        let errorData = ErrorCollector(error.fileHandleForReading)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorBytes = errorData.finish()
        if process.terminationStatus == 127 {
            throw CocoaError(.executableNotLoadable)
        }
        return Result(status: process.terminationStatus, standardOutput: Array(data), standardError: errorBytes)
    }
}

/// Drains a pipe on a background thread.
private final class ErrorCollector: @unchecked Sendable {
    // Written by the reading thread before `done` is signalled, read after: the semaphore orders it.
    private var bytes: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            bytes = Array(handle.readDataToEndOfFile())
            done.signal()
        }
    }

    func finish() -> [UInt8] {
        done.wait()
        return bytes
    }
}
