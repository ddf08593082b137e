import FeatureFlags
import FlagServer

extension RunSettings {
    /// The run of `spec` under `policy`: everything the engine needs, resolved.
    package init(spec: ScenarioSpec, policy: FlagCachePolicy, file: String? = nil) {
        self.init(name: spec.name, policy: policy, server: spec.server, load: spec.load)
        self.file = file
        self.description = spec.description
        self.mode = spec.mode.rawValue
        self.seed = spec.seed
        self.cache = spec.cache
        self.hostCount = spec.hosts.count
        self.hostPattern = spec.hosts.pattern
        self.spellings = HostSpelling.allCases.compactMap { spelling in
            spec.hosts.spellings[spelling].flatMap { $0 > 0 ? (spelling, $0) : nil }
        }
        if case .zipf(let exponent) = spec.hosts.skew { zipfExponent = exponent }
        lifetime = spec.connection.lifetime
        checkInterval = spec.connection.checkInterval
        eventsPerCheck = spec.connection.eventsPerCheck
        doubleReleaseFraction = spec.connection.doubleRelease
        cancelFirstCheckFraction = spec.connection.cancelFirstCheck
        cancelAfter = spec.connection.cancelAfter
        clientStart = spec.telemetry.start
        clientClose = spec.telemetry.close
        slowHosts = spec.telemetry.slowHosts.map { slow in
            SlowHosts(hosts: Set(slow.hosts), start: slow.start, close: slow.close)
        }
        fetchCrashProbability = spec.fetcher.crash
        crashingFetches = Set(spec.fetcher.crashFetches)
        rounds = spec.rounds
        drain = spec.drain
        thresholds = spec.thresholds(for: policy)
    }
}
