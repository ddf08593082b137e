import FeatureFlags
import Foundation
import FlagServer

/// A fleet model for capacity planning, decoded from a plan file in `Scenarios/plans/`: the flag
/// endpoint's hosts, the driver processes that connect to them, how connections arrive and how
/// long they live, deploys, the cache's policy and TTL, and the server's limits and outages.
///
/// Why its own type rather than a scenario: a scenario drives one process's cache to find its
/// weaknesses; a plan asks what a whole fleet of processes, each with its own cache, does to the
/// endpoint's rate limits over a day. The server, cache and hosts sections are read exactly as a
/// scenario's, so the two files read alike and report problems alike.
public struct PlanSpec: Sendable, Hashable {
    /// The plan's name (letters, digits and `-`), used for report files.
    public var name: String
    /// What the plan models and why.
    public var description: String
    /// The seed of every random choice (arrivals, lifetimes, the scheduler).
    public var seed: UInt64
    /// The policies to run the fleet under (`both` runs each).
    public var policies: [FlagCachePolicy]
    /// How long connections keep arriving, in virtual time (the warm-up included).
    public var duration: Duration
    /// How long the fleet runs before anything is measured: a rolling start, each process starting at
    /// a uniformly random moment within it, so that by its end the caches' refresh times are spread
    /// as in a fleet that has been up for a while. Zero starts every process at once, cold.
    ///
    /// Why: all processes starting together is a deploy storm (model one with ``deploys``), and
    /// under `recommended` their refreshes then stay bunched for hours, which is not the steady
    /// state a plan usually asks about. Times in the plan (deploys, outages, the daily cycle)
    /// count from the start of the simulation, the warm-up included.
    public var warmup: Duration = .zero
    /// The flag endpoint's hosts (workspaces) and how popular each is; spellings do not matter here.
    public var hosts: ScenarioHosts
    /// Driver processes, each with its own flag cache, connecting to every host (the fleet's size).
    ///
    /// Why processes: the per-host limit is shared by every process that talks to
    /// the host, while each process's cache only coalesces its own connections; so
    /// a per-host limit breaks as the fleet grows, not as the host count does.
    public var processes: Int
    /// How connections open: per host and process.
    public var arrivals: PlanArrivals
    /// How long a connection lives (it checks the flag once, when it opens).
    public var lifetime: PlanLifetime
    /// Deploys: every process restarts with an empty cache, and every live connection reconnects.
    public var deploys: [PlanDeploy]
    /// The cache's configuration; its `ttl` is the flag's TTL (the server advertises it too unless `server.ttlSeconds` says otherwise).
    public var cache: FlagCacheConfiguration
    /// The flag endpoint: latency, advertised TTL, rate limits, outages, faults.
    public var server: FlagServerConfiguration
    /// Telemetry export, or `nil` when the plan leaves it out: each process's telemetry client for a
    /// host (one while the host has live connections in that process) exports to the same endpoint,
    /// against the same limits, as the reference design's export does.
    public var telemetry: PlanTelemetry?
    /// The headroom under which a limit counts as broken, a fraction in `0..<1` (0.2: at most 80 % of the limit used).
    public var headroomMargin: Double
    /// The window over which rates are measured when no limit gives one.
    public var window: Duration

    /// Creates a plan; the defaults are one host, one process, one connection a minute living 30 s, a day long, `recommended`.
    public init(name: String, description: String, seed: UInt64 = 1, policies: [FlagCachePolicy] = [.recommended],
                duration: Duration = .seconds(86_400), hosts: ScenarioHosts = ScenarioHosts(), processes: Int = 1,
                arrivals: PlanArrivals = PlanArrivals(ratePerSecond: 1.0 / 60),
                lifetime: PlanLifetime = .fixed(.seconds(30)), deploys: [PlanDeploy] = [],
                cache: FlagCacheConfiguration = FlagCacheConfiguration(),
                server: FlagServerConfiguration = FlagServerConfiguration(),
                headroomMargin: Double = 0.2, window: Duration = .seconds(60)) {
        self.name = name
        self.description = description
        self.seed = seed
        self.policies = policies
        self.duration = duration
        self.hosts = hosts
        self.processes = processes
        self.arrivals = arrivals
        self.lifetime = lifetime
        self.deploys = deploys
        self.cache = cache
        self.server = server
        self.headroomMargin = headroomMargin
        self.window = window
    }
}

