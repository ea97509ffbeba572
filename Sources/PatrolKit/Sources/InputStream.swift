#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed read, with the operating system's message.
struct ReadError: Error, Sendable {
    let message: String

    static func errno(_ what: String) -> ReadError {
        ReadError(message: "\(what): \(String(cString: strerror(Glibc.errno)))")
    }
}

/// Bytes read from a file descriptor in large blocks; short reads (pipes) are retried until the
/// destination is full or the input ends.
struct DescriptorStream {
    /// The descriptor to read, or -1 when all the input is in `pending`.
    let descriptor: Int32
    /// Bytes already read (while sniffing the encoding) that come before the descriptor's.
    var pending: [UInt8] = []
    /// Set once a read has returned end of input (or, without a descriptor, once `pending`
    /// is used up): a chunk is the input's last only then, not merely because it came short.
    private(set) var sawEnd = false

    var isExhausted: Bool { descriptor < 0 ? pending.isEmpty : sawEnd && pending.isEmpty }

    mutating func fill(_ destination: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        var filled = 0
        if !pending.isEmpty {
            let count = min(pending.count, destination.count)
            pending.withUnsafeBytes { source in
                destination.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: count)
            }
            pending.removeFirst(count)
            filled = count
        }
        while filled < destination.count, descriptor >= 0 {
            let count = read(descriptor, destination.baseAddress! + filled, destination.count - filled)
            if count < 0 {
                if Glibc.errno == EINTR { continue }
                throw .errno("read failed")
            }
            if count == 0 {
                sawEnd = true
                break
            }
            filled += count
        }
        return filled
    }
}

/// Reading an input twice: input that looks like UTF-16 is scanned raw and transcoded.
extension DescriptorStream {
    /// A stream of `descriptor` from `offset` again, or nil when it cannot be rewound.
    static func rewinder(_ descriptor: Int32, to offset: off_t) -> () -> DescriptorStream? {
        {
            lseek(descriptor, offset, SEEK_SET) == offset ? DescriptorStream(descriptor: descriptor) : nil
        }
    }

    /// Copies `head` and the rest of `descriptor` into an unlinked temporary file, rewound to its
    /// start, so a pipe can be read twice.
    static func spool(head: UnsafeRawBufferPointer, rest descriptor: Int32) throws(ReadError) -> Int32 {
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((folder + "/patrol-stdin-XXXXXX").utf8CString)
        let spool = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard spool >= 0 else { throw .errno("cannot create a temporary file in \(folder) to read standard input twice") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        func writeAll(_ bytes: UnsafeRawBufferPointer) throws(ReadError) {
            var offset = 0
            while offset < bytes.count {
                let written = write(spool, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    close(spool)
                    throw .errno("cannot write the copy of standard input")
                }
                offset += written
            }
        }
        try writeAll(head)
        var source = DescriptorStream(descriptor: descriptor)
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { block.deallocate() }
        while true {
            let count: Int
            do {
                count = try source.fill(block)
            } catch {
                close(spool)
                throw error
            }
            if count == 0 { break }
            try writeAll(UnsafeRawBufferPointer(rebasing: block[0..<count]))
        }
        guard lseek(spool, 0, SEEK_SET) == 0 else {
            close(spool)
            throw .errno("cannot rewind the copy of standard input")
        }
        return spool
    }
}

/// The text encoding of an input, judged from its first bytes.
enum InputEncoding: Equatable {
    case bytes
    case utf16(bigEndian: Bool)
    case binary

    /// UTF-16 is recognised by its byte order mark, or by NULs in every other byte (ASCII text
    /// saved as UTF-16 without one). Otherwise a NUL byte in the first 8 KiB means binary.
    static func sniff(_ head: UnsafeRawBufferPointer) -> InputEncoding {
        if head.count >= 2 {
            if head[0] == 0xFF && head[1] == 0xFE { return .utf16(bigEndian: false) }
            if head[0] == 0xFE && head[1] == 0xFF { return .utf16(bigEndian: true) }
        }
        let sample = UnsafeRawBufferPointer(rebasing: head[0..<min(head.count, 8192)])
        guard let start = sample.baseAddress, memchr(start, 0, sample.count) != nil else { return .bytes }
        let pairs = sample.count / 2
        guard pairs >= 2 else { return .binary }
        var evenZeros = 0
        var oddZeros = 0
        for index in 0..<pairs {
            if sample[2 * index] == 0 { evenZeros += 1 }
            if sample[2 * index + 1] == 0 { oddZeros += 1 }
        }
        // Mostly-ASCII UTF-16: nearly every high byte is zero and almost no low byte is.
        if oddZeros * 10 >= pairs * 7 && evenZeros * 20 <= pairs { return .utf16(bigEndian: false) }
        if evenZeros * 10 >= pairs * 7 && oddZeros * 20 <= pairs { return .utf16(bigEndian: true) }
        // UTF-16 of mostly non-ASCII text (Cyrillic, Greek, CJK) has NULs only where its ASCII
        // spaces, digits and punctuation are: few of them, all on one side. Taken for UTF-16 when
        // the code units read as text (no control characters but tab and line ends, no unpaired
        // surrogate). A wrong guess loses nothing: UTF-16 input is scanned raw too.
        if evenZeros == 0, oddZeros * 20 >= pairs, readsAsText(sample, pairs: pairs, bigEndian: false) { return .utf16(bigEndian: false) }
        if oddZeros == 0, evenZeros * 20 >= pairs, readsAsText(sample, pairs: pairs, bigEndian: true) { return .utf16(bigEndian: true) }
        return .binary
    }

