import FeatureFlags
import FlagServer
import Foundation
import StormReport

/// The closed forms behind `flagstorm plan`'s cross-check: the requests a plan's fleet should make,
/// from queueing theory, where the plan is simple enough for one to exist.
///
/// Where one exists: Poisson arrivals at a flat rate, no deploys, no outages, flapping or faults,
/// a fixed server latency, and (checked after the run) no request throttled, since a 429 changes
/// what the policy does next. Each host and process is then an independent stream with arrival
/// rate `λ` (the plan's rate, times `hosts × weight` under skew):
///
/// - `seed` fetches when a connection finds its host idle in its process (the last release dropped
///   the value, W2). Live connections form an M/G/∞ queue, so by PASTA an arrival at time `t`
///   finds none with probability `exp(−λ·G(t))`, `G(t) = ∫₀ᵗ P(lifetime > s) ds`, which tends to
///   `exp(−λ·h)` for a mean lifetime `h`. Expected fetches: `∫₀ᴰ λ·exp(−λ·G(t)) dt`. This is the
///   rate at which a host goes from zero live connections to one. It assumes busy periods end well
///   within the TTL (otherwise expiries refetch while connections live).
/// - `recommended` fetches at the first check after the refresh point `(1 − f)·T` past the last
///   answer (a refresh-ahead or an expiry refetch), and the answer comes a latency `L` later. Request
///   times form a renewal process with gaps `c + Exp(λ)`, `c = (1 − f)·T + L`, first gap `Exp(λ)`,
///   so the k-th request comes at `(k − 1)·c + Γ(k, λ)` and the expected count is a sum of
///   incomplete gamma functions (exact, no asymptotics); in the long run `1/(c + 1/λ)` per second.
enum PlanClosedForm {
    /// The largest relative difference accepted when the expected count is large.
    static let baseTolerance = 0.05

    /// Why `plan` has no closed form under `policy` before running it, or `nil` when it has one.
    static func unavailableReason(_ plan: PlanSpec, policy: FlagCachePolicy) -> String? {
        if plan.arrivals.process != .poisson { return "arrivals are not Poisson" }
        if plan.arrivals.dailyCycle != nil { return "the daily cycle makes the rate vary" }
        if !plan.deploys.isEmpty { return "deploys restart the caches" }
        if !plan.server.outages.isEmpty || !plan.server.flapping.isEmpty || !plan.server.faults.isEmpty {
            return "outages and faults fail requests"
        }
        if !plan.server.hosts.isEmpty { return "hosts have their own server profiles" }
        guard case .fixed(let latency) = plan.server.latency else { return "the server's latency is not fixed" }
        if plan.lifetime.meanSeconds < 10 * latency.planSeconds {
            return "connections live less than 10 fetch latencies"
        }
        if policy == .seed {
            let ttl = plan.cache.ttl.planSeconds
            let weights = PlanSchedule.hostWeights(count: plan.hosts.count, skew: plan.hosts.skew)
            let busiest = plan.arrivals.ratePerSecond * Double(plan.hosts.count) * (weights.max() ?? 0)
            // The M/G/∞ queue's mean busy period: (e^ρ − 1)/λ.
            let busyPeriod = busiest > 0 ? expm1(busiest * plan.lifetime.meanSeconds) / busiest : 0
            if !(busyPeriod <= ttl / 20) {
                let spelled = busyPeriod < 1e9 ? "\(PlanText.number(busyPeriod.rounded())) s" : "practically forever"
                return "the busiest host's connections overlap for \(spelled) on average, too near the TTL (expiries refetch while they live)"
            }
        }
        return nil
    }

