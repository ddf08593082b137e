/// One scenario run under one policy: every number a report shows, computed once.
///
/// Why one value: reporters only format (house style rule 6), CI parses the
/// JSON form as a public contract (`shared/REPORT-SCHEMA.md`, versioned by
/// ``schema``), and a saved summary re-renders or merges without re-running.
/// Durations are integer nanoseconds (`_ns` keys); counts are integers.
public struct RunSummary: Codable, Sendable, Hashable {
    /// The schema identifier written into every report; a new shape gets a new number.
    public static let schemaIdentifier = "flagstorm.run/1"

    /// The schema of this report (``schemaIdentifier`` when written by this version).
    public var schema: String
    /// Which scenario ran, how, and with which seed.
    public var scenario: ScenarioInfo
    /// Where it ran.
    public var environment: EnvironmentInfo
    /// Wall (or virtual) time from the first connection to the end of the drain.
    public var durationNanoseconds: Int64
    /// Simulated connections.
    public var connections: ConnectionCounts
    /// Requests the fake server received (its journal), against the minimum a correct cache needs.
    public var fetches: FetchCounts
    /// Flag checks and how many were wrong.
    public var answers: AnswerCounts
    /// Latency per operation (`open`, `isEnabled`, `close`, `fetch`, …).
    public var latency: [String: LatencyEntry]
    /// Contention per lock of the system under test, keyed by lock name.
    public var contention: [String: LockContention]
    /// Telemetry-client lifecycle counts.
    public var lifecycle: LifecycleCounts
    /// What was left behind after the drain.
    public var leaks: LeakFigures
    /// Named invariants with their violations.
    public var invariants: [InvariantResult]
    /// Threshold expressions and their outcomes.
    public var thresholds: [ThresholdResult]
    /// `pass` only when every threshold and invariant held.
    public var verdict: Verdict
    /// The run over time (live connections and clients, fetches per bucket, the busiest hosts); `nil` in reports that predate it.
    public var timeline: RunTimeline?
    /// The load the harness was asked to offer against what it offered (opens, checks); `nil` in reports that predate it.
    public var harness: HarnessDelivery?

    /// Creates a summary with schema ``schemaIdentifier``.
    public init(scenario: ScenarioInfo, environment: EnvironmentInfo, durationNanoseconds: Int64,
                connections: ConnectionCounts, fetches: FetchCounts, answers: AnswerCounts,
                latency: [String: LatencyEntry], contention: [String: LockContention],
                lifecycle: LifecycleCounts, leaks: LeakFigures, invariants: [InvariantResult],
                thresholds: [ThresholdResult], verdict: Verdict, timeline: RunTimeline? = nil,
                harness: HarnessDelivery? = nil) {
        self.schema = Self.schemaIdentifier
        self.scenario = scenario
        self.environment = environment
        self.durationNanoseconds = durationNanoseconds
        self.connections = connections
        self.fetches = fetches
        self.answers = answers
        self.latency = latency
        self.contention = contention
        self.lifecycle = lifecycle
        self.leaks = leaks
        self.invariants = invariants
        self.thresholds = thresholds
        self.verdict = verdict
        self.timeline = timeline
        self.harness = harness
    }

    enum CodingKeys: String, CodingKey {
        case schema, scenario, environment
        case durationNanoseconds = "duration_ns"
        case connections, fetches, answers, latency, contention, lifecycle, leaks, invariants, thresholds, verdict
        case timeline, harness
    }

    /// Whether the run passed or failed its gate.
    public enum Verdict: String, Codable, Sendable, Hashable {
        /// Every threshold and invariant held.
        case pass
        /// At least one threshold or invariant failed.
        case fail
    }
}

