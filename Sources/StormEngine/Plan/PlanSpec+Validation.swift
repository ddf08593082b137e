import FeatureFlags
import FlagServer
import Foundation

extension PlanSpec {
    /// The most host-process pairs a plan may have.
    ///
    /// Why a bound: the engine keeps state per pair (a cache entry, an arrival stream),
    /// so a typo such as `count: 1000000` with 100 processes would exhaust memory rather than fail.
    public static let maximumHostProcessPairs = 10_000_000
    /// The longest virtual time a plan may cover (its duration, or a connection's lifetime): 366 days.
    public static let maximumSpan = Duration.seconds(366 * 86_400)
    /// The most connections a plan may be expected to open (the schedule is drawn up front, 32 bytes each).
    public static let maximumConnections = 100_000_000.0
    /// The most rate windows a plan's duration may hold (the global count keeps one number per window).
    public static let maximumWindows = 10_000_000.0

    /// Every problem with this plan's values, each with its file path (`fleet.processes: must be >= 1, got 0`); empty when it can run.
    ///
    /// Why separate from decoding: a plan built in code is checked the same way. Checks the
    /// name and description as scenarios do; durations, the headroom, the fleet's size, the
    /// arrival rate and daily cycle, the lifetime and deploys; the cache and hosts with the
    /// scenario's checks and messages (plus: `cache.ttlBounds` must contain `cache.ttl`); then
    /// runs ``FlagServer/FlagServerConfiguration/validate()`` and reports its problems under `server.`.
    /// ``decode(yaml:file:)`` calls it.
    public func validate() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        func add(_ path: String, _ message: String) {
            problems.append(ConfigurationProblem(path: path, message: message))
        }
        func positive(_ duration: Duration, _ path: String) {
            if duration <= .zero { add(path, "must be > 0") }
        }

        ScenarioSpec.validateName(name, add)
        if description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { add("description", "must not be empty: say what the plan models and why") }
        if policies.isEmpty { add("policy", "must name at least one policy") }
        positive(duration, "duration")
        positive(window, "window")
        if duration > Self.maximumSpan { add("duration", "must be at most 366 days (8784h), got \(duration.planSpelling)") }
        let windows = [("window", window), ("server.rateLimits", server.rateLimits.perHost?.window),
                       ("server.rateLimits", server.rateLimits.global?.window)]
        for case let (path, length?) in windows where length > .zero && duration > .zero
            && duration.planSeconds / length.planSeconds > Self.maximumWindows {
            add(path, "a \(length.planSpelling) window splits the \(duration.planSpelling) duration into more than 10,000,000 windows; use a longer one")
        }
        if warmup < .zero || (duration > .zero && warmup >= duration) {
            add("warmup", "must be within 0..<duration (\(duration.planSpelling)), got \(warmup.planSpelling); the warm-up is part of the duration")
        }
        if !(0..<1).contains(headroomMargin) { add("headroom", "must be within 0..<1 (or 0%..<100%), got \(headroomMargin)") }

        let hostsUsable = ScenarioSpec.validateHosts(hosts, add)
        if processes < 1 { add("fleet.processes", "must be >= 1, got \(processes)") }
        if let telemetry, telemetry.exportInterval <= .zero { add("telemetry.exportInterval", "must be > 0") }
        if hosts.count > 0, processes >= 1 {
            let (pairs, overflow) = hosts.count.multipliedReportingOverflow(by: processes)
            if overflow || pairs > Self.maximumHostProcessPairs {
                let shown = overflow ? "\(hosts.count) × \(processes)" : Self.grouped(pairs)
                add("fleet", "the fleet has \(shown) host-process pairs; at most \(Self.grouped(Self.maximumHostProcessPairs)) are supported")
            }
        }

        if !(arrivals.ratePerSecond > 0 && arrivals.ratePerSecond.isFinite) {
            add("connections.rate", "must be > 0")
        } else if hosts.count > 0, processes >= 1, duration > .zero {
            let expected = arrivals.ratePerSecond * Double(hosts.count) * Double(processes) * duration.planSeconds
            if expected > Self.maximumConnections {
                add("connections.rate", "the fleet would open about \(Self.grouped(Int(min(expected, 9e18)))) connections; at most 100,000,000 are supported (lower the rate, the fleet or the duration)")
            }
        }
        if let cycle = arrivals.dailyCycle {
            if !(0...1).contains(cycle.trough) { add("connections.dailyCycle.trough", "must be within 0...1, got \(cycle.trough)") }
            if !(cycle.peakAt >= .zero && cycle.peakAt < .seconds(86_400)) {
                add("connections.dailyCycle.peakAt", "must be within 0..<24h, got \(cycle.peakAt.planSpelling)")
            }
        }
        switch lifetime {
        case .fixed(let value):
            if value < .zero { add("connections.lifetime", "must be >= 0") }
            if value > Self.maximumSpan { add("connections.lifetime", "must be at most 366 days (8784h)") }
        case .exponential(let mean):
            if mean <= .zero { add("connections.lifetime", "exponential mean must be > 0") }
            if mean > Self.maximumSpan { add("connections.lifetime", "exponential mean must be at most 366 days (8784h)") }
        case .uniform(let low, let high):
            if low < .zero { add("connections.lifetime", "uniform minimum must be >= 0") }
            if low > high { add("connections.lifetime", "uniform minimum \(low.planSpelling) is above maximum \(high.planSpelling)") }
            if high > Self.maximumSpan { add("connections.lifetime", "uniform maximum must be at most 366 days (8784h)") }
        }
        for (index, deploy) in deploys.enumerated() {
            if deploy.at < .zero || deploy.at >= duration {
                add("deploys[\(index)].at", "must be within 0..<duration (\(duration.planSpelling)), got \(deploy.at.planSpelling)")
            }
            if deploy.spread < .zero { add("deploys[\(index)].spread", "must be >= 0") }
        }

        ScenarioSpec.validateCache(cache, add)
        if cache.ttl > .zero, cache.ttlBounds.lowerBound > .zero, !cache.ttlBounds.contains(cache.ttl) {
            add("cache.ttlBounds", "must contain the TTL (cache.ttl: \(cache.ttl.planSpelling)), got "
                + "\(cache.ttlBounds.lowerBound.planSpelling)..\(cache.ttlBounds.upperBound.planSpelling)")
        }
        ScenarioSpec.validateServer(server, hosts: hostsUsable ? hosts : nil, kind: .plan, add)
        return problems
    }

    /// `n` with thousands separators (`10,000,000`), the same in every locale.
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return n < 0 ? "-" + result : result
    }
}

extension Duration {
    /// The duration as a plan file spells it (`24h`, `6h10m`, `30s`, `250ms`, `0`); fractions of a nanosecond are dropped.
    var planSpelling: String {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return "-" + (Duration.zero - self).planSpelling }
        var nanoseconds = attoseconds / 1_000_000_000
        var rest = seconds
        var parts: [String] = []
        for (size, unit) in [(Int64(3600), "h"), (60, "m"), (1, "s")] where rest >= size {
            parts.append("\(rest / size)\(unit)")
            rest %= size
        }
        for (size, unit) in [(Int64(1_000_000), "ms"), (1_000, "us"), (1, "ns")] where nanoseconds >= size {
            parts.append("\(nanoseconds / size)\(unit)")
            nanoseconds %= size
        }
        return parts.isEmpty ? "0" : parts.joined()
    }
}