    /// Whether at most 1 in 100 of the sample's UTF-16 code units is a control character (but
    /// tab, line feed and carriage return) or a surrogate without its pair.
    private static func readsAsText(_ sample: UnsafeRawBufferPointer, pairs: Int, bigEndian: Bool) -> Bool {
        var odd = 0
        var afterHigh = false
        for index in 0..<pairs {
            let first = UInt16(sample[2 * index]), second = UInt16(sample[2 * index + 1])
            let unit = bigEndian ? first << 8 | second : second << 8 | first
            let isLow = (0xDC00...0xDFFF).contains(unit)
            if isLow != afterHigh { odd += 1 }   // a low surrogate alone, or a high one without its low
            afterHigh = (0xD800...0xDBFF).contains(unit)
            if unit < 0x20, unit != 0x09, unit != 0x0A, unit != 0x0D { odd += 1 }
        }
        return odd * 100 <= pairs
    }
}

/// UTF-16 input transcoded to UTF-8 on the fly, so tokens saved by Windows tools (PowerShell's
/// `Out-File`, `.reg` exports) are scanned like any text. Unpaired surrogates become U+FFFD.
struct UTF16Stream {
    var source: DescriptorStream
    let bigEndian: Bool
    private var raw: [UInt8]
    private var rawCount = 0
    private var rawOffset = 0
    private var pendingHighSurrogate: UInt16?
    private var skippedByteOrderMark = false

    /// Nothing left: the source has ended and every whole code unit has been transcoded (a
    /// trailing odd byte is dropped).
    var isExhausted: Bool { source.isExhausted && rawCount - rawOffset < 2 }

    init(source: DescriptorStream, bigEndian: Bool, blockSize: Int = 1 << 20) {
        self.source = source
        self.bigEndian = bigEndian
        raw = [UInt8](repeating: 0, count: blockSize)
    }

    /// Fills `destination` with UTF-8; leaves room so a code point is never split.
    mutating func fill(_ destination: UnsafeMutableRawBufferPointer) throws(ReadError) -> Int {
        var written = 0
        while written + 4 <= destination.count {
            if rawCount - rawOffset < 2 {
                // Keep a trailing odd byte, refill the rest.
                let leftover = rawCount - rawOffset
                if leftover == 1 { raw[0] = raw[rawOffset] }
                var failure: ReadError?
                let count = raw.withUnsafeMutableBytes { buffer -> Int in
                    do throws(ReadError) {
                        return try source.fill(UnsafeMutableRawBufferPointer(rebasing: buffer[leftover...]))
                    } catch {
                        failure = error
                        return 0
                    }
                }
                if let failure { throw failure }
                rawOffset = 0
                rawCount = leftover + count
                if count == 0 { break }
                continue
            }
            let unit = bigEndian
                ? UInt16(raw[rawOffset]) << 8 | UInt16(raw[rawOffset + 1])
                : UInt16(raw[rawOffset + 1]) << 8 | UInt16(raw[rawOffset])
            rawOffset += 2
            if !skippedByteOrderMark {
                skippedByteOrderMark = true
                if unit == 0xFEFF { continue }
            }
            var scalar: UInt32
            if let high = pendingHighSurrogate {
                pendingHighSurrogate = nil
                if (0xDC00...0xDFFF).contains(unit) {
                    scalar = 0x10000 + (UInt32(high - 0xD800) << 10) + UInt32(unit - 0xDC00)
                } else {
                    written += encode(0xFFFD, into: destination, at: written)
                    scalar = UInt32(unit)
                }
            } else {
                scalar = UInt32(unit)
            }
            if (0xD800...0xDBFF).contains(scalar) {
                pendingHighSurrogate = UInt16(scalar)
                continue
            }
            if (0xDC00...0xDFFF).contains(scalar) { scalar = 0xFFFD }
            written += encode(scalar, into: destination, at: written)
        }
        return written
    }

    private func encode(_ scalar: UInt32, into destination: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        switch scalar {
        case 0..<0x80:
            destination[offset] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            destination[offset] = UInt8(0xC0 | scalar >> 6)
            destination[offset + 1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            destination[offset] = UInt8(0xE0 | scalar >> 12)
            destination[offset + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            destination[offset + 2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            destination[offset] = UInt8(0xF0 | scalar >> 18)
            destination[offset + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            destination[offset + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            destination[offset + 3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