/// Which scenario ran, how, and with which seed.
public struct ScenarioInfo: Codable, Sendable, Hashable {
    /// The scenario's name.
    public var name: String
    /// The file it came from, when it came from one.
    public var file: String?
    /// `realtime` or `simulated`.
    public var mode: String
    /// `seed` or `recommended`.
    public var policy: String
    /// The seed of every random choice.
    public var seed: UInt64
    /// What the scenario shows (from its file).
    public var description: String?
    /// For a sharded run, `I/N`.
    public var shard: String?
    /// Which of several repeat runs this is, as `K/N` (`run --repeat N`); `nil` for a single run.
    public var repetition: String?

    /// Creates the scenario block.
    public init(name: String, file: String?, mode: String, policy: String, seed: UInt64,
                description: String? = nil, shard: String? = nil, repetition: String? = nil) {
        self.name = name
        self.file = file
        self.mode = mode
        self.policy = policy
        self.seed = seed
        self.description = description
        self.shard = shard
        self.repetition = repetition
    }
}

/// The version of the `flagstorm` tool, written into every report's `environment.version`.
public enum FlagStormVersion {
    /// The release this source tree is (semantic versioning: a report schema change bumps the minor at least).
    public static let current = "0.6.0"
}

/// Where a run happened, so figures from different machines are not compared blindly.
public struct EnvironmentInfo: Codable, Sendable, Hashable {
    /// The Swift toolchain that built the harness.
    public var toolchain: String
    /// Online processors.
    public var cores: Int
    /// The allocator serving `malloc`, as verified at run time (e.g. `jemalloc 5.3.0`, `glibc`).
    public var allocator: String
    /// When the run started, ISO-8601 in UTC.
    public var startedAt: String
    /// `debug` or `release`: the harness's own build, which changes latency figures a lot.
    public var build: String?
    /// The tool's version (`flagstorm --version`), so every shard and repeat can be checked to run the same build.
    public var version: String?
    /// The git commit of the checkout the binary was built in, when it sits in one (`nil` otherwise).
    public var commit: String?
    /// The command line that produced the report, quoted as a shell would need it.
    public var commandLine: String?

    /// Creates the environment block.
    public init(toolchain: String, cores: Int, allocator: String, startedAt: String, build: String? = nil,
                version: String? = nil, commit: String? = nil, commandLine: String? = nil) {
        self.toolchain = toolchain
        self.cores = cores
        self.allocator = allocator
        self.startedAt = startedAt
        self.build = build
        self.version = version
        self.commit = commit
        self.commandLine = commandLine
    }
}

/// Simulated connections opened, closed and live.
public struct ConnectionCounts: Codable, Sendable, Hashable {
    /// Connections that opened (acquired their leases).
    public var opened: Int
    /// Connections that closed (released their leases).
    public var closed: Int
    /// The most connections live at once.
    public var peakConcurrent: Int
    /// Distinct hosts the connections used.
    public var hosts: Int
    /// Open-model arrivals that started later than intended by more than a millisecond.
    public var lateStarts: Int
    /// Open-model arrivals dropped because `maxConnections` were live.
    public var dropped: Int
    /// Allocator-reported live bytes per live connection, harness and core together, at the steady state:
    /// the sample with the fewest live bytes among those with the most connections live
    /// (`nil` below 1,000 connections or without a verified allocator).
    public var bytesPerConnection: Int?

    /// Creates the counts.
    public init(opened: Int = 0, closed: Int = 0, peakConcurrent: Int = 0, hosts: Int = 0,
                lateStarts: Int = 0, dropped: Int = 0, bytesPerConnection: Int? = nil) {
        self.bytesPerConnection = bytesPerConnection
        self.opened = opened
        self.closed = closed
        self.peakConcurrent = peakConcurrent
        self.hosts = hosts
        self.lateStarts = lateStarts
        self.dropped = dropped
    }
}

/// Fetches one host received.
public struct HostFetches: Codable, Sendable, Hashable {
    /// The host (normalised).
    public var host: String
    /// Requests the server received for it.
    public var total: Int
    /// The fewest a correct cache could have made for it.
    public var minimum: Int

    /// Creates a row.
    public init(host: String, total: Int, minimum: Int) {
        self.host = host
        self.total = total
        self.minimum = minimum
    }
}

