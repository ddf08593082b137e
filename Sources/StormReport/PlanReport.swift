/// What `flagstorm plan` found: the flag endpoint's load from a simulated fleet, at each point of
/// an optional sweep, beside the closed-form expectation where one exists, and each policy's
/// breaking point. Schema `flagstorm.plan/1`, documented in the README ("The plan report").
///
/// Why its own schema: a run report describes one scenario's correctness and cost inside one
/// process; a plan report describes a fleet's load on the endpoint. Durations are integer
/// nanoseconds (`_ns` keys), rates are per second, fractions are within `0...1`.
public struct PlanReport: Codable, Sendable, Hashable {
    /// The schema this report follows.
    public static let currentSchema = "flagstorm.plan/1"

    /// Always ``currentSchema`` for reports this version writes.
    public var schema: String
    /// The plan as run (before the sweep changed anything).
    public var plan: PlanInfo
    /// The machine and build.
    public var environment: EnvironmentInfo
    /// The swept parameters, outermost first (empty without `--sweep`).
    public var sweep: [PlanSweepAxis]
    /// One point per policy and combination of swept values: by policy, then the second swept value, then along the first (refined points in place).
    public var points: [PlanPoint]
    /// Per policy (and value of a second swept parameter), where the first swept parameter breaks the plan.
    public var breakingPoints: [PlanBreakingPoint]
    /// Wall-clock seconds the whole plan took.
    public var wallSeconds: Double

    /// Creates a report.
    public init(plan: PlanInfo, environment: EnvironmentInfo, sweep: [PlanSweepAxis], points: [PlanPoint],
                breakingPoints: [PlanBreakingPoint], wallSeconds: Double) {
        self.schema = Self.currentSchema
        self.plan = plan
        self.environment = environment
        self.sweep = sweep
        self.points = points
        self.breakingPoints = breakingPoints
        self.wallSeconds = wallSeconds
    }

    /// Whether any point's closed-form cross-check disagreed with the simulation (a model or engine bug).
    public var hasDisagreement: Bool { points.contains { $0.analytic?.agrees == false } }
}

/// The plan's parameters, as text a person reads plus the numbers a chart needs.
public struct PlanInfo: Codable, Sendable, Hashable {
    /// The plan's name.
    public var name: String
    /// What the plan models.
    public var description: String
    /// The plan file, when it came from one.
    public var file: String?
    /// The seed.
    public var seed: UInt64
    /// Virtual time over which connections arrive (the warm-up included).
    public var durationNanoseconds: Int64
    /// How long the fleet ran before measuring (its requests and answers are not counted).
    public var warmupNanoseconds: Int64
    /// Hosts (workspaces) on the endpoint.
    public var hosts: Int
    /// `uniform` or `zipf S`.
    public var skew: String
    /// Driver processes, each with its own cache (the fleet's size).
    public var processes: Int
    /// Mean connection arrivals per second per host and process.
    public var arrivalRatePerSecond: Double
    /// How arrivals are drawn, e.g. `poisson`, `poisson, daily cycle trough 0.2 peak at 14h`.
    public var arrivals: String
    /// The lifetime distribution, e.g. `exponential 5m`.
    public var lifetime: String
    /// The cache's TTL.
    public var ttlNanoseconds: Int64
    /// The TTL the server advertises (seconds; 0 or absent: none).
    public var advertisedTTLSeconds: Int?
    /// The server's latency, as written.
    public var latency: String
    /// The per-host limit, e.g. `60/1m burst 60`, or `nil`.
    public var perHostLimit: String?
    /// The global limit, or `nil`.
    public var globalLimit: String?
    /// Outages and flapping, one line each.
    public var outages: [String]
    /// Deploys, one line each (`at 10h, spread 30s`).
    public var deploys: [String]
    /// The headroom margin under which a limit counts as broken.
    public var headroomMargin: Double
    /// Telemetry export, e.g. `every 1m, flush on close`, or `nil` when the plan leaves it out.
    public var telemetry: String?

