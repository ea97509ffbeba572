#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CArchive

/// One libarchive reader, configured for the formats patrol opens: zip (and its kin), tar, 7z and
/// cpio, through the gzip, bzip2, xz, zstd and other filters; a compressed stream that holds no
/// archive (`app.log.gz`) reads as one entry through the `raw` format.
///
/// Not Sendable: one per scanning thread, used for one input, freed by `close()`.
struct ArchiveHandle {
    let pointer: OpaquePointer

    init() {
        pointer = archive_read_new()
        archive_read_support_filter_all(pointer)
        archive_read_support_format_zip(pointer)
        archive_read_support_format_tar(pointer)
        archive_read_support_format_7zip(pointer)
        archive_read_support_format_cpio(pointer)
        archive_read_support_format_raw(pointer)
    }

    func close() { archive_read_free(pointer) }

    /// libarchive's last message, or `fallback`.
    func message(_ fallback: String) -> String {
        archive_error_string(pointer).map { String(cString: $0) } ?? fallback
    }

    /// Whether the open archive is a bare compressed stream rather than a container.
    var isRawStream: Bool { archive_format(pointer) == ARCHIVE_FORMAT_RAW }

    /// Opens bytes held in memory (a git blob).
    func open(memory: UnsafeRawBufferPointer) -> Int32 {
        archive_read_open_memory(pointer, memory.baseAddress, memory.count)
    }

    /// Opens a file through `source`, which can seek: a zip's central directory at its end is
    /// read, as it must be for zips with data descriptors, without reading the whole file.
    func open(file source: FileArchiveSource) -> Int32 {
        let context = Unmanaged.passUnretained(source).toOpaque()
        archive_read_set_callback_data(pointer, context)
        archive_read_set_read_callback(pointer) { _, context, output in
            let source = Unmanaged<FileArchiveSource>.fromOpaque(context!).takeUnretainedValue()
            return source.read(into: output!)
        }
        archive_read_set_seek_callback(pointer) { _, context, offset, whence in
            let source = Unmanaged<FileArchiveSource>.fromOpaque(context!).takeUnretainedValue()
            return source.seek(offset, whence: whence)
        }
        return archive_read_open1(pointer)
    }

    /// Opens an entry of an enclosing archive as an archive itself, streaming: the entry is
    /// never held whole in memory.
    func open(nested source: NestedArchiveSource) -> Int32 {
        let context = Unmanaged.passUnretained(source).toOpaque()
        return archive_read_open(pointer, context, nil, { archive, context, output in
            let source = Unmanaged<NestedArchiveSource>.fromOpaque(context!).takeUnretainedValue()
            return source.read(into: output!)
        }, nil)
    }
}

/// A file read through `pread` in blocks, with seeking, for libarchive's callbacks.
final class FileArchiveSource {
    private let descriptor: Int32
    private let size: Int64
    private var offset: Int64 = 0
    private let block: UnsafeMutableRawBufferPointer

    init(descriptor: Int32, size: Int) {
        self.descriptor = descriptor
        self.size = Int64(size)
        block = .allocate(byteCount: 1 << 20, alignment: 16)
    }

    deinit { block.deallocate() }

    func read(into output: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        while true {
            let count = pread(descriptor, block.baseAddress, block.count, off_t(offset))
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return Int(ARCHIVE_FATAL) }
            offset += Int64(count)
            output.pointee = UnsafeRawPointer(block.baseAddress)
            return count
        }
    }

    func seek(_ target: Int64, whence: Int32) -> Int64 {
        let base: Int64 = switch whence {
        case SEEK_CUR: offset
        case SEEK_END: size
        default: 0
        }
        guard base + target >= 0 else { return Int64(ARCHIVE_FATAL) }
        offset = base + target
        return offset
    }
}

/// An archive inside an archive: the entry's first bytes (already read to recognise it), then
/// the rest of the entry, read from the enclosing archive as libarchive asks for it.
final class NestedArchiveSource {
    private var parent: ArchiveEntryStream
    private let head: UnsafeMutableRawBufferPointer
    private var headGiven = false
    private let block: UnsafeMutableRawBufferPointer
    /// Why reading the enclosing entry failed, if it did.
    private(set) var failure: String?

