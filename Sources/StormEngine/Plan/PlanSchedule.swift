import FlagServer
import Foundation

/// Every connection a plan's fleet opens, in start order: when, to which host, from which process
/// (and which of its incarnations, counting deploys), and for how long.
///
/// Why drawn up front: the draws then depend only on the seed, not on how the simulation
/// interleaves, and deploys can cut a connection in two (the close at the deploy and the
/// reconnect after it) by plain arithmetic. A million connections take about 32 MB (48 MB while drawn).
struct PlanSchedule: Sendable {
    /// One connection.
    struct Connection: Sendable, Hashable {
        /// Nanoseconds from the start of the run.
        var start: UInt64
        /// Nanoseconds it stays open.
        var lifetime: UInt64
        var host: Int32
        var process: Int32
        /// Which incarnation of the process: the number of deploys before ``start``.
        var generation: Int32
        /// Whether it is a reconnect forced by a deploy.
        var isReconnect: Bool
    }

    var connections: [Connection]

    /// Each host's share of the arrivals (sums to 1): uniform, or Zipf by host index.
    static func hostWeights(count: Int, skew: HostSkew) -> [Double] {
        switch skew {
        case .uniform:
            return Array(repeating: 1 / Double(count), count: count)
        case .zipf(let exponent):
            let raw = (0..<count).map { 1 / pow(Double($0 + 1), exponent) }
            let sum = raw.reduce(0, +)
            return raw.map { $0 / sum }
        }
    }

