import FeatureFlags
import FlagServer

/// One load scenario as data: what to run, against which server, under which policies, and what must hold.
///
/// Why a value type: a scenario file is decoded into it and checked with
/// ``validate()`` before anything runs (house style rule 5), so a run is a
/// function of this value and its seed, and `flagstorm run --validate` needs no
/// engine. Read one with ``load(contentsOf:)`` or ``decode(yaml:file:)``.
///
/// ## File format (YAML)
///
/// Every key is optional unless marked required; unknown keys are errors (with
/// a "did you mean", or the section a misplaced key belongs to). Durations read
/// as `FlagServerCommandLine.parseDuration` does (`500ms`, `2s`, `1.5m`, `1h`, or
/// `0`; a bare number is not a duration); distributions are a duration or
/// `uniform 1ms..5ms`, `lognormal median=2ms p99=20ms`, `bimodal 1ms stall=2s p=0.01`
/// (see ``ScenarioSyntax``). Booleans are `true`/`false` only; integers may use
/// `_` (`100_000`); a scalar key with no value is an error, not a default (an
/// empty section or list is empty). Host names
/// given anywhere (server overrides, fault `host=`, outages, flapping, slow
/// hosts) must be among the scenario's hosts, in any spelling.
///
/// ```yaml
/// name: cold-herd            # required; letters, digits, '-'
/// description: |             # required; what it shows and why
///   1,000 connections open at once on one cold host ...
/// mode: realtime             # realtime (default) | simulated (validated; the engine rejects it until simulation lands)
/// seed: 42                   # default 1; seeds the server, the cache's jitter and the engine
/// policy: both               # seed | recommended | both (default)
/// cache:                     # -> FlagCacheConfiguration (jitterSeed = seed)
///   ttl: 2s                  # default 15m; > 0
///   fetchTimeout: 1s         # default 10s; > 0
///   ttlBounds: 10s..1h       # recommended: clamp of the advertised TTL (default 10s..1h)
///   refreshAhead: 0.1        # recommended: refresh-ahead fraction, 0..<1 (default 0.1)
///   backoffBase: 1s          # recommended: first backoff (default 1s)
///   backoffCap: 5m           # recommended: longest backoff (default 5m)
///   sweepThreshold: 1024     # recommended: sweep unreferenced entries past this many (default 1024)
/// server:                    # -> FlagServerConfiguration (seed = scenario seed)
///   flag: true               # the value (default true), or the initial value when flips are given
///   flips: [{at: 5s, value: false}]
///   ttlSeconds: 900          # advertised TTL (default 900)
///   ttlSpelling: ttl_seconds # ttl_seconds | ttlSeconds | both | none
///   latency: 5ms             # a distribution (default 0)
///   flagName: ...            # default FlagServerConfiguration.defaultFlagName
///   faults: ["503@0.2", "429:retry=5@0.1", "hang:host=host-3.example.com@1"]  # flagstorm serve --fault
///   outages: [{from: 10s, until: 40s, status: 503, retryAfter: 5, hosts: [host-0.example.com]}]
///   flapping: [{up: 2s, down: 1s, status: 503, from: 0s, until: 60s, hosts: [...]}]
///   rateLimits: ["host=100/60s,burst=20", "global=1000/s"]                     # flagstorm serve --rate-limit
///   journalEntryLimit: 100000
///   hosts:                   # per-host overrides by name (any spelling): flag, flips, ttlSeconds, ttlSpelling, latency
///     host-0.example.com: {latency: 200ms}
/// hosts:
///   count: 1000              # > 0 (default 1)
///   pattern: "host-{i}.example.com"  # one {i}; a plain lower-case host name
///   spellings: {plain: 1, upper: 1, port: 1, url: 1, slash: 0, trailingDot: 0}  # weights (default plain only)
///   skew: uniform            # or "zipf 1.1"
/// load:                      # required
///   executor: burst          # required: burst | constant-arrival | ramping-arrival | constant-connections
///   connections: 1000        # burst, constant-connections; > 0
///   rate: 200/s              # constant-arrival; > 0
///   startRate: 0/s           # ramping-arrival (default 0/s)
///   stages: [{duration: 10s, target: 500/s}]  # ramping-arrival; at least one
///   duration: 30s            # constant-arrival, constant-connections; > 0
///   maxConnections: 100000   # constant-arrival, ramping-arrival (default 100000)
/// connection:
///   lifetime: 1s             # a distribution (default 1s)
///   checkInterval: 100ms     # > 0 (default 100ms)
///   eventsPerCheck: 1        # >= 0
///   doubleRelease: 0.0       # fraction, W4
///   cancelFirstCheck: 0.0    # fraction, W8
///   cancelAfter: 5ms         # when a cancelled first check is cancelled (>= 0)
/// telemetry:
///   start: 0ms               # client start latency (a distribution)
///   close: 0ms               # client close latency
///   slowHosts: [{hosts: [host-0.example.com], start: 2s, close: 2s}]  # W5, W6
/// fetcher:
///   crash: 0.0               # probability a fetch crashes, W10
///   crashFetches: [2]        # these fetches (numbered from 1) crash, W10 on a refresh
/// rounds: 1                  # > 0; repeat the load (leak soak)
/// drain: 5s                  # >= 0; time allowed after the load for everything to close
/// thresholds:                # METRIC OP VALUE over report fields, checked when the file is read (StormReport's
///                            # MetricVocabulary); durations and sizes may carry units: 5ms, 1.5s, 250us, 512KiB, 4GB
///   recommended: ["fetches.redundant == 0", "latency.isEnabled.p99_ns < 5ms"]
///   seed: []
///   all: []
/// ```
public struct ScenarioSpec: Sendable, Hashable {
    /// The scenario's name: letters, digits and `-`.
    public var name: String
    /// What the scenario shows and why.
    public var description: String
    /// Which runtime it runs on.
    public var mode: ScenarioMode
    /// The seed of every random choice: the server model's, the cache's jitter, the engine's.
    public var seed: UInt64
    /// The policies to run, in order (`both` is `[.seed, .recommended]`).
    public var policies: [FlagCachePolicy]
    /// The cache's settings (``FeatureFlags/FlagCacheConfiguration/jitterSeed`` is ``seed``).
    public var cache: FlagCacheConfiguration
    /// The fake flag server (its ``FlagServer/FlagServerConfiguration/seed`` is ``seed``).
    public var server: FlagServerConfiguration
    /// The hosts connections go to.
    public var hosts: ScenarioHosts
    /// The load model.
    public var load: ScenarioLoad
    /// What each connection does.
    public var connection: ScenarioConnection
    /// How the fake telemetry clients behave.
    public var telemetry: ScenarioTelemetry
    /// Faults of the fetch path.
    public var fetcher: ScenarioFetcher
    /// How many times the load repeats (leak soak); `> 0`.
    public var rounds: Int
    /// The time allowed after the load for everything to close.
    public var drain: Duration
    /// What must hold, per policy.
    public var thresholds: ScenarioThresholds