    init(parent: ArchiveEntryStream, head: UnsafeRawBufferPointer) {
        self.parent = parent
        self.head = .allocate(byteCount: max(1, head.count), alignment: 16)
        if head.count > 0 { self.head.baseAddress!.copyMemory(from: head.baseAddress!, byteCount: head.count) }
        headCount = head.count
        block = .allocate(byteCount: 256 << 10, alignment: 16)
    }

    private let headCount: Int

    deinit {
        head.deallocate()
        block.deallocate()
    }

    func read(into output: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        if !headGiven {
            headGiven = true
            if headCount > 0 {
                output.pointee = UnsafeRawPointer(head.baseAddress)
                return headCount
            }
        }
        do {
            let count = try parent.fill(block)
            output.pointee = UnsafeRawPointer(block.baseAddress)
            return count
        } catch {
            failure = error.message
            return Int(ARCHIVE_FATAL)
        }
    }
}

/// What one outermost input's archives may still read: shared by every nesting level, so the
/// limits hold for the input as a whole.
final class ArchiveBudget {
    let limits: ArchiveLimits
    /// The outermost archive: how many of the input's own bytes it has consumed so far is what
    /// the ratio is judged against, so a bomb stops early in the stream, not at its end.
    private let outermost: OpaquePointer
    private(set) var uncompressed = 0
    var entries = 0
    /// Set once a limit is reached: nothing more of the input is read.
    var stopReason: String?

    init(limits: ArchiveLimits, outermost: OpaquePointer) {
        self.limits = limits
        self.outermost = outermost
    }

    /// Counts `count` bytes read from an entry; false once a limit stops the reading.
    func spend(_ count: Int) -> Bool {
        uncompressed += count
        if uncompressed > limits.maxBytes {
            stopReason = "more than \(ByteCount.text(limits.maxBytes)) uncompressed (raise --archive-max-bytes to read further); the rest was not scanned"
        } else if uncompressed > limits.ratioFloor {
            // Bytes of the input read so far (through the last filter: the raw file or blob).
            let consumed = max(1, Int(archive_filter_bytes(outermost, -1)))
            if uncompressed / consumed > limits.maxRatio {
                stopReason = "expands more than \(limits.maxRatio) times (\(ByteCount.text(consumed)) read gave over \(ByteCount.text(uncompressed))), a likely archive bomb; the rest was not scanned"
            }
        }
        return stopReason == nil
    }
}

/// Sizes for messages: 256 MiB, 3 KiB, 12 bytes.
enum ByteCount {
    static func text(_ bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 || bytes >= 10 << 20 { return "\(bytes >> 20) MiB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 || bytes >= 10 << 10 { return "\(bytes >> 10) KiB" }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }
}

/// The data of the current entry of an archive, read in blocks into the scanner's chunk buffer.
/// Bytes that count toward the limits (a file's content, not a nested archive's compressed
/// bytes) are charged to `budget`; a reached limit ends the entry early.
struct ArchiveEntryStream {
    let archive: OpaquePointer
    let budget: ArchiveBudget
    let charged: Bool
    private(set) var sawEnd = false

    init(archive: OpaquePointer, budget: ArchiveBudget, charged: Bool) {
        self.archive = archive
        self.budget = budget
        self.charged = charged
    }

    var isExhausted: Bool { sawEnd }

    mutating func fill(_ destination: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        var filled = 0
        while filled < destination.count, !sawEnd {
            // In slices no larger than the bytes still allowed: a limit holds to the byte.
            let allowed = charged ? max(1, budget.limits.maxBytes - budget.uncompressed + 1) : Int.max
            let count = archive_read_data(archive, destination.baseAddress! + filled, min(destination.count - filled, 1 << 20, allowed))
            if count < 0 {
                if count == Int(ARCHIVE_RETRY) { continue }
                throw ReadError(message: archive_error_string(archive).map { String(cString: $0) } ?? "cannot read the entry")
            }
            if count == 0 {
                sawEnd = true
                break
            }
            filled += count
            if charged, !budget.spend(count) { sawEnd = true }
        }
        return filled
    }
}
