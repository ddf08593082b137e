/// Counts of fetches a cache started and how they ended (the cache's own view;
/// the harness takes ground truth from the server's journal).
public struct FetchCounters: Sendable, Hashable, Codable {
    /// Fetches started.
    public var started: UInt64 = 0
    /// Fetches that returned a value.
    public var succeeded: UInt64 = 0
    /// Fetches that failed (error, timeout, cancellation).
    public var failed: UInt64 = 0

    /// Zero counts.
    public init() {}
}

/// A point-in-time readout of a ``FeatureFlagCache``, for tests, leak checks and the harness.
public struct FlagCacheStatistics: Sendable, Hashable {
    /// The cache's policy.
    public var policy: FlagCachePolicy
    /// Entries in the registry (referenced or retained until expiry).
    public var entries: Int
    /// Entries with at least one outstanding lease.
    public var referencedEntries: Int
    /// Leases acquired and not yet released.
    public var outstandingLeases: Int
    /// Releases of an already released lease (always 0 under `seed`, which cannot tell).
    public var doubleReleases: UInt64
    /// Fetches started and their outcomes.
    public var fetches: FetchCounters
    /// Hosts with a fetch in flight (under `seed`, including any stuck by W10).
    public var inFlight: Int
    /// Hosts marked as fetching for longer than any fetch can take (``FlagCacheConfiguration/stuckFetchBound``):
    /// stuck marks, as a crashed fetch leaves under `seed` (W10).
    ///
    /// Why a bound and not "no fetch running": every fetch runs under the fetch
    /// timeout, so a mark older than that is stuck whatever the machine's load.
    public var inFlightBeyondTimeout: Int
    /// Callers parked waiting for an in-flight fetch (`recommended` only; `seed` never waits).
    public var waitingCallers: Int
    /// Background tasks (detached fetches, refreshes) spawned and not yet finished.
    public var backgroundTasksOutstanding: Int
    /// Lease records the registry keeps for reuse (about its peak of outstanding leases, at most four times it).
    public var leaseSlots: Int
    /// Statistics of each lock of the cache.
    public var locks: [LockStatistics]
}
