#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A report to read: standard input for `-`, else the file, opened (not read) here.
struct ReportInput {
    let descriptor: Int32
    let source: String

    init(path: String) throws {
        if path == "-" {
            descriptor = STDIN_FILENO
            source = "<stdin>"
            return
        }
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CommandFailure("\(path): cannot read the report (no such file, or not readable)") }
        source = path
    }

    /// A regular file, which `rewind` can read again from its start.
    var canReadAgain: Bool {
        var status = stat()
        return fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Back to the start of the file; false when it cannot seek.
    func rewind() -> Bool {
        canReadAgain && lseek(descriptor, 0, SEEK_SET) == 0
    }

    func close() {
        if descriptor != STDIN_FILENO { _ = closeDescriptor(descriptor) }
    }
}

/// `close(2)`, which `ReportInput.close()` hides by its name.
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }
