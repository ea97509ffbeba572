/// SplitMix64: a small seedable RNG so generated test tokens can be reproducible.
///
/// The system generator cannot be seeded, and a test that fails on one random token
/// out of thousands has to be repeatable to be debugged. SplitMix64 (Steele, Lea and
/// Flood, "Fast splittable pseudorandom number generators", 2014) is tiny, passes
/// BigCrush and is the usual seeder for the xoshiro family, so its output for a
/// given seed is well known (seed 0 starts `0xE220A8397B1DCDAF`). It is *not* a
/// cryptographic generator: never use it for anything that must stay secret.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed &>> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed &>> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed &>> 31)
    }
}