    enum CodingKeys: String, CodingKey {
        case name, description, file, seed, hosts, skew, processes, arrivalRatePerSecond, arrivals, lifetime
        case durationNanoseconds = "duration_ns", warmupNanoseconds = "warmup_ns", ttlNanoseconds = "ttl_ns", advertisedTTLSeconds
        case latency, perHostLimit, globalLimit, outages, deploys, headroomMargin, telemetry
    }

    /// Creates the block.
    public init(name: String, description: String, file: String?, seed: UInt64, durationNanoseconds: Int64,
                hosts: Int, skew: String, processes: Int, arrivalRatePerSecond: Double, arrivals: String,
                lifetime: String, ttlNanoseconds: Int64, advertisedTTLSeconds: Int?, latency: String,
                perHostLimit: String?, globalLimit: String?, outages: [String], deploys: [String],
                headroomMargin: Double, warmupNanoseconds: Int64 = 0, telemetry: String? = nil) {
        self.name = name
        self.telemetry = telemetry
        self.warmupNanoseconds = warmupNanoseconds
        self.description = description
        self.file = file
        self.seed = seed
        self.durationNanoseconds = durationNanoseconds
        self.hosts = hosts
        self.skew = skew
        self.processes = processes
        self.arrivalRatePerSecond = arrivalRatePerSecond
        self.arrivals = arrivals
        self.lifetime = lifetime
        self.ttlNanoseconds = ttlNanoseconds
        self.advertisedTTLSeconds = advertisedTTLSeconds
        self.latency = latency
        self.perHostLimit = perHostLimit
        self.globalLimit = globalLimit
        self.outages = outages
        self.deploys = deploys
        self.headroomMargin = headroomMargin
    }
}

/// One swept parameter and its values.
public struct PlanSweepAxis: Codable, Sendable, Hashable {
    /// The parameter: `hosts`, `processes`, `rate`, `ttl`, `lifetime` or `policy`.
    public var key: String
    /// Its values as text, in order.
    public var values: [String]

    /// Creates an axis.
    public init(key: String, values: [String]) {
        self.key = key
        self.values = values
    }
}

/// One swept parameter's value at a point: text for tables, a number for charts.
public struct PlanParameter: Codable, Sendable, Hashable {
    /// The parameter's key.
    public var key: String
    /// Its value as text (`200`, `15m`, `12/1h`).
    public var value: String
    /// Its value as a number for a chart's axis (seconds for durations, per second for rates), or `nil` (policy).
    public var numeric: Double?

    /// Creates a parameter value.
    public init(key: String, value: String, numeric: Double?) {
        self.key = key
        self.value = value
        self.numeric = numeric
    }
}

/// The fleet under one policy at one point of the sweep.
public struct PlanPoint: Codable, Sendable, Hashable {
    /// The policy.
    public var policy: String
    /// The swept parameters' values here (empty without a sweep).
    public var parameters: [PlanParameter]
    /// Connections opened (reconnects after a deploy included).
    public var connections: Int
    /// Requests the endpoint received, by outcome.
    public var requests: PlanRequests
    /// The load on the whole endpoint, against the global limit.
    public var global: PlanLoad
    /// The load on each host, against the per-host limit.
    public var perHost: PlanLoad
    /// The flag checks' answers.
    public var answers: PlanAnswers
    /// The closed-form expectation beside the simulated figure, or `nil` when the plan has no closed form.
    public var analytic: PlanAnalytic?
    /// Why the plan has no closed form here (when ``analytic`` is `nil`).
    public var analyticUnavailable: String?
    /// Whether the point breaks the plan: 429s, or headroom under the margin on a limit.
    public var breaks: Bool
    /// What broke, in words (`nil` when nothing did).
    public var breakReason: String?
    /// Virtual seconds simulated (arrivals plus the last connections' lifetimes).
    public var virtualSeconds: Double
    /// Wall-clock seconds this point took.
    public var wallSeconds: Double
    /// The endpoint's load over time (the measured span in about 240 buckets), or `nil`.
    public var timeline: PlanTimeline?

