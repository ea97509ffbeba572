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
            if bytes.count <= termsUpTo {
                // The same terms, looked up: the same sum to the last bit, without a log2 call
                // per distinct byte of every candidate.
                let row = (bytes.count - 1) * bytes.count / 2
                terms.withUnsafeBufferPointer { terms in
                    for count in counts where count > 0 { entropy -= terms[row + Int(count) - 1] }
                }
                return entropy
            }
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

