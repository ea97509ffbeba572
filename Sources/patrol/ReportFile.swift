import Foundation

/// Opens the file a command writes its report to (`--output FILE`).
///
/// A report that holds secrets in clear (`--show-secrets`) is private, like the sweep cache,
/// the audit log and the replacements file: a new file is created mode 0600, and an existing
/// regular file is tightened to 0600 before anything is written to it — a report written over
/// an older, world-readable one must not stay world-readable. If it cannot be tightened (it
/// belongs to someone else), nothing is written and the command fails. Pipes and devices
/// (`-o /dev/stdout`) are written as they are.
enum ReportFile {
    /// A descriptor open for writing, truncated; the caller closes it.
    static func open(_ path: String, holdsSecrets: Bool) throws -> Int32 {
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, holdsSecrets ? 0o600 : 0o666)
        guard descriptor >= 0 else { throw CommandFailure("cannot write \(path): \(String(cString: strerror(errno)))") }
        guard holdsSecrets else { return descriptor }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw CommandFailure("cannot write \(path): \(reason)")
        }
        if (status.st_mode & S_IFMT) == S_IFREG, (status.st_mode & 0o077) != 0, fchmod(descriptor, 0o600) != 0 {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw CommandFailure("\(path) is readable by others and cannot be made private (\(reason)); the report holds secrets in clear (--show-secrets): remove the file or choose another path")
        }
        return descriptor
    }

    /// Writes all of `text` to `path` (see `open`).
    static func write(_ text: String, to path: String, holdsSecrets: Bool) throws {
        let descriptor = try open(path, holdsSecrets: holdsSecrets)
        defer { close(descriptor) }
        let failure = Array(text.utf8).withUnsafeBytes { Terminal.writeAll($0, to: descriptor) }
        if failure != 0 { throw CommandFailure("cannot write \(path): \(String(cString: strerror(failure)))") }
    }
}
