/// Which behaviour a ``FeatureFlagCache`` or ``TelemetryClientManager`` instance has.
///
/// Both live side by side so the harness can show the reference design's
/// weaknesses next to their fixes in one run.
public enum FlagCachePolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// The Go reference design's observable behaviour, weaknesses W1–W10 included
    /// (see `shared/seed/REFERENCE-BEHAVIOUR.md`).
    case seed
    /// The fixed design: shared in-flight fetches, TTL that outlives the last
    /// release, one host normaliser, idempotent leases, start/close outside the
    /// lock, backoff honouring `Retry-After`, detached fetches, refresh-ahead.
    case recommended
}

/// Settings of a ``FeatureFlagCache``. Defaults are the reference design's.
public struct FlagCacheConfiguration: Sendable, Hashable {
    /// How long a fetched value is fresh when the server does not say (and, under `seed`, always).
    public var ttl: Duration = .seconds(15 * 60)
    /// How long one fetch may take before it counts as failed.
    public var fetchTimeout: Duration = .seconds(10)
    /// `recommended` only: the range a server-advertised TTL is clamped to.
    public var ttlBounds: ClosedRange<Duration> = .seconds(10) ... .seconds(3600)
    /// `recommended` only: the fraction of the TTL, at its end, during which the
    /// first caller starts a background refresh while everyone keeps the current value.
    /// 0 turns refresh-ahead off.
    public var refreshAheadFraction: Double = 0.1
    /// `recommended` only: the first backoff after a failed fetch; it doubles per consecutive failure.
    public var backoffBase: Duration = .seconds(1)
    /// `recommended` only: the longest backoff, and the longest `Retry-After` honoured.
    public var backoffCap: Duration = .seconds(300)
    /// `recommended` only: seed of the backoff jitter, so simulated runs replay exactly.
    public var jitterSeed: UInt64 = 0x5EED
    /// `recommended` only: unreferenced entries are swept once the registry holds
    /// this many (the threshold then doubles with the live size), keeping memory
    /// bounded by the hosts seen within one TTL.
    public var sweepThreshold: Int = 1024

    /// The reference design's settings: 15-minute TTL, 10-second fetch timeout.
    public init() {}

    /// The age beyond which an in-flight mark counts as stuck: twice the fetch timeout, and at least 100 ms more than it.
    public var stuckFetchBound: Duration {
        max(fetchTimeout * 2, fetchTimeout + .milliseconds(100))
    }

    /// Settings with the given TTL and fetch timeout, the rest defaulted.
    public init(ttl: Duration, fetchTimeout: Duration = .seconds(10)) {
        self.ttl = ttl
        self.fetchTimeout = fetchTimeout
    }
}

/// Starts the cache's background work (detached fetches and refresh-ahead).
///
/// Injected so that a simulated run can put that work on its own seeded
/// executor; the cache counts what it spawned and ``FeatureFlagCache/shutdown()``
/// waits for all of it, so no spawned work is ever unowned.
public protocol FlagTaskSpawner: Sendable {
    /// Runs `operation` concurrently with the caller.
    func spawn(_ operation: @escaping @Sendable () async -> Void)
}

/// The default spawner: an unstructured task per operation (owned by the cache, which tracks and awaits it).
public struct UnstructuredTaskSpawner: FlagTaskSpawner {
    /// Creates the spawner.
    public init() {}

    public func spawn(_ operation: @escaping @Sendable () async -> Void) {
        Task(operation: operation)
    }
}
