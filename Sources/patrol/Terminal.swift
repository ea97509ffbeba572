import Foundation
import PatrolKit

/// Where the command talks to a person: messages on standard error, colour decisions.
enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("patrol: error: \(TerminalText.escaped(message, keepingLineEnds: true))\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("patrol: warning: \(TerminalText.escaped(message, keepingLineEnds: true))\n".utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((TerminalText.escaped(message, keepingLineEnds: true) + "\n").utf8))
    }

    /// This process's peak resident memory in KiB (`VmHWM` of /proc/self/status), nil where
    /// there is none. Not `getrusage`: its `ru_maxrss` starts from the peak of the process
    /// that spawned patrol (posix_spawn's child shares the parent's memory until it execs), so
    /// patrol started by a large process would report that one's peak.
    static func peakMemoryKiB() -> Int? {
        // Read with read(2): /proc files report a size of 0, which file-reading helpers trust.
        let descriptor = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        guard let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace).first ?? "")
    }

    /// Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or --no-color.
    static func useColor(descriptor: Int32, disabled: Bool) -> Bool {
        if disabled { return false }
        // getenv, not ProcessInfo.environment, which copies the whole environment into a dictionary.
        if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return isatty(descriptor) == 1
    }

    /// Writes `text` to `path`, or to standard output when nil; a file that holds secrets in
    /// clear is private (`ReportFile`).
    static func write(_ text: String, to path: String?, holdsSecrets: Bool = false) throws {
        if let path {
            try ReportFile.write(text, to: path, holdsSecrets: holdsSecrets)
        } else {
            writeStandardOutput(text)
        }
    }

    /// Writes what `produce` hands its sink to `path` (as `write(_:to:holdsSecrets:)` does), or
    /// to standard output when nil, a piece at a time: a big report is never held whole.
    static func stream(to path: String?, holdsSecrets: Bool = false, _ produce: ((UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        guard let path else {
            var open = true
            try produce { piece in
                if open { open = writeAll(piece, to: STDOUT_FILENO) == 0 }
            }
            return
        }
        let descriptor = try ReportFile.open(path, holdsSecrets: holdsSecrets)
        defer { close(descriptor) }
        try produce { piece in
            let failure = writeAll(piece, to: descriptor)
            if failure != 0 { throw CommandFailure("cannot write \(path): \(String(cString: strerror(failure)))") }
        }
    }

    /// Writes all of `bytes`, retrying interrupted writes; 0, or the errno of the write that failed.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }

    /// Writes to standard output; a reader that went away (`patrol … | head`) ends the output
    /// quietly instead of killing patrol with SIGPIPE.
    static func writeStandardOutput(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    /// Writes all of `text` to `descriptor`, retrying interrupted writes; stops quietly when the
    /// reader went away.
    static func write(_ text: String, to descriptor: Int32) {
        _ = Array(text.utf8).withUnsafeBytes { writeAll($0, to: descriptor) }
    }
}
