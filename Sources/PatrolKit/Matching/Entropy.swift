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
            if bytes.count <= termsUpTo {
                // Only the counts of bytes present are cleared and read, in increasing byte
                // order (a bit per byte value says which), and their terms are looked up: the
                // same sum to the last bit, without 256 counts and a log2 call per distinct byte
                // for every candidate.
                var present: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
                withUnsafeMutableBytes(of: &present) { raw in
                    let bits = raw.bindMemory(to: UInt64.self)
                    for byte in bytes {
                        counts[Int(byte)] = 0
                        bits[Int(byte >> 6)] |= 1 << UInt64(byte & 63)
                    }
                }
                for byte in bytes { counts[Int(byte)] &+= 1 }
                let row = (bytes.count - 1) * bytes.count / 2
                var entropy = 0.0
                terms.withUnsafeBufferPointer { terms in
                    withUnsafeBytes(of: present) { raw in
                        for word in 0..<4 {
                            var bits = raw.load(fromByteOffset: word * 8, as: UInt64.self)
                            while bits != 0 {
                                let byte = word * 64 + bits.trailingZeroBitCount
                                bits &= bits - 1
                                entropy -= terms[row + Int(counts[byte]) - 1]
                            }
                        }
                    }
                }
                return entropy
            }
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

    /// Candidates up to this long take their terms from `terms`.
    static let termsUpTo = 128

    /// `p * log2(p)` for p = count / total, 1 ≤ count ≤ total ≤ `termsUpTo`, computed as
    /// `bitsPerByte` computes it; row `total` starts at (total − 1) · total / 2.
    private static let terms: [Double] = {
        var terms: [Double] = []
        terms.reserveCapacity(termsUpTo * (termsUpTo + 1) / 2)
        for total in 1...termsUpTo {
            for count in 1...total {
                let p = Double(count) / Double(total)
                terms.append(p * log2(p))
            }
        }
        return terms
    }()
}

