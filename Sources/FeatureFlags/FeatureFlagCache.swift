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
    }

    /// Takes a lease on `host`'s entry, creating the entry if needed. Never fetches.
    ///
    /// Under `seed` the entry is keyed by ``HostKey/raw`` (as the Go code did);
    /// under `recommended` by ``HostKey/normalized``.
    public func acquire(_ host: HostKey) -> FlagLease {
        switch backend {
        case .seed(let cache):
            cache.acquire(host.raw)
            return FlagLease(.seed(cache, host.raw))
        case .recommended(let cache):
            let (handle, ticket) = cache.acquire(host)
            return FlagLease(.recommended(cache, handle, ticket))
        }
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
    /// Otherwise this behaves like ``FlagLease/isEnabled()``.
    public func isEnabled(host: HostKey) async throws -> Bool {
        switch backend {
        case .seed(let cache): try await cache.isEnabled(host.raw)
        case .recommended(let cache): try await cache.isEnabled(key: host)
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
/// nothing but count a double release. Under `seed` release is per host, as in
/// the Go code, so a second release drops a reference some other connection
/// holds (weakness W4). Copies of a lease are the same lease.
public struct FlagLease: Sendable {

    enum Backing: Sendable {
        case seed(SeedFlagCache, String)
        case recommended(RecommendedFlagCache, FlagEntryHandle, LeaseTicket)
    }


    let backing: Backing

    init(_ backing: Backing) { self.backing = backing }

    /// Whether the flag is on for this lease's host.
    ///
    /// A fresh cached value is returned without locking or allocating. Under
    /// `recommended` a cold or expired host makes the caller wait for the one
    /// shared fetch; if it fails, the stale value is returned when there is one,
    /// else the error is thrown.
    public func isEnabled() async throws -> Bool {
        switch backing {
        case .recommended(let cache, let handle, _):
            return try await cache.isEnabled(handle)
        case .seed(let cache, let raw):
            return try await cache.isEnabled(raw)
        }
    }

    /// Releases the lease (see the type's documentation for the policies' difference).
    public func release() {
        switch backing {
        case .recommended(let cache, let handle, let ticket):
            cache.release(handle, ticket)
        case .seed(let cache, let raw):
            cache.release(raw)
        }
    }

    /// The host as this lease's cache keys it.
    public var host: String {
        switch backing {
        case .recommended(_, let handle, _): handle.key.normalized
        case .seed(_, let raw): raw
        }
    }

    /// Whether the lease is still out (`seed` cannot tell and always says `true`).
    public var isOutstanding: Bool {
        switch backing {
        case .recommended(_, _, let ticket): ticket.isOutstanding
        case .seed: true
        }
    }
}