    /// Creates a point.
    public init(policy: String, parameters: [PlanParameter], connections: Int, requests: PlanRequests,
                global: PlanLoad, perHost: PlanLoad, answers: PlanAnswers, analytic: PlanAnalytic?,
                analyticUnavailable: String?, breaks: Bool, breakReason: String?, virtualSeconds: Double,
                wallSeconds: Double, timeline: PlanTimeline? = nil) {
        self.timeline = timeline
        self.policy = policy
        self.parameters = parameters
        self.connections = connections
        self.requests = requests
        self.global = global
        self.perHost = perHost
        self.answers = answers
        self.analytic = analytic
        self.analyticUnavailable = analyticUnavailable
        self.breaks = breaks
        self.breakReason = breakReason
        self.virtualSeconds = virtualSeconds
        self.wallSeconds = wallSeconds
    }
}

/// The endpoint's load over time: requests, 429s and telemetry exports per bucket of equal length.
///
/// Why buckets and not the rate windows: a day's one-second windows are 86,400 numbers per point;
/// a chart needs a few hundred, and the windows' peaks are in ``PlanLoad`` already.
public struct PlanTimeline: Codable, Sendable, Hashable {
    /// The first bucket's start, from the start of the simulation (the end of the warm-up).
    public var startNanoseconds: Int64
    /// Each bucket's length.
    public var bucketNanoseconds: Int64
    /// Requests (flag fetches and exports) that arrived in each bucket.
    public var requests: [Int]
    /// Of those, answered 429.
    public var rateLimited: [Int]
    /// Of those, telemetry exports.
    public var telemetryExports: [Int]

    enum CodingKeys: String, CodingKey {
        case startNanoseconds = "start_ns", bucketNanoseconds = "bucket_ns", requests, rateLimited, telemetryExports
    }

    /// Creates a timeline.
    public init(startNanoseconds: Int64, bucketNanoseconds: Int64, requests: [Int], rateLimited: [Int], telemetryExports: [Int]) {
        self.startNanoseconds = startNanoseconds
        self.bucketNanoseconds = bucketNanoseconds
        self.requests = requests
        self.rateLimited = rateLimited
        self.telemetryExports = telemetryExports
    }
}

/// Requests the endpoint received, by outcome; telemetry exports are counted in every figure and also on their own.
public struct PlanRequests: Codable, Sendable, Hashable {
    /// Every request: flag fetches and telemetry exports.
    public var total: Int
    /// Answered 200.
    public var ok: Int
    /// Answered 429 by a rate limiter.
    public var rateLimited: Int
    /// Failed otherwise (an outage's 5xx, a fault).
    public var failed: Int
    /// Of ``total``: telemetry exports (0 when the plan leaves export out).
    public var telemetryExports: Int
    /// Of ``rateLimited`` and ``failed``: telemetry exports refused (their events are lost).
    public var telemetryExportsRefused: Int

    /// Creates the counts.
    public init(total: Int, ok: Int, rateLimited: Int, failed: Int, telemetryExports: Int = 0,
                telemetryExportsRefused: Int = 0) {
        self.total = total
        self.ok = ok
        self.rateLimited = rateLimited
        self.failed = failed
        self.telemetryExports = telemetryExports
        self.telemetryExportsRefused = telemetryExportsRefused
    }

    /// Flag fetches: every request that is not a telemetry export.
    public var flagFetches: Int { total - telemetryExports }
}

/// Requests per second over fixed windows, against a limit.
///
/// For the per-host figures every host's every window counts (windows without a request too), so
/// the mean is the fleet's average host and the 99th percentile says what 1 % of host-windows exceed.
public struct PlanLoad: Codable, Sendable, Hashable {
    /// The window the rates were counted over (the limit's own window when there is a limit).
    public var windowNanoseconds: Int64
    /// Requests per second on average.
    public var meanPerSecond: Double
    /// The 99th percentile of requests per second over fixed, back-to-back windows from the end of the warm-up.
    public var p99PerSecond: Double
    /// The busiest sliding window's requests per second (any window of this length, not only the fixed ones).
    public var peakPerSecond: Double
    /// The busiest sliding window's requests.
    public var peakRequests: Int
    /// The busiest sliding window's first request, from the start of the simulation (the warm-up included, as the plan's times are).
    public var peakAtNanoseconds: Int64
    /// Per host only: the host with the busiest window.
    public var busiestHost: String?
    /// The limit's sustained rate per second, or `nil` when unlimited.
    public var limitPerSecond: Double?
    /// The limit's burst (requests admitted at once), or `nil`.
    public var limitBurst: Int?
    /// `1 − peak / limit` over the limit's window, the peak being the busiest sliding window (negative: over it), or `nil` when unlimited.
    public var headroom: Double?

