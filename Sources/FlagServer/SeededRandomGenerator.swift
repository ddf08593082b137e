/// A small, fast, seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// Why our own: every random choice of the fake server (which fault fires,
/// how long a request takes) must replay exactly from a seed, on every
/// platform and Swift version. The standard library's `random(in:using:)`
/// algorithms are not promised to stay the same, and Foundation's randomness is
/// not seedable, so the model draws only through ``nextUInt64()`` and
/// ``nextUnitDouble()``, whose outputs are fixed by the algorithm.
public struct SeededRandomGenerator: RandomNumberGenerator, Sendable, Hashable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose whole output is determined by `seed`.
    ///
    /// The four state words come from SplitMix64 (as the xoshiro authors
    /// recommend), so that nearby seeds such as 1 and 2 give unrelated streams
    /// and no seed yields the all-zero state.
    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = nextSplitMix()
        s1 = nextSplitMix()
        s2 = nextSplitMix()
        s3 = nextSplitMix()
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func nextUInt64() -> UInt64 {
        let result = rotateLeft(s1 &* 5, by: 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotateLeft(s3, by: 45)
        return result
    }

    /// `RandomNumberGenerator` conformance: the same as ``nextUInt64()``.
    public mutating func next() -> UInt64 { nextUInt64() }

    /// A uniform double in `[0, 1)` with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(nextUInt64() >> 11) * 0x1p-53
    }

    private func rotateLeft(_ value: UInt64, by amount: UInt64) -> UInt64 {
        (value << amount) | (value >> (64 - amount))
    }
}