/// Requests the fake server received, from its journal (ground truth).
public struct FetchCounts: Codable, Sendable, Hashable {
    /// Requests the server received.
    public var total: Int
    /// For each host, the TTL windows in which some connection asked for its flag, summed.
    public var minimum: Int
    /// `max(total - minimum, 0)`.
    public var redundant: Int
    /// Requests answered with an error, a hang, a reset or an undecodable body (429s included).
    public var failed: Int
    /// Requests answered 429.
    public var rateLimited: Int
    /// Requests that arrived before the `Retry-After` of the same host's previous answer had passed.
    public var beforeRetryAfter: Int
    /// The most requests one host received in any one minute.
    public var peakPerHostPerMinute: Int
    /// Top hosts by requests (at most 20 in the report; all hosts are in ``total``).
    public var byHost: [HostFetches]

    /// Creates the counts.
    public init(total: Int = 0, minimum: Int = 0, failed: Int = 0, rateLimited: Int = 0,
                beforeRetryAfter: Int = 0, peakPerHostPerMinute: Int = 0, byHost: [HostFetches] = []) {
        self.total = total
        self.minimum = minimum
        self.redundant = max(total - minimum, 0)
        self.failed = failed
        self.rateLimited = rateLimited
        self.beforeRetryAfter = beforeRetryAfter
        self.peakPerHostPerMinute = peakPerHostPerMinute
        self.byHost = byHost
    }
}

/// Flag checks and their correctness against the server model's truth.
public struct AnswerCounts: Codable, Sendable, Hashable {
    /// Checks made (cancelled ones excluded).
    public var total: Int
    /// Checks whose answer differed from the truth at that moment and within the TTL before it, errors included.
    public var wrong: Int
    /// Checks that threw.
    public var errors: Int
    /// Checks the harness cancelled on purpose (`cancelFirstCheck`); not judged.
    public var cancelled: Int
    /// Checks on a host that had already answered which waited for a fetch (no refresh-ahead, W9).
    public var waitedOnRefresh: Int
    /// Checks that returned a value that was the truth within the TTL before the check but not at it:
    /// the staleness a TTL cache is allowed (not counted in ``wrong``).
    public var stale: Int

    /// Creates the counts.
    public init(total: Int = 0, wrong: Int = 0, errors: Int = 0, cancelled: Int = 0, waitedOnRefresh: Int = 0,
                stale: Int = 0) {
        self.stale = stale
        self.total = total
        self.wrong = wrong
        self.errors = errors
        self.cancelled = cancelled
        self.waitedOnRefresh = waitedOnRefresh
    }
}

/// One operation's latency: percentiles and the HdrHistogram they came from.
public struct LatencyEntry: Codable, Sendable, Hashable {
    /// Samples recorded.
    public var count: Int
    /// Median.
    public var p50Nanoseconds: Int64
    /// 90th percentile.
    public var p90Nanoseconds: Int64
    /// 99th percentile.
    public var p99Nanoseconds: Int64
    /// 99.9th percentile.
    public var p999Nanoseconds: Int64
    /// Largest sample.
    public var maxNanoseconds: Int64
    /// Mean.
    public var meanNanoseconds: Int64
    /// The histogram, encoded so that entries from shards or repeats merge exactly (see Probes).
    public var histogram: String
    /// The percentile curve read from the histogram at ``LatencyPercentile/standardPercentiles`` (for charts); `nil` in older reports.
    public var percentiles: [LatencyPercentile]?

    /// Creates an entry.
    public init(count: Int, p50Nanoseconds: Int64, p90Nanoseconds: Int64, p99Nanoseconds: Int64,
                p999Nanoseconds: Int64, maxNanoseconds: Int64, meanNanoseconds: Int64, histogram: String,
                percentiles: [LatencyPercentile]? = nil) {
        self.count = count
        self.p50Nanoseconds = p50Nanoseconds
        self.p90Nanoseconds = p90Nanoseconds
        self.p99Nanoseconds = p99Nanoseconds
        self.p999Nanoseconds = p999Nanoseconds
        self.maxNanoseconds = maxNanoseconds
        self.meanNanoseconds = meanNanoseconds
        self.histogram = histogram
        self.percentiles = percentiles
    }

