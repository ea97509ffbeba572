#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Output written a piece at a time, to `--output FILE` (opened as `ReportFile.open` does) or to
/// standard output, through a 1 MiB buffer: a plan or report of 200,000 entries is never held
/// whole. On standard output a reader that went away ends the output quietly.
final class StreamedOutput {
    private let descriptor: Int32
    private let path: String?
    private var buffer: [UInt8] = []
    private var failure: String?
    /// Standard output's reader went away: the rest is dropped, quietly.
    private var stopped = false
    private static let flushSize = 1 << 20

    init(path: String?, holdsSecrets: Bool = false) throws {
        self.path = path
        descriptor = try path.map { try ReportFile.open($0, holdsSecrets: holdsSecrets) } ?? STDOUT_FILENO
        buffer.reserveCapacity(Self.flushSize + 4096)
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.flushSize { flush() }
    }

    /// Writes what is left and closes the file; throws when a write to the file failed.
    func finish() throws {
        flush()
        if path != nil { _ = close(descriptor) }
        if let failure { throw CommandFailure(failure) }
    }

    private func flush() {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard failure == nil, !stopped else { return }
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    if let path { failure = "cannot write \(path): \(String(cString: strerror(errno)))" } else { stopped = true }
                    return
                }
                offset += written
            }
        }
    }
}
