#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a pipe in large blocks and hands out records in place: a delimited field, or a run of
/// N bytes (a blob), as a buffer pointer valid until the next call. It grows to hold the largest
/// record and never keeps more than that plus one block.
final class StreamBuffer {
    private let descriptor: Int32
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var start = 0
    private var end = 0
    private(set) var atEnd = false
    private(set) var readError: String?

    init(descriptor: Int32, capacity: Int = 4 << 20) {
        self.descriptor = descriptor
        self.capacity = capacity
        storage = .allocate(byteCount: capacity, alignment: 64)
    }

    deinit { storage.deallocate() }

    /// Bytes up to (not including) `delimiter`, consumed with it; nil at the end of input. A
    /// last field without a delimiter is returned as is.
    func field(until delimiter: UInt8) -> UnsafeRawBufferPointer? {
        var searched = 0
        while true {
            let available = end - start
            if available > searched, let found = memchr(storage + start + searched, Int32(delimiter), available - searched) {
                let length = storage.advanced(by: start).distance(to: found)
                let result = UnsafeRawBufferPointer(start: storage + start, count: length)
                start += length + 1
                return result
            }
            searched = available
            if !fill(minimum: available + 1) {
                guard available > 0 else { return nil }
                let result = UnsafeRawBufferPointer(start: storage + start, count: available)
                start = end
                return result
            }
        }
    }

    /// Exactly `count` bytes, consumed; nil if the input ends first.
    func bytes(_ count: Int) -> UnsafeRawBufferPointer? {
        if end - start < count, !fill(minimum: count) { return nil }
        let result = UnsafeRawBufferPointer(start: storage + start, count: count)
        start += count
        return result
    }

    /// The next byte without consuming it; nil at the end.
    func peek() -> UInt8? {
        if end == start, !fill(minimum: 1) { return nil }
        return storage.load(fromByteOffset: start, as: UInt8.self)
    }

    func skip(_ count: Int) {
        start = min(end, start + count)
    }

    /// Reads until at least `minimum` unconsumed bytes are held; false at end of input.
    private func fill(minimum: Int) -> Bool {
        if start > 0 {
            let kept = end - start
            if kept > 0 { memmove(storage, storage + start, kept) }
            start = 0
            end = kept
        }
        if minimum > capacity {
            var grown = capacity
            while grown < minimum { grown *= 2 }
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 64)
            bigger.copyMemory(from: storage, byteCount: end)
            storage.deallocate()
            storage = bigger
            capacity = grown
        }
        while end < minimum {
            let count = read(descriptor, storage + end, capacity - end)
            if count < 0 {
                if errno == EINTR { continue }
                readError = String(cString: strerror(errno))
                atEnd = true
                return false
            }
            if count == 0 {
                atEnd = true
                return false
            }
            end += count
        }
        return true
    }
}