    enum CodingKeys: String, CodingKey {
        case count
        case p50Nanoseconds = "p50_ns", p90Nanoseconds = "p90_ns", p99Nanoseconds = "p99_ns"
        case p999Nanoseconds = "p999_ns", maxNanoseconds = "max_ns", meanNanoseconds = "mean_ns"
        case histogram, percentiles
    }
}

/// How one lock of the system under test was contended.
public struct LockContention: Codable, Sendable, Hashable {
    /// Times the lock was taken.
    public var acquisitions: UInt64
    /// Times a taker found it held and had to wait.
    public var contended: UInt64
    /// Median wait of the contended acquisitions.
    public var waitP50Nanoseconds: Int64
    /// 99th percentile wait of the contended acquisitions.
    public var waitP99Nanoseconds: Int64
    /// Longest wait.
    public var waitMaxNanoseconds: Int64
    /// 99th percentile hold time (sampled).
    public var holdP99Nanoseconds: Int64
    /// The wait histogram (contended acquisitions only), so shard reports merge exactly; `nil` in older reports.
    public var wait: DurationBuckets?
    /// The hold histogram, so shard reports merge exactly; `nil` in older reports.
    public var hold: DurationBuckets?

    /// Creates an entry.
    public init(acquisitions: UInt64, contended: UInt64, waitP50Nanoseconds: Int64, waitP99Nanoseconds: Int64,
                waitMaxNanoseconds: Int64, holdP99Nanoseconds: Int64, wait: DurationBuckets? = nil, hold: DurationBuckets? = nil) {
        self.acquisitions = acquisitions
        self.contended = contended
        self.waitP50Nanoseconds = waitP50Nanoseconds
        self.waitP99Nanoseconds = waitP99Nanoseconds
        self.waitMaxNanoseconds = waitMaxNanoseconds
        self.holdP99Nanoseconds = holdP99Nanoseconds
        self.wait = wait
        self.hold = hold
    }

    enum CodingKeys: String, CodingKey {
        case acquisitions, contended
        case waitP50Nanoseconds = "wait_p50_ns", waitP99Nanoseconds = "wait_p99_ns"
        case waitMaxNanoseconds = "wait_max_ns", holdP99Nanoseconds = "hold_p99_ns"
        case wait, hold
    }
}

/// Telemetry-client lifecycle counts, from the harness's instrumented clients.
public struct LifecycleCounts: Codable, Sendable, Hashable {
    /// Clients whose `start()` was called.
    public var clientsStarted: Int
    /// Clients whose `close()` was called.
    public var clientsClosed: Int
    /// The most clients live (started, not yet closed) for one host at once (W6 when > 1).
    public var peakClientsPerHost: Int
    /// Closes of a client some connection was still using (W4).
    public var clientsClosedWhileInUse: Int
    /// Events recorded on a client after its close began (W4).
    public var eventsAfterClose: Int
    /// Releases of an already released lease, counted by the core (`recommended` only; `seed` cannot tell).
    public var doubleReleases: Int
    /// Client acquires on one host that waited for another host's client to start (W5).
    public var acquiresBlockedByOtherHost: Int

    /// Creates the counts.
    public init(clientsStarted: Int = 0, clientsClosed: Int = 0, peakClientsPerHost: Int = 0,
                clientsClosedWhileInUse: Int = 0, eventsAfterClose: Int = 0, doubleReleases: Int = 0,
                acquiresBlockedByOtherHost: Int = 0) {
        self.clientsStarted = clientsStarted
        self.clientsClosed = clientsClosed
        self.peakClientsPerHost = peakClientsPerHost
        self.clientsClosedWhileInUse = clientsClosedWhileInUse
        self.eventsAfterClose = eventsAfterClose
        self.doubleReleases = doubleReleases
        self.acquiresBlockedByOtherHost = acquiresBlockedByOtherHost
    }
}

