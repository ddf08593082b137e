import FeatureFlags
import FlagServer
import Foundation
import StormReport

/// One `--sweep` of `flagstorm plan`: a plan parameter and the values to run it at.
///
/// Spellings: `KEY=A..B:STEPS` (evenly spaced, both ends included), `KEY=A..B:STEPS:log`
/// (geometrically spaced), or `KEY=V1,V2,…`. Keys: `hosts` and `processes` (integers; the fleet's
/// size), `rate` (arrivals per host and process, `12/1h`), `ttl` and `lifetime` (durations; a
/// lifetime value is the distribution's new mean), and `policy` (`seed,recommended`).
public struct PlanSweep: Sendable, Hashable {
    /// A sweepable parameter.
    public enum Key: String, Sendable, Hashable, CaseIterable {
        case hosts, processes, rate, ttl, lifetime, policy
    }

    /// One value of the parameter.
    public enum Value: Sendable, Hashable {
        case count(Int)
        case ratePerSecond(Double)
        case duration(Duration)
        case policy(FlagCachePolicy)
    }

    /// The parameter.
    public var key: Key
    /// Its values, in order.
    public var values: [Value]

    /// Creates a sweep.
    public init(key: Key, values: [Value]) {
        self.key = key
        self.values = values
    }

    /// The most values one sweep may have.
    public static let maximumSteps = 200