    enum CodingKeys: String, CodingKey {
        case windowNanoseconds = "window_ns", meanPerSecond, p99PerSecond, peakPerSecond, peakRequests
        case peakAtNanoseconds = "peakAt_ns", busiestHost, limitPerSecond, limitBurst, headroom
    }

    /// Creates a load block.
    public init(windowNanoseconds: Int64, meanPerSecond: Double, p99PerSecond: Double, peakPerSecond: Double,
                peakRequests: Int, peakAtNanoseconds: Int64, busiestHost: String?, limitPerSecond: Double?,
                limitBurst: Int?, headroom: Double?) {
        self.windowNanoseconds = windowNanoseconds
        self.meanPerSecond = meanPerSecond
        self.p99PerSecond = p99PerSecond
        self.peakPerSecond = peakPerSecond
        self.peakRequests = peakRequests
        self.peakAtNanoseconds = peakAtNanoseconds
        self.busiestHost = busiestHost
        self.limitPerSecond = limitPerSecond
        self.limitBurst = limitBurst
        self.headroom = headroom
    }
}

/// The flag checks' answers (one per connection, at open).
public struct PlanAnswers: Codable, Sendable, Hashable {
    /// Checks answered or failed.
    public var total: Int
    /// Answers that differ from the server's flag at the time (`seed`'s cold `false` included).
    public var wrong: Int
    /// Right answers from a value older than its TTL (served while refreshes failed).
    public var stale: Int
    /// Checks that threw.
    public var errors: Int
    /// Of the wrong, stale and failed ones: those whose process's last request for the host was answered 429.
    public var duringThrottling: Int

    /// Creates the counts.
    public init(total: Int, wrong: Int, stale: Int, errors: Int, duringThrottling: Int) {
        self.total = total
        self.wrong = wrong
        self.stale = stale
        self.errors = errors
        self.duringThrottling = duringThrottling
    }
}

/// A closed-form expectation of the endpoint's mean load beside the simulated one.
public struct PlanAnalytic: Codable, Sendable, Hashable {
    /// Which closed form, in words (e.g. `seed: M/G/∞ empty-to-busy rate λe^(−λh) per host and process`).
    public var model: String
    /// Expected requests over the run.
    public var expectedRequests: Double
    /// Simulated flag fetches over the run (telemetry exports are not part of the closed form).
    public var simulatedRequests: Int
    /// `(simulated − expected) / expected`.
    public var difference: Double
    /// The largest difference accepted: 5 %, or three standard deviations of the count when that is larger.
    public var tolerance: Double
    /// Whether the two agree within ``tolerance``; when not, the report flags a model or engine bug.
    public var agrees: Bool

    /// Creates the cross-check.
    public init(model: String, expectedRequests: Double, simulatedRequests: Int, difference: Double,
                tolerance: Double, agrees: Bool) {
        self.model = model
        self.expectedRequests = expectedRequests
        self.simulatedRequests = simulatedRequests
        self.difference = difference
        self.tolerance = tolerance
        self.agrees = agrees
    }
}

/// Where a sweep's first parameter breaks the plan under one policy.
public struct PlanBreakingPoint: Codable, Sendable, Hashable {
    /// The policy.
    public var policy: String
    /// The swept parameter.
    public var key: String
    /// The other swept parameter's value this row holds, when two are swept.
    public var fixed: PlanParameter?
    /// The last value that did not break, or `nil` when the first already did.
    public var lastFine: String?
    /// The first value that broke, or `nil` when none in the sweep did.
    public var firstBreaking: String?
    /// What broke at ``firstBreaking``.
    public var reason: String?

    /// Creates a row.
    public init(policy: String, key: String, fixed: PlanParameter?, lastFine: String?, firstBreaking: String?,
                reason: String?) {
        self.policy = policy
        self.key = key
        self.fixed = fixed
        self.lastFine = lastFine
        self.firstBreaking = firstBreaking
        self.reason = reason
    }
}
