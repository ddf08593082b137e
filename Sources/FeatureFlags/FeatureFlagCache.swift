/// The per-host feature-flag cache, reference-counted by connections.
///
/// A connection acquires a ``FlagLease`` for its host when it opens, checks the
/// flag through the lease as often as it likes, and releases the lease when it
/// closes. Thousands of connections to one host cause one fetch per TTL window.
///
/// ```swift
/// let cache = FeatureFlagCache(policy: .recommended, fetcher: HTTPFlagFetcher(...))
/// let lease = cache.acquire(HostKey("example.cloud.databricks.com"))
/// defer { lease.release() }
/// if try await lease.isEnabled() { ... }
/// ```
///
/// The policy is chosen per instance: ``FlagCachePolicy/seed`` reproduces the Go
/// reference design, weaknesses included; ``FlagCachePolicy/recommended`` fixes
/// them. Clock, fetcher and spawner are injected; nothing here reaches for a
/// global. Every lock reports statistics (``statistics``).
public final class FeatureFlagCache: Sendable {

    enum Backend: Sendable {
        case seed(SeedFlagCache)
        case recommended(RecommendedFlagCache)
    }


    let backend: Backend
    /// The `recommended` core again, unmanaged, for the hot paths: extracting it
    /// from `backend` costs a reference-count pair per call (`backend` owns it).
    private let recommendedCore: Unmanaged<RecommendedFlagCache>?

    /// The policy this instance follows.
    public let policy: FlagCachePolicy
    /// The settings this instance was created with.
    public let configuration: FlagCacheConfiguration

    /// Creates a cache.
    ///
    /// - Parameters:
    ///   - policy: `seed` (the Go design) or `recommended` (fixed).
    ///   - fetcher: what fetches a host's flag.
    ///   - clock: the time source; the default reads the coarse monotonic clock.
    ///   - configuration: TTL, fetch timeout, backoff and so on.
    ///   - spawner: where `recommended` runs detached fetches and refreshes.
    public init(
        policy: FlagCachePolicy,
        fetcher: any FlagFetcher,
        clock: any FlagClock = CoarseMonotonicClock(),
        configuration: FlagCacheConfiguration = FlagCacheConfiguration(),
        spawner: any FlagTaskSpawner = UnstructuredTaskSpawner()
    ) {
        self.policy = policy
        self.configuration = configuration
        switch policy {
        case .seed:
            backend = .seed(SeedFlagCache(fetcher: fetcher, clock: clock, configuration: configuration))
        case .recommended:
            backend = .recommended(RecommendedFlagCache(
                fetcher: fetcher, clock: clock, configuration: configuration, spawner: spawner))
        }
        if case .recommended(let core) = backend {
            recommendedCore = Unmanaged.passUnretained(core)
        } else {
            recommendedCore = nil
        }
    }

    /// Why: leases point at the cache's entries without reference counting (it
    /// keeps acquire, release and checks free of atomic reference-count traffic).
    /// If the cache is dropped while leases are still out, its internals are
    /// deliberately kept alive, so a late lease still works instead of reading
    /// freed memory. Drop a cache only after its leases are released.
    deinit {
        if case .recommended(let cache) = backend, cache.hasOutstandingLeases {
            _ = Unmanaged.passRetained(cache)
        }
    }

    /// Takes a lease on `host`'s entry, creating the entry if needed. Never fetches.
    ///
    /// Under `seed` the entry is keyed by ``HostKey/raw`` (as the Go code did);
    /// under `recommended` by ``HostKey/normalized``.
    public func acquire(_ host: borrowing HostKey) -> FlagLease {
        if let core = recommendedCore {
            let (handle, ticket) = core._withUnsafeGuaranteedRef { $0.acquire(host) }
            return FlagLease(.recommended(handle, ticket))
        }
        guard case .seed(let cache) = backend else { preconditionFailure("unreachable") }
        cache.acquire(host.raw)
        return FlagLease(.seed(cache, host.raw))
    }

    /// Takes a lease on `host` (normalised once here; prefer building a ``HostKey`` once per connection).
    public func acquire(_ host: String) -> FlagLease {
        acquire(HostKey(host))
    }

    /// Runs `body` with a lease on `host` and releases it afterwards, even if `body` throws.
    public func withLease<Result>(
        _ host: HostKey, _ body: (FlagLease) async throws -> Result
    ) async rethrows -> Result {
        let lease = acquire(host)
        defer { lease.release() }
        return try await body(lease)
    }

    /// Whether the flag is on for `host`, without holding a lease (Go's `isTelemetryEnabled`).
    ///
    /// A host with no entry answers `false` without fetching, as in the Go code.
    /// Otherwise this behaves like ``FlagLease/isEnabled()``. Build the
    /// ``HostKey`` once per connection: its hash is computed when it is made.
    @inlinable
    nonisolated(nonsending)
    public func isEnabled(host: HostKey) async throws -> Bool {
        if let value = cachedValue(host: host) { return value }
        return try await isEnabledSlowly(host: host)
    }

    /// The answer for `host` if it can be given without waiting: `false` for a
    /// host with no entry, the cached value while it is fresh, otherwise `nil`.
    ///
    /// This is the synchronous half of ``isEnabled(host:)``: one lock, one
    /// lookup, no allocation, no suspension.
    public func cachedValue(host: borrowing HostKey) -> Bool? {
        if let core = recommendedCore {
            return core._withUnsafeGuaranteedRef { $0.cachedValue(key: host) }
        }
        guard case .seed(let cache) = backend else { preconditionFailure("unreachable") }
        return cache.cachedValue(host.raw)
    }

