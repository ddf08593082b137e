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
///   times form a renewal process with gaps `c + Exp(λ)`, `c = (1 − f)·T + L`, first gap `Exp(λ)`;
///   the delayed renewal theorem gives expected requests `D/μ − (1/λ)/μ + E[X²]/(2μ²)`, `μ = c + 1/λ`,
///   `E[X²] = μ² + 1/λ²`; after a warm-up the stream is taken as stationary, `(D − W)/μ`.
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
            if busyPeriod > ttl / 20 {
                return "the busiest host's connections overlap for \(Int(busyPeriod.rounded())) s on average, too near the TTL (expiries refetch while they live)"
            }
        }
        return nil
    }

    /// The expected requests of `plan` under `policy` (call only when ``unavailableReason(_:policy:)`` is `nil`), and the model's description.
    static func expectedRequests(_ plan: PlanSpec, policy: FlagCachePolicy) -> (requests: Double, model: String) {
        let weights = PlanSchedule.hostWeights(count: plan.hosts.count, skew: plan.hosts.skew)
        let duration = plan.duration.planSeconds
        let warmup = min(plan.warmup.planSeconds, duration)
        var latency = 0.0
        if case .fixed(let fixed) = plan.server.latency { latency = fixed.planSeconds }
        // Streams of equal rate have equal expectations: compute each distinct weight once.
        var byWeight: [Double: Int] = [:]
        for weight in weights { byWeight[weight, default: 0] += 1 }
        var perProcess = 0.0
        switch policy {
        case .seed:
            for (weight, hosts) in byWeight {
                let rate = plan.arrivals.ratePerSecond * Double(plan.hosts.count) * weight
                perProcess += Double(hosts) * (seedRequests(rate: rate, lifetime: plan.lifetime, duration: duration)
                    - seedRequests(rate: rate, lifetime: plan.lifetime, duration: warmup))
            }
            return (perProcess * Double(plan.processes),
                    "seed: a check fetches when it finds its host idle in its process (M/G/∞, PASTA): λ·e^(−λ·h) per host and process")
        case .recommended:
            let fraction = min(max(plan.cache.refreshAheadFraction, 0), 1)
            let ttl = FleetSimulation.effectiveTTL(plan, policy: .recommended, host: plan.hosts.name(at: 0)).planSeconds
            let fixedGap = (1 - fraction) * ttl + latency
            for (weight, hosts) in byWeight {
                let rate = plan.arrivals.ratePerSecond * Double(plan.hosts.count) * weight
                // After a warm-up the stream is (nearly) stationary: one request per mean gap.
                let mean = fixedGap + 1 / rate
                perProcess += Double(hosts) * (warmup > 0 ? (duration - warmup) / mean
                    : recommendedRequests(rate: rate, fixedGap: fixedGap, duration: duration))
            }
            return (perProcess * Double(plan.processes),
                    "recommended: the first check after (1 − f)·T fetches (renewal, gaps c + Exp(λ)): 1/((1 − f)·T + L + 1/λ) per host and process")
        }
    }

    /// `seed`'s expected requests from one stream: `∫₀ᴰ λ·exp(−λ·G(t)) dt` (Simpson's rule until `G` saturates, exact after).
    static func seedRequests(rate: Double, lifetime: PlanLifetime, duration: Double) -> Double {
        guard rate > 0, duration > 0 else { return 0 }
        let mean = lifetime.meanSeconds
        let saturation: Double
        switch lifetime {
        case .fixed: saturation = mean
        case .exponential: saturation = 40 * mean
        case .uniform(_, let high): saturation = high.planSeconds
        }
        func integratedSurvival(_ t: Double) -> Double {
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
        let span = min(duration, saturation)
        var integral = 0.0
        if span > 0 {
            let steps = 2_000
            let h = span / Double(steps)
            for step in 0...steps {
                let t = Double(step) * h
                let weight: Double = step == 0 || step == steps ? 1 : (step % 2 == 1 ? 4 : 2)
                integral += weight * rate * exp(-rate * integratedSurvival(t))
            }
            integral *= h / 3
        }
        return integral + max(duration - span, 0) * rate * exp(-rate * mean)
    }

    /// `recommended`'s expected requests from one stream (the delayed renewal theorem's expansion).
    static func recommendedRequests(rate: Double, fixedGap: Double, duration: Double) -> Double {
        guard rate > 0, duration > 0 else { return 0 }
        let mean = fixedGap + 1 / rate
        let secondMoment = mean * mean + 1 / (rate * rate)
        return max(duration / mean - (1 / rate) / mean + secondMoment / (2 * mean * mean), 0)
    }

    /// The cross-check of a run: expected against simulated requests.
    static func check(expected: Double, simulated: Int, model: String) -> StormReport.PlanAnalytic {
        let difference = expected > 0 ? (Double(simulated) - expected) / expected : (simulated == 0 ? 0 : 1)
        let tolerance = max(baseTolerance, expected > 0 ? 3 / expected.squareRoot() : 1)
        return StormReport.PlanAnalytic(model: model, expectedRequests: expected, simulatedRequests: simulated,
                            difference: difference, tolerance: tolerance, agrees: abs(difference) <= tolerance)
    }
}
