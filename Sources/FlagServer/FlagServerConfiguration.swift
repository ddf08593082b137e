/// Everything the fake flag server does, as data: per-host truth and TTL, latency, the fault plan, outages, flapping, rate limits, the seed.
///
/// Why a value type: a scenario file decodes into it, ``validate()`` checks it
/// before anything runs, and the same value plus the same seed replays the same
/// journal. Host names are normalised (as ``FeatureFlags/HostKey`` does) when a
/// ``FlagServerModel`` is built from it, so `"EXAMPLE.com:443"` and
/// `"example.com"` name one host.
public struct FlagServerConfiguration: Sendable, Hashable {
    /// The flag the reference design asks for; a copy of
    /// `HTTPFlagFetcherConfiguration.defaultFlagName` in FeatureFlagsHTTP, which
    /// this target does not import (the server depends on the core's wire types only).
    public static let defaultFlagName =
        "databricks.partnerplatform.clientConfigsFeatureFlags.enableTelemetryForGoDriver"

    /// The seed of every random choice (faults, latencies).
    public var seed: UInt64
    /// The flag name written into answers.
    public var flagName: String
    /// The profile of every host not listed in ``hosts``.
    public var defaultHost: FlagHostProfile
    /// Per-host profiles, keyed by host name (normalised when the model is built).
    public var hosts: [String: FlagHostProfile]
    /// The latency of hosts whose profile has none.
    public var latency: LatencyDistribution
    /// Probabilistic faults, in plan order (see ``FlagServerFault``).
    public var faults: [FlagServerFault]
    /// Certain failures over time windows.
    public var outages: [FlagServerOutage]
    /// Alternating up/down schedules.
    public var flapping: [FlagServerFlapping]
    /// Token-bucket rate limits.
    public var rateLimits: FlagServerRateLimits
    /// The most journal entries kept, or `nil` for all; counters stay exact beyond it.
    ///
    /// Why: a simulated day over 100,000 hosts makes millions of requests; a
    /// capacity run needs the counters, not every entry.
    public var journalEntryLimit: Int?

    /// Creates a configuration; the defaults are a well-behaved reference server
    /// (flag on, TTL 900 s as `ttl_seconds`, no latency, no faults, no limits, seed 1).
    public init(seed: UInt64 = 1,
                flagName: String = FlagServerConfiguration.defaultFlagName,
                defaultHost: FlagHostProfile = FlagHostProfile(),
                hosts: [String: FlagHostProfile] = [:],
                latency: LatencyDistribution = .zero,
                faults: [FlagServerFault] = [],
                outages: [FlagServerOutage] = [],
                flapping: [FlagServerFlapping] = [],
                rateLimits: FlagServerRateLimits = FlagServerRateLimits(),
                journalEntryLimit: Int? = nil) {
        self.seed = seed
        self.flagName = flagName
        self.defaultHost = defaultHost
        self.hosts = hosts
        self.latency = latency
        self.faults = faults
        self.outages = outages
        self.flapping = flapping
        self.rateLimits = rateLimits
        self.journalEntryLimit = journalEntryLimit
    }
}