    /// Draws the schedule of `plan` from its seed.
    ///
    /// Poisson arrivals are drawn as one fleet-wide Poisson process whose arrivals are dealt to
    /// hosts by weight and to processes uniformly; by the superposition and thinning properties
    /// that is exactly an independent Poisson process per host and process. A daily cycle thins
    /// a process running at the peak rate. Uniform arrivals space each host and process's
    /// connections evenly from a seeded phase (through the cycle's cumulative rate when there is one).
    /// With a warm-up, each process opens nothing before its own start, uniform within the warm-up.
    init(plan: PlanSpec) {
        var generator = SeededRandomGenerator(seed: plan.seed ^ 0x91A7_5C4E_D11E)
        let weights = Self.hostWeights(count: plan.hosts.count, skew: plan.hosts.skew)
        let duration = plan.duration.planSeconds
        let meanPerStream = plan.arrivals.ratePerSecond
        var arrivals: [(time: UInt64, host: Int32, process: Int32)] = []

        switch plan.arrivals.process {
        case .poisson:
            var cumulative: [Double] = []
            cumulative.reserveCapacity(weights.count)
            var sum = 0.0
            for weight in weights { sum += weight; cumulative.append(sum) }
            let fleetRate = meanPerStream * Double(plan.hosts.count) * Double(plan.processes)
            let peak = plan.arrivals.dailyCycle?.peakMultiplier ?? 1
            let ceilingRate = fleetRate * peak
            arrivals.reserveCapacity(Int(min(fleetRate * duration * 1.05 + 16, 50_000_000)))
            var time = 0.0
            while ceilingRate > 0 {
                time += -log1p(-generator.nextUnitDouble()) / ceilingRate
                guard time < duration else { break }
                if let cycle = plan.arrivals.dailyCycle,
                   generator.nextUnitDouble() * peak >= cycle.multiplier(atSecond: time) { continue }
                let host = StormRunner.pick(cumulative, generator.nextUnitDouble() * sum)
                let process = plan.processes == 1 ? 0 : Int(generator.nextUInt64() % UInt64(plan.processes))
                arrivals.append((UInt64(time * 1e9), Int32(host), Int32(process)))
            }
        case .uniform:
            for host in 0..<plan.hosts.count {
                let rate = meanPerStream * Double(plan.hosts.count) * weights[host]
                guard rate > 0 else { continue }
                // Whole nanoseconds apart, so a hand-checked plan meets a rate limit's arithmetic exactly.
                let period = (1e9 / rate).rounded()
                let end = duration * 1e9
                for process in 0..<plan.processes {
                    let phase = generator.nextUnitDouble()
                    var k = 0.0
                    while true {
                        let time: Double
                        if let cycle = plan.arrivals.dailyCycle {
                            time = Self.invertCycle(cycle, area: (phase + k) * period / 1e9) * 1e9
                        } else {
                            time = (phase * period).rounded(.down) + k * period
                        }
                        // A stream slower than the run may have no arrival at all (validation bounds the total).
                        guard time < end, period >= 1 else { break }
                        arrivals.append((UInt64(time), Int32(host), Int32(process)))
                        k += 1
                    }
                }
            }
            arrivals.sort { $0.time < $1.time }
        }

        // The warm-up is a rolling start: each process opens nothing before its own start.
        let warmup = Double(max(plan.warmup.flagNanoseconds, 0))
        let processStarts = (0..<plan.processes).map { _ in UInt64(warmup * generator.nextUnitDouble()) }
        if warmup > 0 { arrivals.removeAll { $0.time < processStarts[Int($0.process)] } }

        let deploys = plan.deploys.map { (at: UInt64($0.at.flagNanoseconds), spread: Double($0.spread.flagNanoseconds)) }
            .sorted { $0.at < $1.at }
        var connections: [Connection] = []
        connections.reserveCapacity(arrivals.count)
        for arrival in arrivals {
            var start = arrival.time
            // An exponential draw is unbounded: cap it at the longest lifetime a plan may give (366 days).
            let lifetime = min(plan.lifetime.sampleSeconds(generator.nextUnitDouble()), PlanSpec.maximumSpan.planSeconds)
            var end = start + UInt64(lifetime * 1e9)
            var generation = deploys.firstIndex { $0.at > start } ?? deploys.count
            var isReconnect = false
            // Each deploy during the connection closes it there and reconnects it to the new incarnation.
            while generation < deploys.count, deploys[generation].at < end {
                let deploy = deploys[generation]
                connections.append(Connection(start: start, lifetime: deploy.at - start, host: arrival.host,
                                              process: arrival.process, generation: Int32(generation),
                                              isReconnect: isReconnect))
                let reconnect = deploy.at + UInt64(deploy.spread * generator.nextUnitDouble())
                // A connection that would have closed before its turn to reconnect does not come back.
                guard reconnect < end else { generation = -1; break }
                start = reconnect
                generation += 1
                while generation < deploys.count, deploys[generation].at <= start { generation += 1 }
                isReconnect = true
            }
            guard generation >= 0 else { continue }
            connections.append(Connection(start: start, lifetime: end - start, host: arrival.host,
                                          process: arrival.process, generation: Int32(generation),
                                          isReconnect: isReconnect))
        }
        // Reconnects land after later arrivals; keep start order (stable, so replays agree).
        if !deploys.isEmpty {
            connections = connections.enumerated().sorted {
                ($0.element.start, $0.offset) < ($1.element.start, $1.offset)
            }.map(\.element)
        }
        self.connections = connections
    }

    /// The time `t` at which the cycle's cumulative multiplier `∫₀ᵗ m(s) ds` reaches `area` (seconds).
    ///
    /// `m` is positive except perhaps at a zero trough, so the integral increases and Newton's
    /// method from `t = area` (plus bisection as a guard) converges in a few steps.
    static func invertCycle(_ cycle: PlanDailyCycle, area: Double) -> Double {
        let amplitude = (1 - cycle.trough) / (1 + cycle.trough)
        let peak = cycle.peakAt.planSeconds
        let omega = 2 * Double.pi / 86_400
        func integral(_ t: Double) -> Double {
            t + amplitude / omega * (sin(omega * (t - peak)) + sin(omega * peak))
        }
        var low = area / (1 + amplitude) - 1
        var high = cycle.trough > 0 ? area / max(1 - amplitude, 1e-9) + 1 : area + 86_400
        var t = area
        for _ in 0..<60 {
            let value = integral(t) - area
            if abs(value) < 1e-9 { break }
            if value > 0 { high = t } else { low = t }
            let slope = cycle.multiplier(atSecond: t)
            var next = slope > 1e-12 ? t - value / slope : (low + high) / 2
            if !(next > low && next < high) { next = (low + high) / 2 }
            t = next
        }
        return t
    }
}