/// What a run left behind after every connection closed and the run drained.
public struct LeakFigures: Codable, Sendable, Hashable {
    /// Cache entries still in the registry (retained by design until expiry under `recommended`).
    public var cacheEntriesAfterDrain: Int
    /// Telemetry clients still live.
    public var clientsAfterDrain: Int
    /// Flag and client leases acquired and never released.
    public var leasesOutstanding: Int
    /// Background tasks of the core (fetches, refreshes) still running.
    public var tasksOutstanding: Int
    /// Growth of allocator-reported live bytes across churn rounds (`nil` when the allocator could not be verified).
    public var allocatedBytesGrowth: Int?
    /// Growth of open file descriptors across the run.
    public var fdGrowth: Int
    /// The descriptors open after the run that were not before it (`fd 17: socket:[123]`), when `fdGrowth` > 0; `nil` otherwise.
    ///
    /// Names what leaked, so a growth can be told from a process-wide resource created on first use.
    public var descriptorsLeaked: [String]?

    /// Creates the figures.
    public init(cacheEntriesAfterDrain: Int = 0, clientsAfterDrain: Int = 0, leasesOutstanding: Int = 0,
                tasksOutstanding: Int = 0, allocatedBytesGrowth: Int? = nil, fdGrowth: Int = 0) {
        self.cacheEntriesAfterDrain = cacheEntriesAfterDrain
        self.clientsAfterDrain = clientsAfterDrain
        self.leasesOutstanding = leasesOutstanding
        self.tasksOutstanding = tasksOutstanding
        self.allocatedBytesGrowth = allocatedBytesGrowth
        self.fdGrowth = fdGrowth
    }

    enum CodingKeys: String, CodingKey {
        case cacheEntriesAfterDrain, clientsAfterDrain, leasesOutstanding, tasksOutstanding, allocatedBytesGrowth, fdGrowth
        case descriptorsLeaked
    }

    /// Encodes every key, `allocatedBytesGrowth` as `null` when unknown (a missing key reads as a schema change).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cacheEntriesAfterDrain, forKey: .cacheEntriesAfterDrain)
        try container.encode(clientsAfterDrain, forKey: .clientsAfterDrain)
        try container.encode(leasesOutstanding, forKey: .leasesOutstanding)
        try container.encode(tasksOutstanding, forKey: .tasksOutstanding)
        try container.encode(allocatedBytesGrowth, forKey: .allocatedBytesGrowth)
        try container.encode(fdGrowth, forKey: .fdGrowth)
        try container.encodeIfPresent(descriptorsLeaked, forKey: .descriptorsLeaked)
    }
}

/// A named invariant, its violations, and one example.
public struct InvariantResult: Codable, Sendable, Hashable {
    /// The invariant's name (`oneClientPerHost`, …).
    public var name: String
    /// How many times it was broken.
    public var violations: Int
    /// One violation, described for a person (absent when none).
    public var example: String?
    /// Whether a violation fails the run under this policy (`seed` is expected to break some).
    public var gating: Bool

    /// Creates a result.
    public init(name: String, violations: Int, example: String? = nil, gating: Bool = true) {
        self.name = name
        self.violations = violations
        self.example = example
        self.gating = gating
    }
}

/// A threshold expression and its outcome.
public struct ThresholdResult: Codable, Sendable, Hashable {
    /// The expression as written (`fetches.redundant == 0`).
    public var expression: String
    /// Whether it held.
    public var ok: Bool
    /// The observed value of its left-hand side (`nil` when it could not be evaluated).
    public var value: Double?
    /// Why it could not be evaluated, or a short explanation of the failure.
    public var message: String?

    /// Creates a result.
    public init(expression: String, ok: Bool, value: Double?, message: String? = nil) {
        self.expression = expression
        self.ok = ok
        self.value = value
        self.message = message
    }
}
