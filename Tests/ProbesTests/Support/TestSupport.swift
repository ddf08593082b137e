#if canImport(Glibc)
import Glibc
#endif
import Testing

/// Every Probes test runs one at a time: allocator, descriptor and RSS
/// readings are process-wide, so a neighbouring test allocating or opening
/// files would disturb them. Each file's suite is nested here by extension.
@Suite(.serialized) struct ProbesTests {}

/// A small seeded generator (SplitMix64), so randomised tests replay exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Latency-like values: mostly microseconds, a tail to tens of milliseconds, and a few zeros.
func latencyLikeValues(count: Int, seed: UInt64) -> [UInt64] {
    var generator = SplitMix64(seed: seed)
    return (0 ..< count).map { _ in
        let exponent = Double.random(in: 1.0 ... 7.5, using: &generator)
        return UInt64(pow(10.0, exponent))
    }
}

/// Whether this test binary runs under ThreadSanitizer, whose interceptors serve `malloc` instead of jemalloc.
let isUnderThreadSanitizer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil

/// Runs a measurement of process-wide figures up to `attempts` times (other
/// suites of the same test process, such as the realtime engine runs, allocate
/// concurrently, so a clean window may take many tries) and
/// returns the first result that `isClean` accepts, else the last one.
///
/// Why: in the full `swift test` run other targets' tests run in parallel in
/// the same process and allocate, open sockets and free memory at any
/// moment; one quiet attempt out of a few shows the probe is right, while a
/// real probe bug fails every attempt.
func firstClean<Result>(attempts: Int = 100, _ measure: () -> Result, isClean: (Result) -> Bool) -> Result {
    var result = measure()
    for _ in 1 ..< attempts where !isClean(result) {
        result = measure()
    }
    return result
}