/// How a process's telemetry client for a host exports its events.
public struct PlanTelemetry: Sendable, Hashable {
    /// How often a live client exports (the first export one interval after it starts).
    public var exportInterval: Duration
    /// Whether a closing client exports the events recorded since its last export.
    public var flushOnClose: Bool

    /// Creates the export model.
    public init(exportInterval: Duration, flushOnClose: Bool = true) {
        self.exportInterval = exportInterval
        self.flushOnClose = flushOnClose
    }
}

/// How connections arrive at one host from one process.
public struct PlanArrivals: Sendable, Hashable {
    /// How arrival times are drawn.
    public enum Process: String, Sendable, Hashable, CaseIterable {
        /// A Poisson process: independent exponential gaps (what many independent clients produce).
        case poisson
        /// Evenly spaced arrivals, each process's stream offset by a seeded phase (for hand-checkable plans).
        case uniform
    }

    /// The mean rate per host and process, in connections per second (with skew, the fleet-wide mean per host).
    public var ratePerSecond: Double
    /// How arrival times are drawn.
    public var process: Process
    /// A daily cycle around the mean rate, or `nil` for a flat rate.
    public var dailyCycle: PlanDailyCycle?

    /// Creates an arrival model.
    public init(ratePerSecond: Double, process: Process = .poisson, dailyCycle: PlanDailyCycle? = nil) {
        self.ratePerSecond = ratePerSecond
        self.process = process
        self.dailyCycle = dailyCycle
    }
}

/// A sinusoidal daily cycle: the rate peaks at ``peakAt`` and bottoms out 12 hours later at
/// ``trough`` times the peak, with the day's mean unchanged.
public struct PlanDailyCycle: Sendable, Hashable {
    /// The trough's rate as a fraction of the peak's, within `0...1` (1: flat).
    public var trough: Double
    /// When in the (virtual) day the rate peaks, within `0..<24h`.
    public var peakAt: Duration

    /// Creates a cycle.
    public init(trough: Double, peakAt: Duration) {
        self.trough = trough
        self.peakAt = peakAt
    }

    /// The rate's multiplier at `seconds` into the run: `1 + a·cos(2π(t − peak)/day)`, `a = (1 − trough)/(1 + trough)`.
    public func multiplier(atSecond seconds: Double) -> Double {
        let amplitude = (1 - trough) / (1 + trough)
        let peak = Double(peakAt.components.seconds) + Double(peakAt.components.attoseconds) * 1e-18
        return 1 + amplitude * cos(2 * Double.pi * (seconds - peak) / 86_400)
    }

    /// The largest multiplier (at the peak).
    public var peakMultiplier: Double { 1 + (1 - trough) / (1 + trough) }
}

/// A connection's lifetime distribution.
public enum PlanLifetime: Sendable, Hashable {
    /// Always this long.
    case fixed(Duration)
    /// Exponentially distributed with this mean.
    case exponential(mean: Duration)
    /// Uniform between the bounds.
    case uniform(min: Duration, max: Duration)

    /// The mean lifetime in seconds (all the closed forms need: the number of live connections of an
    /// M/G/∞ queue depends on the lifetime's distribution only through its mean).
    public var meanSeconds: Double {
        switch self {
        case .fixed(let value): value.planSeconds
        case .exponential(let mean): mean.planSeconds
        case .uniform(let low, let high): (low.planSeconds + high.planSeconds) / 2
        }
    }

    /// A draw in seconds from `unit`, a uniform number in `0..<1`.
    func sampleSeconds(_ unit: Double) -> Double {
        switch self {
        case .fixed(let value): return value.planSeconds
        case .exponential(let mean): return -mean.planSeconds * log1p(-unit)
        case .uniform(let low, let high): return low.planSeconds + (high.planSeconds - low.planSeconds) * unit
        }
    }
}

/// A deploy: at ``at`` every process restarts (a new, empty cache) and every connection live then
/// reconnects, each at a uniformly random moment within ``spread`` (zero: all at once, the storm).
public struct PlanDeploy: Sendable, Hashable {
    /// When the deploy happens, from the start of the run.
    public var at: Duration
    /// Over how long the reconnects spread.
    public var spread: Duration

    /// Creates a deploy.
    public init(at: Duration, spread: Duration = .zero) {
        self.at = at
        self.spread = spread
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var planSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
