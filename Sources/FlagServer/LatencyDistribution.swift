#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How long the fake server takes before it answers (time to the response head).
///
/// Why these shapes: a fixed latency makes interleavings easy to reason about;
/// uniform spreads arrivals; log-normal (by median and p99) is what real
/// endpoints look like; bimodal adds the rare long stall (a GC pause, a cold
/// backend) that exposes stampedes and timeouts.
public indirect enum LatencyDistribution: Sendable, Hashable {
    /// Always `duration`.
    case fixed(Duration)
    /// Uniform between `min` and `max` (inclusive of `min`).
    case uniform(min: Duration, max: Duration)
    /// Log-normal with the given median and 99th percentile (`p99 >= median > 0`).
    case logNormal(median: Duration, p99: Duration)
    /// `base`, plus `stall` with probability `stallProbability`.
    case bimodal(base: LatencyDistribution, stallProbability: Double, stall: Duration)

    /// No latency at all.
    public static let zero = LatencyDistribution.fixed(.zero)

    /// The standard normal quantile at 0.99, linking a log-normal's p99 to its sigma.
    static let z99 = 2.326_347_874_040_841

    /// `nanoseconds` as a whole count, clamped to `0...Int64.max` (a wild configuration must not trap).
    static func clampedNanoseconds(_ nanoseconds: Double) -> Int64 {
        guard nanoseconds.isFinite, nanoseconds > 0 else { return nanoseconds == .infinity ? .max : 0 }
        return nanoseconds >= 9.2e18 ? .max : Int64(nanoseconds)
    }

    /// Draws one latency from `generator`.
    ///
    /// Each shape draws a fixed number of values (fixed: 0, uniform: 1,
    /// log-normal: 2, bimodal: its base plus 1), so that one request's draw never
    /// depends on an earlier request's outcome and a seed replays exactly.
    public func sample(using generator: inout SeededRandomGenerator) -> Duration {
        switch self {
        case .fixed(let duration):
            return duration
        case .uniform(let low, let high):
            let u = generator.nextUnitDouble()
            let lowNanos = Double(low.flagNanoseconds)
            let highNanos = Double(high.flagNanoseconds)
            return .nanoseconds(Self.clampedNanoseconds(lowNanos + (highNanos - lowNanos) * u))
        case .logNormal(let median, let p99):
            // Box–Muller: two uniforms, one standard normal. u1 in (0, 1] keeps log finite.
            let u1 = 1 - generator.nextUnitDouble()
            let u2 = generator.nextUnitDouble()
            let normal = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            let mu = log(Double(median.flagNanoseconds))
            let sigma = (log(Double(p99.flagNanoseconds)) - mu) / Self.z99
            let nanos = exp(mu + sigma * normal)
            return .nanoseconds(Self.clampedNanoseconds(nanos))
        case .bimodal(let base, let stallProbability, let stall):
            let latency = base.sample(using: &generator)
            return generator.nextUnitDouble() < stallProbability ? latency + stall : latency
        }
    }
}