    /// Parses a `--sweep` argument; the error's message names the part that is wrong and shows a spelling that works.
    public static func parse(_ text: String) throws(PlanSweepError) -> PlanSweep {
        func fail(_ message: String) -> PlanSweepError { PlanSweepError(argument: text, message: message) }
        guard let equals = text.firstIndex(of: "=") else {
            throw fail("expected KEY=A..B:STEPS or KEY=V1,V2,…, e.g. processes=1..200:8")
        }
        let name = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
        guard let key = Key(rawValue: name) else {
            let known = Key.allCases.map(\.rawValue)
            let hint = SpecReader.suggestion(for: name, among: known).map { " (did you mean \($0)?)" } ?? ""
            throw fail("unknown parameter '\(name)'\(hint); known: \(known.joined(separator: ", "))")
        }
        let spec = String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        if key == .policy {
            var policies: [Value] = []
            for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                guard let policy = FlagCachePolicy(rawValue: trimmed) else {
                    throw fail("unknown policy '\(trimmed)': expected seed or recommended")
                }
                guard !policies.contains(.policy(policy)) else { throw fail("policy \(trimmed) is given twice") }
                policies.append(.policy(policy))
            }
            guard !policies.isEmpty else { throw fail("no policies: e.g. policy=seed,recommended") }
            return PlanSweep(key: key, values: policies)
        }
        if let range = spec.range(of: "..") {
            let low = String(spec[..<range.lowerBound])
            let rest = spec[range.upperBound...].split(separator: ":", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard rest.count == 2 || rest.count == 3 else {
                throw fail("expected A..B:STEPS or A..B:STEPS:log after '\(name)=', e.g. \(name)=\(example(key))")
            }
            guard let steps = Int(rest[1]), (2...maximumSteps).contains(steps) else {
                throw fail("steps '\(rest[1])' must be an integer within 2...\(maximumSteps)")
            }
            let logarithmic: Bool
            if rest.count == 3 {
                guard rest[2] == "log" else { throw fail("unknown spacing '\(rest[2])': the only one is log") }
                logarithmic = true
            } else {
                logarithmic = false
            }
            let from = try number(low, key: key, argument: text)
            let to = try number(rest[0], key: key, argument: text)
            guard to > from else { throw fail("the range must go upwards: \(low) is not below \(rest[0])") }
            if logarithmic, from <= 0 { throw fail("a log sweep must start above 0") }
            var values: [Value] = []
            for step in 0..<steps {
                let fraction = Double(step) / Double(steps - 1)
                let x = logarithmic ? from * pow(to / from, fraction) : from + (to - from) * fraction
                let value = self.value(x, key: key)
                if values.last != value { values.append(value) }
            }
            return PlanSweep(key: key, values: values)
        }
        var values: [Value] = []
        for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let next = value(try number(String(part), key: key, argument: text), key: key)
            guard !values.contains(next) else { throw fail("'\(part.trimmingCharacters(in: .whitespaces))' is given twice") }
            values.append(next)
        }
        guard values.count <= maximumSteps else { throw fail("at most \(maximumSteps) values") }
        return PlanSweep(key: key, values: values)
    }

    private static func example(_ key: Key) -> String {
        switch key {
        case .hosts: "100..100000:6:log"
        case .processes: "1..200:8"
        case .rate: "6/1h..60/1h:5"
        case .ttl: "1m..30m:6"
        case .lifetime: "10s..10m:5:log"
        case .policy: "seed,recommended"
        }
    }

    /// A value's number: a count, arrivals per second, or seconds.
    private static func number(_ text: String, key: Key, argument: String) throws(PlanSweepError) -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch key {
        case .hosts, .processes:
            guard let value = Int(trimmed), (1...PlanSpec.maximumHostProcessPairs).contains(value) else {
                throw PlanSweepError(argument: argument, message: "'\(trimmed)' is not a whole number within 1...10000000 (\(key.rawValue) counts)")
            }
            return Double(value)
        case .rate:
            guard let rate = try? ScenarioSyntax.parseRate(trimmed), rate.perSecond > 0 else {
                throw PlanSweepError(argument: argument, message: "'\(trimmed)' is not a rate above 0 such as 12/1h or 2/m")
            }
            return rate.perSecond
        case .ttl, .lifetime:
            guard let duration = ScenarioSyntax.parseDuration(trimmed), duration > .zero else {
                throw PlanSweepError(argument: argument, message: "'\(trimmed)' is not a duration above 0 such as 90s or 15m")
            }
            return duration.planSeconds
        case .policy:
            return 0
        }
    }

    /// The value of `key` at `x` (a count, arrivals per second, or seconds).
    static func value(_ x: Double, key: Key) -> Value {
        switch key {
        case .hosts, .processes: .count(Int(min(max(x.rounded(), 1), Double(PlanSpec.maximumHostProcessPairs))))
        case .rate: .ratePerSecond(x)
        case .ttl, .lifetime: .duration(.nanoseconds(Int64((x * 1e9).rounded())))
        case .policy: .policy(.recommended)
        }
    }

    /// `value` as a report parameter: text for tables, a number for charts.
    static func parameter(key: Key, value: Value) -> PlanParameter {
        switch value {
        case .count(let count): PlanParameter(key: key.rawValue, value: String(count), numeric: Double(count))
        case .ratePerSecond(let rate): PlanParameter(key: key.rawValue, value: PlanText.rate(rate), numeric: rate)
        case .duration(let duration):
            PlanParameter(key: key.rawValue, value: duration.planSpelling, numeric: duration.planSeconds)
        case .policy(let policy): PlanParameter(key: key.rawValue, value: policy.rawValue, numeric: nil)
        }
    }

    /// `plan` with `key` set to `value`.
    static func apply(_ value: Value, key: Key, to plan: PlanSpec) -> PlanSpec {
        var plan = plan
        switch (key, value) {
        case (.hosts, .count(let count)): plan.hosts.count = count
        case (.processes, .count(let count)): plan.processes = count
        case (.rate, .ratePerSecond(let rate)): plan.arrivals.ratePerSecond = rate
        case (.ttl, .duration(let ttl)):
            // Advertised TTLs that follow the cache's (those the file did not set: decoding derived
            // them from it) follow the swept one; a TTL the file set stays. A swept TTL outside the
            // cache's bounds widens them (the sweep asks for that TTL).
            let following = PlanSpec.advertisedSeconds(of: plan.cache.ttl)
            let advertised = PlanSpec.advertisedSeconds(of: ttl)
            plan.cache.ttl = ttl
            plan.cache.ttlBounds = min(ttl, plan.cache.ttlBounds.lowerBound)...max(ttl, plan.cache.ttlBounds.upperBound)
            if plan.server.defaultHost.ttlSeconds == following { plan.server.defaultHost.ttlSeconds = advertised }
            for name in plan.server.hosts.keys where plan.server.hosts[name]?.ttlSeconds == following {
                plan.server.hosts[name]?.ttlSeconds = advertised
            }
        case (.lifetime, .duration(let mean)):
            let old = plan.lifetime.meanSeconds
            switch plan.lifetime {
            case .fixed: plan.lifetime = .fixed(mean)
            case .exponential: plan.lifetime = .exponential(mean: mean)
            case .uniform(let low, let high):
                let scale = old > 0 ? mean.planSeconds / old : 1
                plan.lifetime = .uniform(min: low * scale, max: high * scale)
            }
        case (.policy, .policy(let policy)): plan.policies = [policy]
        default: break
        }
        return plan
    }
}

/// A `--sweep` argument that cannot be read.
public struct PlanSweepError: Error, CustomStringConvertible, Sendable {
    /// The argument as given.
    public var argument: String
    /// What is wrong with it.
    public var message: String

    /// One line: `--sweep ARGUMENT: MESSAGE`.
    public var description: String { "--sweep \(argument): \(message)" }
}

/// Short spellings of a plan's numbers for tables and lines.
enum PlanText {
    /// A rate per second as the shortest readable `N/unit` (`12/h`, `0.5/s`).
    static func rate(_ perSecond: Double) -> String {
        for (unit, seconds) in [("s", 1.0), ("m", 60.0), ("h", 3_600.0), ("d", 86_400.0)] {
            let value = perSecond * seconds
            if value >= 1 || unit == "d" { return "\(number(value))/\(unit)" }
        }
        return "\(number(perSecond))/s"
    }

    /// Up to three significant digits, without a trailing `.0`.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return String(format: "%.3g", value)
    }
}