    /// Creates a scenario; defaults as in the file format.
    public init(name: String, description: String, mode: ScenarioMode = .realtime, seed: UInt64 = 1,
                policies: [FlagCachePolicy] = [.seed, .recommended],
                cache: FlagCacheConfiguration = FlagCacheConfiguration(),
                server: FlagServerConfiguration = FlagServerConfiguration(),
                hosts: ScenarioHosts = ScenarioHosts(), load: ScenarioLoad,
                connection: ScenarioConnection = ScenarioConnection(),
                telemetry: ScenarioTelemetry = ScenarioTelemetry(), fetcher: ScenarioFetcher = ScenarioFetcher(),
                rounds: Int = 1, drain: Duration = .seconds(5), thresholds: ScenarioThresholds = ScenarioThresholds()) {
        self.name = name
        self.description = description
        self.mode = mode
        self.seed = seed
        self.policies = policies
        self.cache = cache
        self.server = server
        self.hosts = hosts
        self.load = load
        self.connection = connection
        self.telemetry = telemetry
        self.fetcher = fetcher
        self.rounds = rounds
        self.drain = drain
        self.thresholds = thresholds
    }

    /// The plain (normalised) name of host `index`.
    public func hostName(at index: Int) -> String {
        hosts.name(at: index)
    }

    /// Host `index` spelled as `choice`.
    public func spelling(of index: Int, choice: HostSpelling) -> String {
        hosts.spelling(of: index, choice: choice)
    }

    /// The thresholds a run under `policy` must pass: the policy's own, then those for all policies.
    public func thresholds(for policy: FlagCachePolicy) -> [String] {
        switch policy {
        case .seed: thresholds.seed + thresholds.all
        case .recommended: thresholds.recommended + thresholds.all
        }
    }
}
