#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shannon entropy in bits per byte, counted with a table on the stack: it runs once per
/// candidate secret, so it must not allocate.
enum Entropy {
    static func bitsPerByte(_ bytes: UnsafeRawBufferPointer) -> Double {
        guard !bytes.isEmpty else { return 0 }
        return withUnsafeTemporaryAllocation(of: Int32.self, capacity: 256) { counts in
            counts.initialize(repeating: 0)
            for byte in bytes { counts[Int(byte)] &+= 1 }
            let total = Double(bytes.count)
            var entropy = 0.0
            for count in counts where count > 0 {
                let p = Double(count) / total
                entropy -= p * log2(p)
            }
            return entropy
        }
    }
}

