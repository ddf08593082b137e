import FeatureFlags
import Synchronization

/// The fetcher the cache gets in a run: the real one, timed, and (when the
/// scenario asks for W10) crashing on purpose with a seeded probability.
///
/// Why a wrapper and not a server fault: W10 is a bug in the driver (a panic
/// inside the fetch), not something a server can make a correct client do.
/// A crash is thrown as ``FeatureFlags/FlagFetchPanic``, which the `seed`
/// policy handles as Go did (no deferred reset) and `recommended` clears.
final class ProbedFetcher: FlagFetcher {
    private let base: any FlagFetcher
    private let crashProbability: Double
    private let crashDraws: Atomic<UInt64>
    private let seed: UInt64
    private let latency = Locked(OperationLatency())
    private let lastStart = Atomic<UInt64>(0)

    /// When the latest fetch started (precise monotonic nanoseconds; 0 if none did).
    var lastFetchStart: UInt64 { lastStart.load(ordering: .relaxed) }

    private let crashing: Set<Int>

    /// Told when each (non-crashed) fetch finishes, with the precise time.
    let onFetchFinished: (@Sendable (HostKey, UInt64) -> Void)?
    let clock: EngineClock

    init(base: any FlagFetcher, crashProbability: Double, crashing: Set<Int> = [], seed: UInt64, clock: EngineClock = .realtime,
         onFetchFinished: (@Sendable (HostKey, UInt64) -> Void)? = nil) {
        self.clock = clock
        self.onFetchFinished = onFetchFinished
        self.base = base
        self.crashing = crashing
        self.crashProbability = crashProbability
        self.seed = seed
        self.crashDraws = Atomic(0)
    }

    func fetchFlag(for host: HostKey) async throws -> FlagFetchResult {
        if crashProbability > 0 || !crashing.isEmpty {
            let draw = crashDraws.add(1, ordering: .relaxed).newValue
            if crashing.contains(Int(draw)) || Self.unit(Self.mix(seed &+ draw &* 0x9E37_79B9_7F4A_7C15)) < crashProbability {
                clock.note("fetch \(host.normalized) crashes (planted)")
                throw FlagFetchPanic()
            }
        }
        let start = clock.now()
        lastStart.store(start, ordering: .relaxed)
        clock.note("fetch \(host.normalized) starts")
        defer {
            let finished = clock.now()
            latency.withLock { $0.record(finished &- start) }
            onFetchFinished?(host, finished)
        }
        do {
            let result = try await base.fetchFlag(for: host)
            clock.note("fetch \(host.normalized) answers \(result.enabled)\(result.ttl.map { " (TTL \($0))" } ?? "")")
            return result
        } catch {
            clock.note("fetch \(host.normalized) fails: \(error)")
            throw error
        }
    }

    var fetchLatency: OperationLatency { latency.withLock { $0 } }

    static func unit(_ bits: UInt64) -> Double { Double(bits >> 11) * 0x1.0p-53 }

    /// A well-mixed hash of `value` (one step of the core's SplitMix64), for choices that must not depend on scheduling.
    static func mix(_ value: UInt64) -> UInt64 {
        var generator = SplitMix64(seed: value)
        return generator.next()
    }
}
