import FeatureFlags
import FlagServer
import Foundation

/// Everything one run of one scenario under one policy needs, resolved from a
/// scenario spec: plain data the engine reads, no parsing left.
///
/// Why separate from the spec: the spec is what a person writes (spellings,
/// defaults, validation paths); this is what the engine runs, so tests can build
/// a run directly and the engine never re-interprets YAML.
package struct RunSettings: Sendable {
    /// A slow telemetry start or close for some hosts (W5, W6).
    package struct SlowHosts: Sendable, Hashable {
        package var hosts: Set<String>
        /// The start latency for these hosts (`nil`: the scenario's usual).
        package var start: LatencyDistribution?
        /// The close latency for these hosts (`nil`: the scenario's usual).
        package var close: LatencyDistribution?
        package init(hosts: Set<String>, start: LatencyDistribution?, close: LatencyDistribution?) {
            self.hosts = hosts
            self.start = start
            self.close = close
        }
    }

    package var name: String
    package var file: String?
    package var description: String?
    package var mode: String = "realtime"
    package var seed: UInt64 = 1
    package var policy: FlagCachePolicy
    /// The cache's configuration (TTL, fetch timeout, backoff, refresh-ahead, …).
    package var cache = FlagCacheConfiguration()
    package var ttl: Duration {
        get { cache.ttl }
        set { cache.ttl = newValue }
    }
    package var fetchTimeout: Duration {
        get { cache.fetchTimeout }
        set { cache.fetchTimeout = newValue }
    }
    /// The `recommended` policy's first backoff after a failure (scenarios shorten it to fit realtime runs).
    package var backoffBase: Duration {
        get { cache.backoffBase }
        set { cache.backoffBase = newValue }
    }
    package var server: FlagServerConfiguration
    package var hostCount: Int = 1
    package var hostPattern: String = "host-{i}.example.com"
    package var spellings: [(HostSpelling, Double)] = [(.plain, 1)]
    /// Zipf exponent; `nil` for uniform.
    package var zipfExponent: Double?
    /// How connections arrive: the scenario's load model, as its file states it.
    package var load: ScenarioLoad
    package var lifetime: LatencyDistribution = .zero
    package var checkInterval: Duration = .milliseconds(100)
    package var eventsPerCheck: Int = 1
    package var doubleReleaseFraction: Double = 0
    package var cancelFirstCheckFraction: Double = 0
    /// How long after it starts a cancelled first check is cancelled.
    package var cancelAfter: Duration = .milliseconds(5)
    package var clientStart: LatencyDistribution = .zero
    package var clientClose: LatencyDistribution = .zero
    package var slowHosts: [SlowHosts] = []
    package var fetchCrashProbability: Double = 0
    /// Fetches (1-based, in the order the cache starts them) that crash whatever the probability (W10 on a refresh).
    package var crashingFetches: Set<Int> = []
    package var rounds: Int = 1
    package var drain: Duration = .seconds(5)
    package var thresholds: [String] = []
    /// Whether probes run on the check path: latency, the answer's judgement against the truth, and
    /// the TTL windows behind `fetches.minimum` (off only to measure the probes' own cost).
    package var recordLatency = true
    /// Test only: every `plantedLeakEvery`-th connection (0: none) never releases its
    /// leases, so its client is never closed: a planted leak the leak probes must report.
    package var plantedLeakEvery = 0
    /// Simulated runs only: the virtual time a connection's open, each check and its close take in the
    /// driver (a handshake, a query), so that a churn loop advances virtual time as it does real time
    /// instead of spinning at one instant; each is also a point where the scheduler may switch tasks.
    package var simulatedStepCost: Duration = .microseconds(10)
    /// Test only: run `recommended`'s client manager with its planted check-then-act race (for `hunt` to find).
    package var plantedRace = false
    /// Which disjoint slice of the hosts this run covers (`nil`: all of them).
    package var shard: RunShard?

    package init(name: String, policy: FlagCachePolicy, server: FlagServerConfiguration = FlagServerConfiguration(),
                 load: ScenarioLoad) {
        self.name = name
        self.policy = policy
        self.server = server
        self.load = load
    }

    /// The plain name of host `index`.
    package func hostName(_ index: Int) -> String {
        hostPattern.replacingOccurrences(of: "{i}", with: String(index))
    }
}

