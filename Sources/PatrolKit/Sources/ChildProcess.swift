#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CPCRE2
import Dispatch
import Foundation
import Synchronization

/// A child process started with `posix_spawn`, its standard output read straight from a pipe.
///
/// Foundation's `Process` waits for exit by polling a run loop, which added tens of
/// milliseconds per git call — most of the pre-commit hook's budget. This spawns and reaps
/// directly. Standard error is drained on a thread of its own so a chatty child cannot block.
final class ChildProcess: @unchecked Sendable {
    // Immutable after init; the stderr bytes are handed over through `stderrDone`.
    let pid: pid_t
    /// Read the child's standard output from here.
    let output: Int32
    /// Write the child's standard input here (when it was asked for), then close it.
    let input: Int32?
    private let stderrDone = DispatchSemaphore(value: 0)
    private let stderrBox = Box()

    private final class Box: @unchecked Sendable {
        // Written by the draining queue before signalling, read after waiting.
        var bytes: [UInt8] = []
    }

    enum SpawnError: Error {
        case notFound
        case failed(Int32)
    }

    /// Starts `arguments[0]` (searched on PATH) with `extraEnvironment` added to this process's.
    init(_ arguments: [String], extraEnvironment: [String: String] = [:], feedsInput: Bool = false) throws(SpawnError) {
        // Close-on-exec pipes: another thread may spawn a child meanwhile, and a child that
        // inherited this one's pipe ends would keep them open (git would wait forever for the end
        // of its input). dup2 onto 0, 1 and 2 clears the flag for this child only.
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0], inPipe: [Int32] = [-1, -1]
        guard pipe2(&outPipe, O_CLOEXEC) == 0, pipe2(&errPipe, O_CLOEXEC) == 0 else { throw .failed(errno) }
        if feedsInput { guard pipe2(&inPipe, O_CLOEXEC) == 0 else { throw .failed(errno) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if feedsInput {
            posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // This process's own environment as it is when nothing is added; else its entries but
        // those `extraEnvironment` replaces, then those. (Copying it through a dictionary of
        // strings cost more than the spawn itself.)
        var envp: [UnsafeMutablePointer<CChar>?] = []
        if !extraEnvironment.isEmpty {
            let replaced = extraEnvironment.keys.map { Array(($0 + "=").utf8CString) }
            var entry = environ
            while let pointer = entry.pointee {
                if !replaced.contains(where: { strncmp(pointer, $0, $0.count - 1) == 0 }) { envp.append(strdup(pointer)) }
                entry += 1
            }
            for (key, value) in extraEnvironment { envp.append(strdup("\(key)=\(value)")) }
            envp.append(nil)
        }
        defer { envp.forEach { free($0) } }
        var child: pid_t = 0
        let executable = Self.resolve(arguments[0])
        let status = envp.isEmpty
            ? posix_spawn(&child, executable, &actions, nil, argv, environ)
            : posix_spawn(&child, executable, &actions, nil, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        if feedsInput { close(inPipe[0]) }
        guard status == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            if feedsInput { close(inPipe[1]) }
            throw status == ENOENT ? .notFound : .failed(status)
        }
        pid = child
        output = outPipe[0]
        input = feedsInput ? inPipe[1] : nil
        let errorDescriptor = errPipe[0]
        let box = stderrBox
        let done = stderrDone
        // Own threads, not the dispatch pool: its few threads may all be busy scanning while
        // waiting on this very child, which would deadlock.
        Thread.detachNewThread {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(errorDescriptor, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                if bytes.count < 1 << 20 { bytes += chunk[0..<count] }
            }
            close(errorDescriptor)
            box.bytes = bytes
            done.signal()
        }
    }

    /// Programs found on `PATH`, looked up once: `posix_spawnp` tries every `PATH` folder on
    /// every spawn, and a hook run spawns git several times.
    private static let resolved = Mutex<[String: String]>([:])

    /// `name` as an absolute path found on `PATH`, or `name` itself (a path already, or not found:
    /// then the spawn fails with ENOENT, reported as `notFound`).
    static func resolve(_ name: String) -> String {
        if name.contains("/") { return name }
        if let known = resolved.withLock({ $0[name] }) { return known }
        // getenv, not ProcessInfo.environment, which copies the whole environment into a dictionary.
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (folder.isEmpty ? "." : String(folder)) + "/" + name
            var info = stat()
            if access(candidate, X_OK) == 0, stat(candidate, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
                resolved.withLock { $0[name] = candidate }
                return candidate
            }
        }
        return name
    }

    /// Writes `data` to the child's standard input from a background queue, then closes it, so
    /// the child can answer while still being asked (no deadlock on full pipes).
    func feed(_ data: [UInt8]) {
        guard let input else { return }
        Thread.detachNewThread {
            var offset = 0
            data.withUnsafeBytes { buffer in
                while offset < buffer.count {
                    let written = write(input, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        break   // the child stopped reading
                    }
                    offset += written
                }
            }
            close(input)
        }
    }

    /// Reads all remaining standard output.
    func readAll() -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(output, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            result += chunk[0..<count]
        }
        return result
    }

    /// Waits for the child; returns its exit status (128 + signal if killed) and its stderr.
    func wait() -> (status: Int32, standardError: [UInt8]) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(output)
        stderrDone.wait()
        let exited = status & 0x7F == 0
        return (exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F), stderrBox.bytes)
    }

    func terminate() {
        kill(pid, SIGTERM)
    }
}