    /// The expected requests of `plan` under `policy` (call only when ``unavailableReason(_:policy:)`` is `nil`), and the model's description.
    ///
    /// With a warm-up, each process starts at a uniformly random moment within it (see
    /// ``PlanSchedule``) and only requests after it count: the expectation is averaged over the start.
    static func expectedRequests(_ plan: PlanSpec, policy: FlagCachePolicy) -> (requests: Double, model: String) {
        let weights = PlanSchedule.hostWeights(count: plan.hosts.count, skew: plan.hosts.skew)
        let duration = plan.duration.planSeconds
        let warmup = min(plan.warmup.planSeconds, duration)
        var latency = 0.0
        if case .fixed(let fixed) = plan.server.latency { latency = fixed.planSeconds }
        let fraction = min(max(plan.cache.refreshAheadFraction, 0), 1)
        let ttl = FleetSimulation.effectiveTTL(plan, policy: .recommended, host: plan.hosts.name(at: 0)).planSeconds
        var perProcess = 0.0
        for (rate, hosts) in rateBins(weights.map { plan.arrivals.ratePerSecond * Double(plan.hosts.count) * $0 }) {
            let stream: (Double) -> Double
            switch policy {
            case .seed:
                let curve = SeedCurve(rate: rate, lifetime: plan.lifetime)
                stream = curve.requests(within:)
            case .recommended:
                stream = { recommendedRequests(rate: rate, fixedGap: (1 - fraction) * ttl + latency, duration: $0) }
            }
            perProcess += Double(hosts) * measured(stream, duration: duration, warmup: warmup)
        }
        let model = switch policy {
        case .seed: "seed: a check fetches when it finds its host idle in its process (M/G/∞, PASTA): λ·e^(−λ·h) per host and process"
        case .recommended: "recommended: the first check after (1 − f)·T fetches (renewal, gaps c + Exp(λ)): 1/((1 − f)·T + L + 1/λ) per host and process"
        }
        return (perProcess * Double(plan.processes), model)
    }

    /// Streams grouped by rate: exact rates when there are few, otherwise bins 0.005 % wide (the
    /// expectations are smooth in the rate, and a Zipf fleet of 100,000 hosts has as many rates).
    static func rateBins(_ rates: [Double]) -> [(rate: Double, count: Int)] {
        var exact: [Double: Int] = [:]
        for rate in rates { exact[rate, default: 0] += 1 }
        // Sorted, so the sum adds in the same order in every process (a dictionary's order is seeded per process).
        guard exact.count > 2_000 else { return exact.map { ($0.key, $0.value) }.sorted { $0.0 < $1.0 } }
        var bins: [Int: (sum: Double, count: Int)] = [:]
        for (rate, count) in exact.sorted(by: { $0.key < $1.key }) where rate > 0 {
            let key = Int((log(rate) * 20_000).rounded())
            let bin = bins[key] ?? (0, 0)
            bins[key] = (bin.sum + rate * Double(count), bin.count + count)
        }
        return bins.values.map { ($0.sum / Double($0.count), $0.count) }.sorted { $0.0 < $1.0 }
    }

    /// A stream's expected requests after the warm-up, its start uniform within the warm-up:
    /// `(1/W)·∫₀ᵂ [N(D − s) − N(W − s)] ds` by Simpson's rule (`N(D)` without a warm-up).
    static func measured(_ requests: (Double) -> Double, duration: Double, warmup: Double) -> Double {
        guard warmup > 0 else { return requests(duration) }
        let steps = 64
        let h = warmup / Double(steps)
        var sum = 0.0
        for step in 0...steps {
            let start = Double(step) * h
            let weight: Double = step == 0 || step == steps ? 1 : (step % 2 == 1 ? 4 : 2)
            sum += weight * (requests(duration - start) - requests(max(warmup - start, 0)))
        }
        return sum * h / 3 / warmup
    }

    /// `seed`'s expected requests from one stream started empty, as a function of time:
    /// `N(t) = ∫₀ᵗ λ·exp(−λ·G(u)) du`, tabulated (trapezoids) until `G` saturates, linear after.
    struct SeedCurve {
        let rate: Double
        let steady: Double
        let saturation: Double
        let table: [Double]

        init(rate: Double, lifetime: PlanLifetime) {
            self.rate = rate
            let mean = lifetime.meanSeconds
            steady = rate * exp(-rate * mean)
            switch lifetime {
            case .fixed: saturation = mean
            case .exponential: saturation = 40 * mean
            case .uniform(_, let high): saturation = high.planSeconds
            }
            let points = 4_000
            var table = [0.0]
            table.reserveCapacity(points + 1)
            let h = saturation / Double(points)
            var previous = rate
            for index in 1...points {
                let value = rate * exp(-rate * Self.integratedSurvival(Double(index) * h, lifetime: lifetime))
                table.append(table[index - 1] + (previous + value) / 2 * h)
                previous = value
            }
            self.table = table
        }