    @usableFromInline
    nonisolated(nonsending)
    func isEnabledSlowly(host: HostKey) async throws -> Bool {
        switch backend {
        case .seed(let cache): try await cache.isEnabled(host.raw)
        case .recommended(let cache): try await cache.isEnabledSlow(key: host)
        }
    }

    /// A readout of entries, leases, fetches and lock statistics.
    public var statistics: FlagCacheStatistics {
        switch backend {
        case .seed(let cache): cache.snapshot()
        case .recommended(let cache): cache.snapshot()
        }
    }

    /// Removes expired, unreferenced entries now (`recommended`; `seed` deletes on
    /// the last release and has nothing to sweep). Returns how many were removed.
    ///
    /// The cache also sweeps by itself as its registry grows; call this to
    /// measure what is left after a drain.
    @discardableResult
    public func sweep() -> Int {
        switch backend {
        case .seed: 0
        case .recommended(let cache): cache.sweep()
        }
    }

    /// Test support: returns once at least `count` callers are parked on fetches
    /// (immediately under `seed`, whose callers never wait).
    func waitForWaitingCallers(atLeast count: Int) async {
        if case .recommended(let cache) = backend {
            await cache.waitForWaitingCallers(atLeast: count)
        }
    }

    /// Waits until every background fetch and refresh this cache started has finished.
    public func shutdown() async {
        if case .recommended(let cache) = backend {
            await cache.waitForBackgroundWork()
        }
    }
}

/// One connection's hold on one host's flag entry.
///
/// Under `recommended` a lease is idempotent: releasing it a second time does
/// nothing but count a double release, and checking a released lease throws
/// ``FlagLeaseError/released``. A lease must not outlive its cache. Under `seed` release is per host, as in the Go
/// code, so a second release drops a reference some other connection holds
/// (weakness W4). Copies of a lease are the same lease.
public struct FlagLease: Sendable {
    enum Backing: Sendable {
        case seed(SeedFlagCache, String)
        /// Unmanaged: a warm check and an acquire+release cost no reference
        /// counting (see ``LeaseTicket`` for why that matters and why it is safe).
        case recommended(Unmanaged<FlagEntryHandle>, LeaseTicket)
    }

    let backing: Backing

    init(_ backing: Backing) { self.backing = backing }

    /// Whether the flag is on for this lease's host.
    ///
    /// A fresh cached value is returned without locking, allocating or
    /// suspending (``cachedValue``). Under `recommended` a cold host makes the
    /// caller wait for the one shared fetch (its error is thrown if it fails);
    /// an expired host answers its stale value at once while one refresh runs,
    /// and refresh-ahead keeps busy hosts from expiring at all.
    @inlinable
    nonisolated(nonsending)
    public func isEnabled() async throws -> Bool {
        if let value = cachedValue { return value }
        return try await isEnabledSlowly()
    }

    /// The answer if it can be given without waiting, else `nil`.
    ///
    /// The synchronous half of ``isEnabled()``: under `recommended` one atomic
    /// load and a coarse clock read; under `seed` one lock and one lookup (as the
    /// Go code did on every check). Never fetches.
    public var cachedValue: Bool? {
        #if FLAGSTORM_PLANTED_HOT_PATH_DELAY
        // A planted regression (built only with -DFLAGSTORM_PLANTED_HOT_PATH_DELAY, see .ci/planted-regression.sh):
        // every check waits about 20 µs before answering.
        plantedHotPathDelay()
        #endif
        switch backing {
        case .recommended(let handle, let ticket):
            guard ticket.isOutstanding else { return nil }
            return handle._withUnsafeGuaranteedRef { $0.fastValue(at: $0.nowNanoseconds()) }
        case .seed(let cache, let raw):
            return cache.cachedValue(raw)
        }
    }

    @usableFromInline
    nonisolated(nonsending)
    func isEnabledSlowly() async throws -> Bool {
        switch backing {
        case .recommended(let handle, let ticket):
            // Released: the entry may be gone, so do not touch it (not even for its name).
            guard ticket.isOutstanding else { throw FlagLeaseError.released }
            let (cache, key) = handle._withUnsafeGuaranteedRef { ($0.cache, $0.key) }
            return try await cache.isEnabledSlow(key: key)
        case .seed(let cache, let raw):
            return try await cache.isEnabled(raw)
        }
    }

    /// Releases the lease (see the type's documentation for the policies' difference).
    public func release() {
        switch backing {
        case .recommended(_, let ticket):
            _ = ticket.release()
        case .seed(let cache, let raw):
            cache.release(raw)
        }
    }

    /// The host as this lease's cache keys it (read it while the lease is out).
    public var host: String {
        switch backing {
        case .recommended(let handle, _): handle._withUnsafeGuaranteedRef { $0.key.normalized }
        case .seed(_, let raw): raw
        }
    }

    /// Whether the lease is still out (`seed` cannot tell and always says `true`).
    public var isOutstanding: Bool {
        switch backing {
        case .recommended(_, let ticket): ticket.isOutstanding
        case .seed: true
        }
    }
}

/// Misuse of a lease.
public enum FlagLeaseError: Error, Hashable, Sendable {
    /// The lease was checked after it had been released (`recommended` only).
    case released
}

#if FLAGSTORM_PLANTED_HOT_PATH_DELAY
/// The planted hot-path regression: spins for about 20 µs.
@usableFromInline
func plantedHotPathDelay() {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < .microseconds(20) {}
}
#endif