        /// `G(t) = ∫₀ᵗ P(lifetime > s) ds`.
        static func integratedSurvival(_ t: Double, lifetime: PlanLifetime) -> Double {
            let mean = lifetime.meanSeconds
            switch lifetime {
            case .fixed: return min(t, mean)
            case .exponential: return mean > 0 ? mean * -expm1(-t / mean) : 0
            case .uniform(let lowDuration, let highDuration):
                let low = lowDuration.planSeconds, high = highDuration.planSeconds
                if t < low { return t }
                if t >= high { return (low + high) / 2 }
                return low + ((high - low) * (high - low) - (high - t) * (high - t)) / (2 * (high - low))
            }
        }

        /// Expected requests within `[0, t]`.
        func requests(within t: Double) -> Double {
            guard t > 0, rate > 0 else { return 0 }
            guard saturation > 0 else { return steady * t }
            if t >= saturation { return table[table.count - 1] + steady * (t - saturation) }
            let position = t / saturation * Double(table.count - 1)
            let index = Int(position)
            let fraction = position - Double(index)
            return table[index] + (table[min(index + 1, table.count - 1)] - table[index]) * fraction
        }
    }

    /// `seed`'s expected requests from one stream over `duration` (see ``SeedCurve``).
    static func seedRequests(rate: Double, lifetime: PlanLifetime, duration: Double) -> Double {
        SeedCurve(rate: rate, lifetime: lifetime).requests(within: duration)
    }

    /// `recommended`'s expected requests from one stream within `[0, duration]`, exactly.
    ///
    /// The k-th request comes at `(k − 1)·c + Γ(k, λ)` (the first arrival, then a fixed gap and an
    /// exponential wait per request), so `E[N(t)] = Σₖ P(Γ(k, λ) ≤ t − (k − 1)·c)`, each term the
    /// regularised incomplete gamma function `P(k, λ·(t − (k − 1)·c))`.
    static func recommendedRequests(rate: Double, fixedGap: Double, duration: Double) -> Double {
        guard rate > 0, duration > 0 else { return 0 }
        var total = 0.0
        var k = 1
        while true {
            let remaining = duration - Double(k - 1) * fixedGap
            guard remaining > 0 else { break }
            let term = regularizedLowerGamma(Double(k), rate * remaining)
            total += term
            // Past the mode the terms only shrink: stop once they no longer count.
            if term < 1e-13, Double(k) > rate * remaining { break }
            k += 1
        }
        return total
    }

    /// `P(a, x) = γ(a, x)/Γ(a)`: a series below `a + 1`, a continued fraction above (Numerical Recipes' `gammp`).
    static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
        guard x > 0 else { return 0 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a
            var sum = term
            var n = a
            for _ in 0..<10_000 {
                n += 1
                term *= x / n
                sum += term
                if term < sum * 1e-15 { break }
            }
            return min(sum * exp(logPrefix), 1)
        }
        // Lentz's continued fraction for Q(a, x).
        let tiny = 1e-300
        var b = x + 1 - a
        var c = 1 / tiny
        var d = 1 / b
        var h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return max(1 - exp(logPrefix) * h, 0)
    }

    /// The cross-check of a run: expected against simulated requests.
    static func check(expected: Double, simulated: Int, model: String) -> StormReport.PlanAnalytic {
        let difference = expected > 0 ? (Double(simulated) - expected) / expected : (simulated == 0 ? 0 : 1)
        let tolerance = max(baseTolerance, expected > 0 ? 3 / expected.squareRoot() : 0)
        let agrees = expected > 0 ? abs(difference) <= tolerance : simulated == 0
        return StormReport.PlanAnalytic(model: model, expectedRequests: expected, simulatedRequests: simulated,
                                        difference: difference, tolerance: tolerance, agrees: agrees)
    }
}
